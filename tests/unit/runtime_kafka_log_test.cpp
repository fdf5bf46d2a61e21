// librdkafka's logs and errors reach stderr once per kind (kafka_common.cpp):
// a broker that refuses connections is reported once, not by both the log
// and the error callback, and not again at every reconnect.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "runtime.h"
#include "runtime_test_support.h"

using namespace rt_test;

namespace {

size_t count_lines_with(const std::string& text, const std::string& needle) {
  size_t n = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.substr(start, end - start).find(needle) != std::string::npos) ++n;
    start = end + 1;
  }
  return n;
}

TEST(RuntimeKafkaLog, RefusedConnectionIsLoggedOnce) {
  // Port 1 on loopback: nothing listens, every connect is refused at once.
  const char* options[] = {"brokers", "127.0.0.1:1", "topic", "t", "group", "g"};
  FlowSourceDesc src{};
  src.name = "events";
  src.kind = FLOW_SOURCE_KAFKA;
  src.format = FLOW_FORMAT_LINES;
  src.on_error = FLOW_ON_ERROR_SKIP;
  src.options = options;
  src.option_count = 3;
  src.process = collect_process;
  FlowPipeline p = pipeline_of(&src, 1);
  // Long enough for several reconnect attempts (backoff starts at 100 ms).
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    flowrt::request_stop();
  });
  RunResult r = run(p, {"--quiet", "--batch", "100ms"});
  stopper.join();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count_lines_with(r.err, "Connection refused"), 1u) << r.err;
}

}  // namespace
