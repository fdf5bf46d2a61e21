// runtime/kafka_changelog.h — keyed state that moves with its Kafka
// partitions (docs/scale-out.md).
//
// Keyed state fed by a kafka source is kept per source partition (a hidden
// key: compiler/plan/partitioning.h, runtime/abi.h), and the generated
// code can write, read back and drop the state of one partition
// (FlowPipeline.snapshot_partition, restore_partition, drop_partition).
// This class moves that state through a compacted topic, the source's
// changelog (messages: changelog_format.h), at the source's hooks:
//
//   commit point  write(): the state of each owned partition that changed
//                 since its last write (it read records — its offset moved
//                 — or, with timers, it holds state), with the offset it
//                 stands at. Through the sink's transaction when one is
//                 offered (exactly_once: the state commits with the rows
//                 and the offsets), else by its own idempotent producer,
//                 flushed before the group's offsets are committed.
//   revocation    release(): after that final commit, the partition's
//                 state leaves the tables (kept as bytes, "parked", in
//                 case the partition comes back unchanged).
//   assignment    assign(): before its records are read, each assigned
//                 partition gets its state back: from the tables or the
//                 parked bytes when the group's committed offset is still
//                 the one that state stands at (the fast path: nobody read
//                 the partition since — a restart of the same copy from
//                 its checkpoint, or an eager rebalance that gave it back),
//                 else from the changelog when its head stands further on
//                 (another copy read it since), else from what it holds.
//                 The partition is then read from the offset its state
//                 stands at, whatever the group's offset says (as a
//                 checkpoint's offsets win: state and position match).
//
// A key the state of which is restored from the changelog is restored
// exactly as its last write left it: a copy that takes a partition over
// after a crash of its owner reads again what the owner read after its
// last commit point (counts may repeat, never go back). The changelog is
// created (cleanup.policy=compact, as many partitions as the source topic)
// when missing, with as many partitions as the largest source topic it is
// first needed for; source partition TOPIC/P goes to changelog partition
// P mod (its partition count), keyed by "TOPIC/P". Inside the process a
// partition is a PartKey (kafka_connector.h: a source reading several
// topics numbers them); in the changelog it is named, as copies number
// topics differently.
#ifndef FLOWC_RUNTIME_KAFKA_CHANGELOG_H
#define FLOWC_RUNTIME_KAFKA_CHANGELOG_H

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kafka_connector.h"

namespace flowrt {

class Transaction;  // transaction.h

// A partition this process owns at a commit point: the offset its state
// stands at (offset + 1 of the last record read; -1: no state) and the
// largest event time read from it.
struct OwnedPartition {
  PartKey partition = 0;
  int64_t next = -1;
  int64_t max_time = std::numeric_limits<int64_t>::min();
};

// Where an assigned partition's state stands (assign()).
struct PartitionStart {
  int64_t next = -1;
  int64_t max_time = std::numeric_limits<int64_t>::min();
};

class KafkaChangelog {
 public:
  // `owner` is the source's client (its log), `source` the source's index,
  // `topics` its topic numbering (it outlives this).
  KafkaChangelog(const KafkaClient& owner, int32_t source, const KafkaTopics& topics,
                 const KafkaOptions& opts);
  ~KafkaChangelog();
  KafkaChangelog(const KafkaChangelog&) = delete;
  KafkaChangelog& operator=(const KafkaChangelog&) = delete;

  const std::string& topic() const { return topic_; }

  // A restart from the local checkpoint: `partition`'s state is in the
  // tables, standing at `next`.
  void restored(PartKey partition, int64_t next, int64_t max_time);

  // Partitions newly assigned (inside the rebalance callback, before they
  // are read): gives each its state (see above) and, in *starts, the
  // offset and event time of those whose state stands at a known offset.
  // `complete`: the assignment is every partition this process now owns
  // (eager protocol, or the first): state held for others is dropped.
  // False after ctx->set_error.
  bool assign(FlowContext* ctx, rd_kafka_t* consumer, const std::vector<PartKey>& partitions,
              bool complete, std::map<PartKey, PartitionStart>* starts);

  // A commit point (see above). `txn`: the sink's transaction, or null.
  // False after ctx->set_error.
  bool write(FlowContext* ctx, rd_kafka_t* consumer, Transaction* txn,
             const std::vector<OwnedPartition>& owned);

  // A partition given up (revoked after its final commit, or lost): its
  // state leaves the tables, parked at `next`.
  void release(FlowContext* ctx, PartKey partition, int64_t next, int64_t max_time);

 private:
  struct Held {
    int64_t next = -1;
    int64_t max_time = std::numeric_limits<int64_t>::min();
    bool live = false;   // in the tables (a restart), else `bytes`
    std::string bytes;   // the partition's snapshot (parked)
  };
  struct Written {
    int64_t next = -1;  // the offset of the last head written or read
    int64_t slots = 0;
    std::vector<std::string> chunks;  // its chunk keys (tombstoned when replaced)
  };
  class Client;

  int64_t id_of(PartKey partition) const;
  // `topic/partition`
  std::string text(PartKey partition) const { return topics_.text(partition); }
  // The changelog's partition count, creating the topic when missing (as
  // large as the largest topic of `partitions`); 0 after ctx->set_error.
  int32_t ensure_topic(FlowContext* ctx, rd_kafka_t* consumer,
                       const std::vector<PartKey>& partitions);
  bool read(FlowContext* ctx, rd_kafka_t* consumer, const std::vector<PartKey>& partitions,
            std::map<PartKey, PartitionStart>* starts, const std::map<PartKey, Held>& held);
  bool restore_bytes(FlowContext* ctx, PartKey partition, const std::string& bytes,
                     const char* from);
  // The group's committed offsets of `partitions` (-1 where none).
  std::map<PartKey, int64_t> committed(rd_kafka_t* consumer,
                                       const std::vector<PartKey>& partitions);
  bool produce(FlowContext* ctx, Transaction* txn, int32_t partition,
               const std::vector<struct ChangelogMessage>& messages);
  bool flush(FlowContext* ctx);

  const KafkaClient& owner_;
  int32_t source_;
  const KafkaTopics& topics_;
  std::string topic_;
  KafkaOptions opts_;
  std::unique_ptr<Client> producer_, reader_;
  int32_t partitions_ = 0;  // of the changelog topic (0: not looked up yet)
  uint64_t next_id_ = 0;
  std::map<PartKey, Held> held_;        // state not owned now (parked or restored)
  std::map<PartKey, Written> written_;  // per partition: its last head
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_KAFKA_CHANGELOG_H
