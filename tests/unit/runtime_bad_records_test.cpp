// Bad records (LANGUAGE.md 9, 12): message format, the 10-message limit,
// on_error fail (exit 3, file sinks cut back), dead letters.
#include <gtest/gtest.h>

#include "runtime_test_support.h"

using namespace rt_test;

namespace {

// Every record whose text starts with "bad" is a bad record; the others
// become rows of sink 0.
void bad_or_row(FlowContext* ctx, const FlowBatch* batch, const FlowRecord* recs, int64_t n) {
  collect_process(ctx, batch, recs, n);
  for (int64_t i = 0; i < n; ++i) {
    std::string_view text(recs[i].ptr, static_cast<size_t>(recs[i].len));
    if (text.starts_with("bad")) {
      std::string msg = "field \"x\": expected int, got \"" + std::string(text) + "\"";
      flow_bad_record(ctx, 0, &recs[i], msg.data(), static_cast<int64_t>(msg.size()));
      continue;
    }
    flow_sink_begin_row(ctx, 0);
    flow_sink_string(ctx, 0, recs[i].ptr, recs[i].len);
    flow_sink_end_row(ctx, 0);
  }
}

const FlowColumn kLine[] = {{"line", FLOW_TYPE_STRING}};

FlowSinkDesc file_sink(const char* path) {
  FlowSinkDesc s{};
  s.name = "out";
  s.kind = FLOW_SINK_FILE;
  s.format = FLOW_FORMAT_CSV;
  s.csv_header = 1;
  s.path = path;
  s.columns = kLine;
  s.column_count = 1;
  return s;
}

TEST(RuntimeBadRecords, SkipPrintsTheFirstTenPerSourceAndCountsTheRest) {
  reset_seen();
  TempDir dir;
  std::string in = dir.file("data.txt");
  std::string text = "ok\n";
  for (int i = 1; i <= 15; ++i) text += "bad" + std::to_string(i) + "\n";
  write_file(in, text);
  std::string out = dir.file("out.csv");
  FlowSinkDesc sink = file_sink(out.c_str());
  FlowSourceDesc src = text_source("clicks", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
                                   bad_or_row);
  FlowPipeline p = pipeline_of(&src, 1, &sink, 1);
  RunResult r = run(p);
  EXPECT_EQ(r.status, 0);
  std::string want;
  for (int i = 1; i <= 10; ++i) {
    want += in + ":" + std::to_string(i + 1) + ": bad record: field \"x\": expected int, got \"bad" +
            std::to_string(i) + "\"\n";
  }
  ASSERT_TRUE(r.err.starts_with(want)) << r.err;
  std::string rest = r.err.substr(want.size());
  EXPECT_TRUE(rest.starts_with("flowc: 16 records in, 1 rows out, 1 batches, 15 bad, 0 late, "))
      << rest;
  EXPECT_TRUE(rest.ends_with("%)\nflowc: source 'clicks': 5 more bad records not shown\n")) << rest;
  EXPECT_EQ(read_file(out), "line\nok\n");
}

TEST(RuntimeBadRecords, FailExitsThreeAndTakesBackTheFailedBatchRows) {
  reset_seen();
  TempDir dir;
  std::string in = dir.file("data.txt");
  write_file(in, "a\nb\nc\nbad\nd\ne\n");
  std::string out = dir.file("out.csv");
  write_file(out, "line\nearlier\n");
  FlowSinkDesc sink = file_sink(out.c_str());
  FlowSourceDesc src = text_source("s", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
                                   bad_or_row);
  src.on_error = FLOW_ON_ERROR_FAIL;
  FlowPipeline p = pipeline_of(&src, 1, &sink, 1);
  RunResult r = run(p, {"--quiet", "--max-batch-records", "2"});
  EXPECT_EQ(r.status, 3);
  // Batch 0 (a, b) is written; batch 1 (c, bad) is not; nothing after it is read.
  EXPECT_EQ(read_file(out), "line\nearlier\na\nb\n");
  EXPECT_EQ(seen().records, (std::vector<std::string>{"a", "b", "c", "bad"}));
  EXPECT_EQ(r.err, in + ":4: bad record: field \"x\": expected int, got \"bad\"\n"
                   "flowc: error: stopped at a bad record (on_error fail); batch 1 was not written\n");
}

TEST(RuntimeBadRecords, DeadLetterWritesJsonLinesWithReplacementCharacters) {
  reset_seen();
  TempDir dir;
  std::string in = dir.file("data.txt");
  write_file(in, "ok\nbad \"q\" \xff\xc3(\n");
  std::string dead = dir.file("dead/letters.jsonl");
  FlowSourceDesc src = text_source("clicks", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
                                   [](FlowContext* ctx, const FlowBatch* b, const FlowRecord* r,
                                      int64_t n) {
                                     for (int64_t i = 0; i < n; ++i) {
                                       if (r[i].len > 0 && r[i].ptr[0] == 'b') {
                                         flow_bad_record(ctx, 0, &r[i], "boom\n", 5);
                                       }
                                     }
                                   });
  src.on_error = FLOW_ON_ERROR_DEAD_LETTER;
  src.dead_letter_path = dead.c_str();
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(read_file(dead), "{\"source\":\"clicks\",\"position\":\"" + in +
                                 ":2\",\"error\":\"boom\\n\",\"record\":\"bad \\\"q\\\" "
                                 "\xef\xbf\xbd\xef\xbf\xbd(\"}\n");
}

TEST(RuntimeBadRecords, GenerateSourcesAreNamedBySourceName) {
  reset_seen();
  FlowSourceDesc src{};
  src.name = "ticks";
  src.kind = FLOW_SOURCE_GENERATE;
  src.gen_count = 3;
  src.generate = [](FlowContext* ctx, const FlowBatch*, int64_t first, int64_t count) {
    for (int64_t v = first; v < first + count; ++v) {
      FlowRecord rec{nullptr, 0, v + 1, v};
      if (v == 1) flow_bad_record(ctx, 0, &rec, "division by zero", 16);
    }
  };
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "ticks:2: bad record: division by zero\n");
}

}  // namespace
