#include "plan/partitioning.h"

#include <set>

namespace flowc::plan {

namespace {

void collect(const Pipeline& p, const Input& in, std::set<int>& out) {
  if (in.kind == Input::Source) {
    if (p.sources[in.index].connector.kind == ConnectorKind::Kafka) out.insert(in.index);
    return;
  }
  for (int s : kafka_sources_of(p, in.index)) out.insert(s);
}

bool keeps_keyed_state(const Stage& st) {
  if (const auto* a = st.as<AggregateStage>()) {
    // A per-batch window keeps nothing between batches.
    return !a->keys.empty() && !(a->window && a->window->kind == WindowKind::Batch);
  }
  if (const auto* u = st.as<UpdateStage>()) return !u->keys.empty();
  return false;
}

}  // namespace

std::vector<int> kafka_sources_of(const Pipeline& p, int stream) {
  std::set<int> found;
  const Stream& s = p.streams[static_cast<size_t>(stream)];
  for (const Input& in : s.inputs) collect(p, in, found);
  collect(p, s.input, found);
  for (const Stage& st : s.stages) {
    if (const auto* j = st.as<IntervalJoinStage>()) collect(p, j->other, found);
  }
  return {found.begin(), found.end()};
}

bool state_follows_partitions(const Pipeline& p, int stream, const Stage& st) {
  return keeps_keyed_state(st) && !kafka_sources_of(p, stream).empty();
}

std::vector<bool> sources_with_partitioned_state(const Pipeline& p) {
  std::vector<bool> out(p.sources.size(), false);
  for (size_t s = 0; s < p.streams.size(); ++s) {
    for (const Stage& st : p.streams[s].stages) {
      if (!keeps_keyed_state(st)) continue;
      for (int k : kafka_sources_of(p, static_cast<int>(s))) out[static_cast<size_t>(k)] = true;
    }
  }
  return out;
}

std::string changelog_topic(const Pipeline& p, const Source& s) {
  auto named = s.connector.kafka.find("changelog");
  if (named != s.connector.kafka.end()) return named->second;
  return p.name + "-" + s.name + "-changelog";
}

}  // namespace flowc::plan
