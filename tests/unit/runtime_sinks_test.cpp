// Sinks: CSV (RFC 4180 quoting, header once), JSON lines, the table
// format, and value formatting through the sink ABI.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "runtime_test_support.h"

using namespace rt_test;

namespace {

const FlowColumn kColumns[] = {
    {"name", FLOW_TYPE_STRING}, {"n", FLOW_TYPE_INT},         {"x", FLOW_TYPE_FLOAT},
    {"ok", FLOW_TYPE_BOOL},     {"ts", FLOW_TYPE_TIMESTAMP},
};

// One row per record: name = the record, then fixed values that depend on
// the record's line.
void typed_rows(FlowContext* ctx, const FlowBatch*, const FlowRecord* recs, int64_t n) {
  static const double kFloats[] = {0.1, std::nan(""), -std::numeric_limits<double>::infinity(),
                                   2.5, 1e300};
  for (int64_t i = 0; i < n; ++i) {
    int64_t k = (recs[i].line - 1) % 5;
    flow_sink_begin_row(ctx, 0);
    flow_sink_string(ctx, 0, recs[i].ptr, recs[i].len);
    flow_sink_int(ctx, 0, -12 + k);
    flow_sink_float(ctx, 0, kFloats[k]);
    flow_sink_bool(ctx, 0, k % 2 == 0);
    flow_sink_timestamp(ctx, 0, 1795510266123 + k);
    flow_sink_end_row(ctx, 0);
  }
}

RunResult run_to_sink(const std::string& input, const FlowSinkDesc& sink,
                      std::vector<std::string> args = {"--quiet"}) {
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, input.c_str(),
                                   typed_rows);
  FlowPipeline p = pipeline_of(&src, 1, &sink, 1);
  return run(p, args);
}

FlowSinkDesc sink_desc(int32_t kind, int32_t format, const char* path) {
  FlowSinkDesc s{};
  s.name = "out";
  s.kind = kind;
  s.format = format;
  s.csv_header = 1;
  s.path = path;
  s.columns = kColumns;
  s.column_count = 5;
  return s;
}

TEST(RuntimeSinks, CsvFileQuotesAndWritesTheHeaderOnceAcrossRuns) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "plain\nwith,comma\nsay \"hi\"\nmulti\rline\n");
  std::string out = dir.file("sub/dir/out.csv");  // parents are created
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_CSV, out.c_str());
  ASSERT_EQ(run_to_sink(in, sink).status, 0);
  std::string rows =
      "plain,-12,0.1,true,2026-11-24T08:51:06.123Z\n"
      "\"with,comma\",-11,nan,false,2026-11-24T08:51:06.124Z\n"
      "\"say \"\"hi\"\"\",-10,-inf,true,2026-11-24T08:51:06.125Z\n"
      "\"multi\rline\",-9,2.5,false,2026-11-24T08:51:06.126Z\n";
  EXPECT_EQ(read_file(out), "name,n,x,ok,ts\n" + rows);
  ASSERT_EQ(run_to_sink(in, sink).status, 0);  // appends, no second header
  EXPECT_EQ(read_file(out), "name,n,x,ok,ts\n" + rows + rows);
}

// LANGUAGE.md 13 "Sink CSV": delimiter and header are honoured; a field
// holding the delimiter (not a comma) is quoted.
TEST(RuntimeSinks, CsvSinkHonoursDelimiterAndNoHeader) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a;b\nwith,comma\n");
  std::string out = dir.file("out.csv");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_CSV, out.c_str());
  sink.csv_header = 0;
  sink.csv_delimiter = ';';
  ASSERT_EQ(run_to_sink(in, sink).status, 0);
  EXPECT_EQ(read_file(out),
            "\"a;b\";-12;0.1;true;2026-11-24T08:51:06.123Z\n"
            "with,comma;-11;nan;false;2026-11-24T08:51:06.124Z\n");
}

TEST(RuntimeSinks, CsvHeaderIsWrittenToAnEmptyExistingFile) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\n");
  std::string out = dir.file("out.csv");
  write_file(out, "");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_CSV, out.c_str());
  ASSERT_EQ(run_to_sink(in, sink).status, 0);
  EXPECT_EQ(read_file(out), "name,n,x,ok,ts\na,-12,0.1,true,2026-11-24T08:51:06.123Z\n");
}

// A file sink's format is the compiler's decision (sema, from the path's
// extension when none is written); only stdout's depends on the terminal.
TEST(RuntimeSinks, AFileSinkWithoutAFormatIsAnInternalError) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\n");
  std::string out = dir.file("out.csv");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_DEFAULT, out.c_str());
  RunResult r = run_to_sink(in, sink);
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("internal error"), std::string::npos) << r.err;
}

