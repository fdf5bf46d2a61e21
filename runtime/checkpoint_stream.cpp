#include "checkpoint_stream.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "abi.h"
#include "flow_stdlib.h"

namespace {

enum Tag : char { kInt = 'i', kBytes = 'b', kDistinctU64 = 'u', kDistinctStr = 's' };

void put_raw_i64(std::string& out, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
}

bool get_raw_i64(FlowCkptReader* r, int64_t* v) {
  if (r->failed || r->bytes.size() - r->at < 8) {
    r->failed = true;
    return false;
  }
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u |= static_cast<uint64_t>(static_cast<unsigned char>(r->bytes[r->at + i])) << (8 * i);
  r->at += 8;
  *v = static_cast<int64_t>(u);
  return true;
}

bool expect_tag(FlowCkptReader* r, char tag) {
  if (r->failed || r->at >= r->bytes.size() || r->bytes[r->at] != tag) {
    r->failed = true;
    return false;
  }
  ++r->at;
  return true;
}

void take_u64_value(uint64_t v, void* ctx) {
  static_cast<std::vector<uint64_t>*>(ctx)->push_back(v);
}

void take_str_value(const char* p, int64_t n, void* ctx) {
  static_cast<std::vector<std::string_view>*>(ctx)->emplace_back(p, static_cast<size_t>(n));
}

}  // namespace

extern "C" {

void flow_ckpt_put_i64(FlowCkptWriter* w, int64_t v) {
  w->bytes.push_back(kInt);
  put_raw_i64(w->bytes, v);
}

void flow_ckpt_put_bytes(FlowCkptWriter* w, const char* p, int64_t n) {
  w->bytes.push_back(kBytes);
  put_raw_i64(w->bytes, n);
  if (n > 0) w->bytes.append(p, static_cast<size_t>(n));
}

int64_t flow_ckpt_get_i64(FlowCkptReader* r) {
  int64_t v = 0;
  if (!expect_tag(r, kInt) || !get_raw_i64(r, &v)) return 0;
  return v;
}

void flow_ckpt_get_bytes(FlowCkptReader* r, FlowStr* out) {
  out->ptr = "";
  out->len = 0;
  int64_t n = 0;
  if (!expect_tag(r, kBytes) || !get_raw_i64(r, &n)) return;
  if (n < 0 || static_cast<uint64_t>(n) > r->bytes.size() - r->at) {
    r->failed = true;
    return;
  }
  out->ptr = r->bytes.data() + r->at;
  out->len = n;
  r->at += static_cast<size_t>(n);
}

int32_t flow_ckpt_ok(FlowCkptReader* r) { return r->failed ? 0 : 1; }

// 'u' or 's', the value count, then the values (strings as length + bytes),
// in ascending order: a set's own order depends on the order its values
// came in, which --threads changes (partial sets merged), and the bytes of
// a checkpoint must not.
void flow_ckpt_put_distinct(FlowCkptWriter* w, const void* set_ptr) {
  const auto* set = static_cast<const FlowDistinctSet*>(set_ptr);
  bool strings = set != nullptr && set->kind == FLOW_DISTINCT_STR;
  w->bytes.push_back(strings ? kDistinctStr : kDistinctU64);
  put_raw_i64(w->bytes, set ? flow_distinct_size(set) : 0);
  if (set == nullptr) return;
  if (strings) {
    std::vector<std::string_view> values;
    flow_distinct_for_each_str(set, take_str_value, &values);
    std::sort(values.begin(), values.end());
    for (std::string_view v : values) {
      put_raw_i64(w->bytes, static_cast<int64_t>(v.size()));
      w->bytes.append(v);
    }
  } else {
    std::vector<uint64_t> values;
    flow_distinct_for_each_u64(set, take_u64_value, &values);
    std::sort(values.begin(), values.end());
    for (uint64_t v : values) put_raw_i64(w->bytes, static_cast<int64_t>(v));
  }
}

void* flow_ckpt_get_distinct(FlowCkptReader* r) {
  if (r->failed || r->at >= r->bytes.size()) {
    r->failed = true;
    return nullptr;
  }
  char tag = r->bytes[r->at++];
  if (tag != kDistinctU64 && tag != kDistinctStr) {
    r->failed = true;
    return nullptr;
  }
  int64_t count = 0;
  if (!get_raw_i64(r, &count) || count < 0) {
    r->failed = true;
    return nullptr;
  }
  FlowDistinctSet* set = flow_distinct_create(tag == kDistinctStr ? FLOW_DISTINCT_STR : FLOW_DISTINCT_U64);
  for (int64_t i = 0; i < count && !r->failed; ++i) {
    int64_t v = 0;
    if (!get_raw_i64(r, &v)) break;
    if (tag == kDistinctU64) {
      flow_distinct_insert_u64(set, static_cast<uint64_t>(v));
    } else if (v < 0 || static_cast<uint64_t>(v) > r->bytes.size() - r->at) {
      r->failed = true;
    } else {
      flow_distinct_insert_str(set, r->bytes.data() + r->at, v);
      r->at += static_cast<size_t>(v);
    }
  }
  return set;
}

}  // extern "C"
