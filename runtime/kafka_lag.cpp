// runtime/kafka_lag.cpp — flowc_kafka_lag (metrics.h): for each partition
// assigned to a kafka source's consumer, the last offset librdkafka saw in
// a fetch response (the high watermark, cached: no request is made) minus
// the consumer's position (the offset after the last message it read).
// A partition with no position yet (nothing read since it was assigned)
// has no lag to report and is left out.
#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "context.h"
#include "kafka_connector.h"
#include "metrics.h"

namespace flowrt {

void collect_kafka_lags(FlowContext* ctx, std::vector<KafkaLag>* out) {
  for (const auto& source : ctx->sources) {
    if (source->desc->kind != FLOW_SOURCE_KAFKA) continue;
    auto* client = dynamic_cast<KafkaClient*>(source.get());
    rd_kafka_t* rk = client != nullptr ? client->handle() : nullptr;
    if (rk == nullptr) continue;
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || parts == nullptr) continue;
    if (rd_kafka_position(rk, parts) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < parts->cnt; ++i) {
        const rd_kafka_topic_partition_t& tp = parts->elems[i];
        int64_t low = 0, high = 0;
        if (tp.offset < 0 ||
            rd_kafka_get_watermark_offsets(rk, tp.topic, tp.partition, &low, &high) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            high < 0) {
          continue;
        }
        out->push_back({tp.topic, tp.partition, std::max<int64_t>(high - tp.offset, 0)});
      }
    }
    rd_kafka_topic_partition_list_destroy(parts);
  }
  std::sort(out->begin(), out->end(), [](const KafkaLag& a, const KafkaLag& b) {
    return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
  });
}

}  // namespace flowrt
