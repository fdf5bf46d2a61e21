// Source indexes from generated code (runtime/connectors.h): codegen
// numbers the pipeline's sources, so one out of range is a flowc bug. Each
// ABI call that takes one stops the run with exit 3 and one internal error
// saying what to report, instead of dropping the record or misreading it
// silently; debug builds assert. (Sink indexes: runtime_sinks_test.cpp.)
#include <gtest/gtest.h>

#include "runtime_test_support.h"

using namespace rt_test;

namespace {

constexpr int32_t kNoSuchSource = 4;

const char* const kExpectedError =
    "flowc: internal error: generated code passed source index 4, but the pipeline has 1 "
    "source(s)\n"
    "  = note: this is a bug in flowc, not in your pipeline\n"
    "  = help: please report it with the .flow file, the command line and this message\n";

void bad_record_of_no_source(FlowContext* ctx, const FlowBatch*, const FlowRecord* recs,
                             int64_t n) {
  for (int64_t i = 0; i < n; ++i) flow_bad_record(ctx, kNoSuchSource, &recs[i], "bad", 3);
}

void column_map_of_no_source(FlowContext* ctx, const FlowBatch*, const FlowRecord*, int64_t) {
  flow_csv_column_map(ctx, kNoSuchSource);
}

void regex_of_no_source(FlowContext* ctx, const FlowBatch*, const FlowRecord* recs, int64_t n) {
  FlowStr out[1];
  for (int64_t i = 0; i < n; ++i) flow_regex_fields(ctx, kNoSuchSource, &recs[i], out);
}

void expect_internal_error(FlowProcessFn process) {
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "a\nb\n");
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(), process);
  FlowPipeline p = pipeline_of(&src, 1);
#ifdef NDEBUG
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.err, kExpectedError);
#else
  EXPECT_DEATH(run(p, {"--quiet"}), "index out of range");
#endif
}

TEST(RuntimeBadIndex, ABadRecordOfASourceThatDoesNotExistIsAnInternalError) {
  expect_internal_error(bad_record_of_no_source);
}

TEST(RuntimeBadIndex, TheColumnMapOfASourceThatDoesNotExistIsAnInternalError) {
  expect_internal_error(column_map_of_no_source);
}

TEST(RuntimeBadIndex, RegexFieldsOfASourceThatDoesNotExistAreAnInternalError) {
  expect_internal_error(regex_of_no_source);
}

}  // namespace
