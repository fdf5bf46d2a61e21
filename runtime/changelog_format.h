// runtime/changelog_format.h — the messages of a changelog topic: how the
// keyed state of one source partition is written to Kafka and read back
// (runtime/kafka_changelog.h decides when). No librdkafka here, so that
// the format is tested on its own (tests/unit/runtime_changelog_test.cpp).
//
// The state of partition P of source topic T (the bytes of the generated
// flow_snapshot_partition) is one head message, keyed "T/P", and — when it
// is larger than kChangelogInlineBytes — chunk messages keyed
// "T/P#ID.I" (ID the write's random id in hex, I = 0, 1, ...), produced
// before the head. Compaction keeps the last message of each key, so the
// last head always names a complete write:
//
//   head   "FLCH", version, pipeline fingerprint, next offset, max event
//          time, slots, write id, chunk count, state length, CRC32C of
//          the state, then the state itself when there are no chunks
//   chunk  "FLCC", write id, index, then up to kChangelogChunkBytes of
//          the state
//
// (integers as in checkpoint_file.h: varints, signed ones zigzagged). A
// crash in the middle of a write leaves the previous head pointing at its
// own chunks (another id): a new write never touches them. The writer
// deletes (tombstones) the chunks of the write it replaced once the new
// head is out; chunks nobody points to that it did not write (a copy
// that crashed) are found when the partition is read and deleted at its
// next write.
#ifndef FLOWC_RUNTIME_CHANGELOG_FORMAT_H
#define FLOWC_RUNTIME_CHANGELOG_FORMAT_H

#include <compare>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowrt {

// Kafka's default message.max.bytes is 1,000,000: a chunk stays well below.
inline constexpr size_t kChangelogChunkBytes = 512 * 1024;
// A state up to this size is written inside its head (one message).
inline constexpr size_t kChangelogInlineBytes = kChangelogChunkBytes;
inline constexpr uint64_t kChangelogVersion = 1;

struct ChangelogHead {
  uint64_t fingerprint = 0;  // FlowPipeline.fingerprint of the writer
  int64_t next = -1;         // the source offset the state stands at
  int64_t max_time = std::numeric_limits<int64_t>::min();  // event time read from P
  int64_t slots = 0;         // keys (slots) in the state, for the writer's rule
  uint64_t id = 0;           // the write's id: its chunks carry it
  uint64_t chunks = 0;       // 0: the state follows in the head
  uint64_t length = 0;       // bytes of state
  uint32_t crc = 0;          // CRC32C of the state
};

std::string changelog_head_key(std::string_view topic, int32_t partition);
std::string changelog_chunk_key(std::string_view topic, int32_t partition, uint64_t id,
                                uint64_t index);

// A message to produce: `value` empty (nullopt) is a tombstone.
struct ChangelogMessage {
  std::string key;
  std::optional<std::string> value;
};

// The messages of one write of partition `partition`'s `state`: chunks,
// then the head (its id, chunk count, length and CRC are filled in here),
// then tombstones for `replaced` (chunk keys of earlier writes).
std::vector<ChangelogMessage> changelog_write(std::string_view topic, int32_t partition,
                                              ChangelogHead head, std::string_view state,
                                              const std::vector<std::string>& replaced);

// The chunk keys a write's messages hold (to tombstone them later).
std::vector<std::string> changelog_chunk_keys(const std::vector<ChangelogMessage>& messages,
                                              std::string_view topic, int32_t partition);

// A partition of a source topic (a source may read several: a changelog
// then holds the state of each of their partitions, "a/0" apart from "b/0").
struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// Reads the messages of changelog partitions in offset order and yields
// the last complete state of each source topic-partition asked for.
class ChangelogReader {
 public:
  explicit ChangelogReader(const std::vector<TopicPartition>& partitions);

  // One message; `value` null is a tombstone. Keys of other topics or
  // partitions are skipped.
  void add(std::string_view key, const char* value, size_t length);

  enum class Found { kNone, kState, kBroken };
  // The last head of `tp` and its state (*why says what is wrong when
  // kBroken: a chunk missing or a CRC that does not match).
  Found state(const TopicPartition& tp, ChangelogHead* head, std::string* state,
              std::string* why) const;
  // Chunk keys of `tp`: those its last head does not name, and with
  // `with_current` its head's too.
  std::vector<std::string> chunks(const TopicPartition& tp, bool with_current) const;

 private:
  struct Partition {
    std::optional<std::string> head;  // the last head's value
    std::map<std::string, std::string> chunks;  // key -> value
  };
  std::map<TopicPartition, Partition, std::less<>> parts_;
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_CHANGELOG_FORMAT_H
