// tests/unit/runtime_metrics_test.cpp — the metrics text and the HTTP
// responses, without a running pipeline (tests/metrics/ has the rest).
#include <gtest/gtest.h>

#include <limits>

#include "metrics.h"
#include "metrics_http.h"

namespace {

using flowrt::MetricsSnapshot;

MetricsSnapshot snapshot_with(std::vector<std::string> sources) {
  auto labels = std::make_shared<flowrt::MetricsLabels>();
  labels->sources = std::move(sources);
  labels->streams = {"s"};
  labels->watermark_sources = {0};
  MetricsSnapshot s;
  s.labels = labels;
  s.records_in.assign(labels->sources.size(), 7);
  s.bad.assign(labels->sources.size(), 0);
  s.late = {0};
  s.watermark_ms = {std::numeric_limits<int64_t>::min()};
  return s;
}

TEST(MetricsText, LabelValuesAreEscaped) {
  std::string text = flowrt::render_metrics(snapshot_with({"a\"b\\c\nd"}));
  EXPECT_NE(text.find("flowc_records_in_total{source=\"a\\\"b\\\\c\\nd\"} 7\n"), std::string::npos)
      << text;
}

TEST(MetricsText, WatermarkBeforeAnyRecordIsMinusInfinity) {
  std::string text = flowrt::render_metrics(snapshot_with({"clicks"}));
  EXPECT_NE(text.find("flowc_watermark_seconds{source=\"clicks\"} -Inf\n"), std::string::npos)
      << text;
}

TEST(MetricsText, HistogramBucketsAreCumulativeWithInfAndCount) {
  MetricsSnapshot s = snapshot_with({"x"});
  s.batch_duration.observe(0.0002);
  s.batch_duration.observe(0.003);
  s.batch_duration.observe(100);
  std::string text = flowrt::render_metrics(s);
  EXPECT_NE(text.find("flowc_batch_duration_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("flowc_batch_duration_seconds_bucket{le=\"0.00025\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("flowc_batch_duration_seconds_bucket{le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("flowc_batch_duration_seconds_bucket{le=\"30\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("flowc_batch_duration_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("flowc_batch_duration_seconds_count 3\n"), std::string::npos) << text;
}

TEST(MetricsAddress, HostPortForms) {
  for (const char* ok :
       {"127.0.0.1:9100", ":9100", "localhost:0", "[::1]:9100", "host.example:65535"})
    EXPECT_TRUE(flowrt::valid_metrics_address(ok)) << ok;
  for (const char* bad : {"9100", "127.0.0.1:", "127.0.0.1:65536", "::1:9100", "h:http", "h:-1"})
    EXPECT_FALSE(flowrt::valid_metrics_address(bad)) << bad;
}

TEST(MetricsHttp, Responses) {
  auto body = [] { return std::string("B"); };
  auto status = [&](const char* request) {
    std::string r = flowrt::metrics_http_response(request, body);
    return r.substr(0, r.find("\r\n"));
  };
  EXPECT_EQ(status("GET /metrics HTTP/1.1\r\n\r\n"), "HTTP/1.1 200 OK");
  EXPECT_EQ(status("GET /metrics?a=b HTTP/1.0\n\n"), "HTTP/1.1 200 OK");
  EXPECT_EQ(status("GET / HTTP/1.1\r\n\r\n"), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status("DELETE /metrics HTTP/1.1\r\n\r\n"), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(status("GET /metrics\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status("GET /metrics HTTP/2\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  std::string ok = flowrt::metrics_http_response("GET /metrics HTTP/1.1\r\n\r\n", body);
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos);
  EXPECT_NE(ok.find("Content-Length: 1\r\n"), std::string::npos);
  EXPECT_EQ(ok.substr(ok.size() - 5), "\r\n\r\nB");
  std::string head = flowrt::metrics_http_response("HEAD /metrics HTTP/1.1\r\n\r\n", body);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 1\r\n"), std::string::npos);
}

}  // namespace
