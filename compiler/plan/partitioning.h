// compiler/plan/partitioning.h — which keyed state follows the partitions
// of a Kafka source (docs/scale-out.md).
//
// When copies of a pipeline share a consumer group, Kafka moves partitions
// between them; keyed state moves with them. A stage's state is kept per
// source partition (a hidden key column the rows do not show) when:
//   - the stage keeps keyed state: a running `aggregate`, a `window` or a
//     session window, or an `update`, with at least one `group by` key (a
//     stage without keys has one group fed by every partition: its state
//     stays with the copy that built it);
//   - records of a kafka source reach it (through streams, unions and
//     stream joins).
// Each such source writes the state of its partitions to a changelog topic
// at every commit point, and a copy that is assigned a partition restores
// its state from there. explain lists both.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace flowc::plan {

// The kafka sources whose records reach stream `stream` (indices into
// Pipeline::sources, ascending, each once).
std::vector<int> kafka_sources_of(const Pipeline& p, int stream);

// Whether stage `st` of stream `stream` keeps its keyed state per kafka
// partition (the rule above).
bool state_follows_partitions(const Pipeline& p, int stream, const Stage& st);

// Per source: whether some stage's state follows its partitions (it then
// has a changelog).
std::vector<bool> sources_with_partitioned_state(const Pipeline& p);

// The changelog topic of a kafka source whose partitions keyed state
// follows: its `changelog` argument, else "<pipeline>-<source>-changelog"
// (Kafka Streams names its changelogs "<application>-<store>-changelog").
std::string changelog_topic(const Pipeline& p, const Source& s);

}  // namespace flowc::plan
