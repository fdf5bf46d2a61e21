// runtime/changelog_format.cpp — changelog messages; see changelog_format.h.
#include "changelog_format.h"

#include <cstdio>

#include "checkpoint_file.h"

namespace flowrt {
namespace {

constexpr char kHeadMagic[4] = {'F', 'L', 'C', 'H'};
constexpr char kChunkMagic[4] = {'F', 'L', 'C', 'C'};

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

struct ParsedKey {
  bool head = false;
  std::string_view topic;
  int32_t partition = -1;
  uint64_t id = 0;
};

// "T/P" or "T/P#ID.I" (a Kafka topic name holds no '/'); false for
// anything else.
bool parse_key(std::string_view key, ParsedKey* out) {
  const size_t slash = key.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  out->topic = key.substr(0, slash);
  size_t at = slash + 1;
  int64_t part = 0;
  size_t digits = 0;
  while (at < key.size() && key[at] >= '0' && key[at] <= '9' && digits < 10) {
    part = part * 10 + (key[at++] - '0');
    ++digits;
  }
  if (digits == 0 || part > INT32_MAX) return false;
  out->partition = static_cast<int32_t>(part);
  if (at == key.size()) {
    out->head = true;
    return true;
  }
  if (key[at] != '#' || key.size() < at + 1 + 16 + 2 || key[at + 17] != '.') return false;
  uint64_t id = 0;
  for (size_t i = at + 1; i < at + 17; ++i) {
    char c = key[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    id = id << 4 | static_cast<uint64_t>(d);
  }
  out->id = id;
  return true;
}

std::string encode_head(const ChangelogHead& h, std::string_view inline_state) {
  std::string out(kHeadMagic, sizeof kHeadMagic);
  CkptOut w(&out);
  w.u64(kChangelogVersion);
  w.fixed64(h.fingerprint);
  w.i64(h.next);
  w.i64(h.max_time);
  w.i64(h.slots);
  w.fixed64(h.id);
  w.u64(h.chunks);
  w.u64(h.length);
  w.fixed32(h.crc);
  out.append(inline_state);
  return out;
}

// The head's fields; *rest is what follows them (the state, inline).
bool decode_head(std::string_view v, ChangelogHead* h, std::string_view* rest) {
  if (v.size() < sizeof kHeadMagic ||
      v.compare(0, sizeof kHeadMagic, kHeadMagic, sizeof kHeadMagic) != 0) {
    return false;
  }
  v.remove_prefix(sizeof kHeadMagic);
  CkptIn r(v);
  if (r.u64() != kChangelogVersion) return false;
  h->fingerprint = r.fixed64();
  h->next = r.i64();
  h->max_time = r.i64();
  h->slots = r.i64();
  h->id = r.fixed64();
  h->chunks = r.u64();
  h->length = r.u64();
  h->crc = r.fixed32();
  if (r.failed()) return false;
  *rest = v.substr(v.size() - r.left());
  return true;
}

}  // namespace

std::string changelog_head_key(std::string_view topic, int32_t partition) {
  return std::string(topic) + "/" + std::to_string(partition);
}

std::string changelog_chunk_key(std::string_view topic, int32_t partition, uint64_t id,
                                uint64_t index) {
  return changelog_head_key(topic, partition) + "#" + hex(id) + "." + std::to_string(index);
}

std::vector<ChangelogMessage> changelog_write(std::string_view topic, int32_t partition,
                                              ChangelogHead head, std::string_view state,
                                              const std::vector<std::string>& replaced) {
  std::vector<ChangelogMessage> out;
  head.length = state.size();
  head.crc = crc32c(state.data(), state.size());
  head.chunks = 0;
  if (state.size() > kChangelogInlineBytes) {
    for (size_t at = 0; at < state.size(); at += kChangelogChunkBytes) {
      std::string v(kChunkMagic, sizeof kChunkMagic);
      CkptOut w(&v);
      w.fixed64(head.id);
      w.u64(head.chunks);
      v.append(state.substr(at, kChangelogChunkBytes));
      out.push_back({changelog_chunk_key(topic, partition, head.id, head.chunks), std::move(v)});
      ++head.chunks;
    }
  }
  out.push_back({changelog_head_key(topic, partition),
                 encode_head(head, head.chunks == 0 ? state : std::string_view())});
  for (const std::string& key : replaced) out.push_back({key, std::nullopt});
  return out;
}

std::vector<std::string> changelog_chunk_keys(const std::vector<ChangelogMessage>& messages,
                                              std::string_view topic, int32_t partition) {
  std::vector<std::string> keys;
  for (const ChangelogMessage& m : messages) {
    ParsedKey k;
    if (m.value && parse_key(m.key, &k) && k.topic == topic && !k.head &&
        k.partition == partition) {
      keys.push_back(m.key);
    }
  }
  return keys;
}

ChangelogReader::ChangelogReader(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) parts_[tp];
}

void ChangelogReader::add(std::string_view key, const char* value, size_t length) {
  ParsedKey k;
  if (!parse_key(key, &k)) return;
  auto it = parts_.find(TopicPartition{std::string(k.topic), k.partition});
  if (it == parts_.end()) return;
  Partition& p = it->second;
  if (k.head) {
    if (value == nullptr) {
      p.head.reset();
    } else {
      p.head.emplace(value, length);
    }
  } else if (value == nullptr) {
    p.chunks.erase(std::string(key));
  } else {
    p.chunks[std::string(key)] = std::string(value, length);
  }
}

ChangelogReader::Found ChangelogReader::state(const TopicPartition& tp, ChangelogHead* head,
                                              std::string* state, std::string* why) const {
  auto it = parts_.find(tp);
  if (it == parts_.end() || !it->second.head) return Found::kNone;
  const Partition& p = it->second;
  std::string_view rest;
  if (!decode_head(*p.head, head, &rest)) {
    *why = "its head message does not read back (written by another version of flowc?)";
    return Found::kBroken;
  }
  state->clear();
  if (head->chunks == 0) {
    state->assign(rest);
  } else {
    for (uint64_t i = 0; i < head->chunks; ++i) {
      auto c = p.chunks.find(changelog_chunk_key(tp.topic, tp.partition, head->id, i));
      if (c == p.chunks.end()) {
        *why = "chunk " + std::to_string(i) + " of " + std::to_string(head->chunks) + " is missing";
        return Found::kBroken;
      }
      std::string_view v = c->second;
      if (v.size() < sizeof kChunkMagic ||
          v.compare(0, sizeof kChunkMagic, kChunkMagic, sizeof kChunkMagic) != 0) {
        *why = "chunk " + std::to_string(i) + " does not read back";
        return Found::kBroken;
      }
      CkptIn r(v.substr(sizeof kChunkMagic));
      uint64_t id = r.fixed64();
      uint64_t index = r.u64();
      if (r.failed() || id != head->id || index != i) {
        *why = "chunk " + std::to_string(i) + " belongs to another write";
        return Found::kBroken;
      }
      state->append(v.substr(v.size() - r.left()));
    }
  }
  if (state->size() != head->length || crc32c(state->data(), state->size()) != head->crc) {
    *why = "its state does not match its checksum";
    return Found::kBroken;
  }
  return Found::kState;
}

std::vector<std::string> ChangelogReader::chunks(const TopicPartition& tp,
                                                 bool with_current) const {
  std::vector<std::string> out;
  auto it = parts_.find(tp);
  if (it == parts_.end()) return out;
  ChangelogHead head;
  std::string_view rest;
  const bool has_head = it->second.head && decode_head(*it->second.head, &head, &rest);
  for (const auto& [key, value] : it->second.chunks) {
    ParsedKey k;
    if (!parse_key(key, &k)) continue;
    if (with_current || !has_head || head.chunks == 0 || k.id != head.id) out.push_back(key);
  }
  return out;
}

}  // namespace flowrt
