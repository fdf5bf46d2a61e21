// runtime/transaction.h — what a transactional sink offers the sources.
//
// A sink whose rows become visible only when it commits (a kafka sink with
// `exactly_once: true`) offers a Transaction (Sink::transaction). At each
// commit point, before any sink commits, the batch loop lets every source
// join the first transaction offered (Source::join_transaction): a source
// that can hands it the positions it consumed since the last commit point,
// which then commit atomically with the sink's rows, and commits nothing
// itself afterwards (Source::commit sees CommitPoint::transaction).
//
// Each method is one kind of position a source may hand over, and a sink
// that offers a transaction takes every kind (a source that joined relies
// on it): kafka consumer-group offsets, which a kafka producer's
// transaction holds through send_offsets_to_transaction, and messages to
// other topics (a kafka source's changelog: kafka_changelog.h), so that
// the state they hold commits with the rows and the offsets.
#ifndef FLOWC_RUNTIME_TRANSACTION_H
#define FLOWC_RUNTIME_TRANSACTION_H

#include <string>
#include <string_view>

#include "abi.h"

// librdkafka's types, declared as rdkafka.h does: the core does not
// include librdkafka.
typedef struct rd_kafka_topic_partition_list_s rd_kafka_topic_partition_list_t;
typedef struct rd_kafka_consumer_group_metadata_s rd_kafka_consumer_group_metadata_t;

namespace flowrt {

class Transaction {
 public:
  // The next offsets (offset + 1 of the last record read) of a consumer in
  // `group`, committed to the group with the transaction. False after
  // ctx->set_error.
  virtual bool add_kafka_offsets(FlowContext* ctx, const rd_kafka_topic_partition_list_t* offsets,
                                 const rd_kafka_consumer_group_metadata_t* group) = 0;
  // A message to partition `partition` of `topic`, produced in the
  // transaction; `value` null is a tombstone (compacted topics). False
  // after ctx->set_error.
  virtual bool add_kafka_message(FlowContext* ctx, const std::string& topic, int32_t partition,
                                 std::string_view key, const std::string* value) = 0;

 protected:
  ~Transaction() = default;  // owned by its sink
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_TRANSACTION_H