TEST(RuntimeSinks, JsonLinesInColumnOrder) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\"b\\c\nctl\x01\t\xc3\xa9\nx\nx\nx\n");
  std::string out = dir.file("out.jsonl");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_JSON, out.c_str());
  ASSERT_EQ(run_to_sink(in, sink).status, 0);
  EXPECT_EQ(read_file(out),
            "{\"name\":\"a\\\"b\\\\c\",\"n\":-12,\"x\":0.1,\"ok\":true,"
            "\"ts\":\"2026-11-24T08:51:06.123Z\"}\n"
            "{\"name\":\"ctl\\u0001\\t\xc3\xa9\",\"n\":-11,\"x\":\"nan\",\"ok\":false,"
            "\"ts\":\"2026-11-24T08:51:06.124Z\"}\n"
            "{\"name\":\"x\",\"n\":-10,\"x\":\"-inf\",\"ok\":true,"
            "\"ts\":\"2026-11-24T08:51:06.125Z\"}\n"
            "{\"name\":\"x\",\"n\":-9,\"x\":2.5,\"ok\":false,"
            "\"ts\":\"2026-11-24T08:51:06.126Z\"}\n"
            "{\"name\":\"x\",\"n\":-8,\"x\":1e+300,\"ok\":true,"
            "\"ts\":\"2026-11-24T08:51:06.127Z\"}\n");
}

TEST(RuntimeSinks, StdoutDefaultIsCsvWhenNotATerminalWithHeaderAtStart) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_STDOUT, FLOW_FORMAT_DEFAULT, nullptr);
  RunResult r = run_to_sink(in, sink);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "name,n,x,ok,ts\n");
}

TEST(RuntimeSinks, TableFormatPrintsOneTablePerBatchWithRows) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "alpha\nb\n");
  static const FlowColumn cols[] = {{"word", FLOW_TYPE_STRING}, {"count", FLOW_TYPE_INT}};
  FlowSinkDesc sink{};
  sink.name = "out";
  sink.kind = FLOW_SINK_STDOUT;
  sink.format = FLOW_FORMAT_TABLE;
  sink.columns = cols;
  sink.column_count = 2;
  FlowSourceDesc src = text_source(
      "src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
      [](FlowContext* ctx, const FlowBatch*, const FlowRecord* recs, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          flow_sink_begin_row(ctx, 0);
          flow_sink_string(ctx, 0, recs[i].ptr, recs[i].len);
          flow_sink_int(ctx, 0, recs[i].len * 100);
          flow_sink_end_row(ctx, 0);
        }
      });
  FlowPipeline p = pipeline_of(&src, 1, &sink, 1);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out,
            "-------------------------------------------\n"
            "Batch: 0\n"
            "-------------------------------------------\n"
            "+-----+-----+\n"
            "|word |count|\n"
            "+-----+-----+\n"
            "|alpha|  500|\n"
            "|b    |  100|\n"
            "+-----+-----+\n"
            "\n");
}

TEST(RuntimeSinks, TableFormatPrintsNothingForBatchesWithoutRows) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\nb\n");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_STDOUT, FLOW_FORMAT_TABLE, nullptr);
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
                                   collect_process);
  FlowPipeline p = pipeline_of(&src, 1, &sink, 1);
  RunResult r = run(p, {"--quiet", "--max-batch-records", "1"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "");
}

TEST(RuntimeSinks, RowsOutAreCountedInTheSummary) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\nb\n");
  std::string out = dir.file("o.csv");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_CSV, out.c_str());
  RunResult r = run_to_sink(in, sink, {});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.err.starts_with("flowc: 2 records in, 2 rows out, 1 batches, 0 bad, 0 late"))
      << r.err;
}

// Codegen numbers the pipeline's sinks: a row for a sink that does not
// exist is a flowc bug. It stops the run (exit 3, one internal error saying
// what to report) instead of being dropped; debug builds assert.
TEST(RuntimeSinks, ARowForASinkThatDoesNotExistIsAnInternalError) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\nb\n");
  std::string out = dir.file("o.csv");
  FlowSinkDesc sink = sink_desc(FLOW_SINK_FILE, FLOW_FORMAT_CSV, out.c_str());
  FlowSourceDesc src =
      text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
                  [](FlowContext* ctx, const FlowBatch*, const FlowRecord* recs, int64_t n) {
                    for (int64_t i = 0; i < n; ++i) {
                      for (int32_t s : {0, 1}) {
                        flow_sink_begin_row(ctx, s);
                        flow_sink_string(ctx, s, recs[i].ptr, recs[i].len);
                        flow_sink_end_row(ctx, s);
                      }
                    }
                  });
  FlowPipeline p = pipeline_of(&src, 1, &sink, 1);
#ifdef NDEBUG
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.err,
            "flowc: internal error: generated code passed sink index 1, but the pipeline has 1 "
            "sink(s)\n"
            "  = note: this is a bug in flowc, not in your pipeline\n"
            "  = help: please report it with the .flow file, the command line and this message\n");
  EXPECT_EQ(read_file(out), "name,n,x,ok,ts\n");  // the batch was taken back
#else
  EXPECT_DEATH(run(p, {"--quiet"}), "index out of range");
#endif
}

}  // namespace
