// Run options (LANGUAGE.md 11): --param typing, durations, usage errors.
#include <gtest/gtest.h>

#include "options.h"
#include "runtime_test_support.h"

using namespace rt_test;

namespace {

struct Slots {
  int8_t flag = 0;
  int64_t limit = 0;
  double threshold = 0;
  FlowStr label{"", 0};
  int64_t since = 0;
  int64_t span = 0;
};

FlowPipeline params_pipeline(Slots* s, std::vector<FlowParamDesc>* params) {
  *params = {
      {"flag", FLOW_TYPE_BOOL, &s->flag, 0},
      {"limit", FLOW_TYPE_INT, &s->limit, 0},
      {"threshold", FLOW_TYPE_FLOAT, &s->threshold, 0},
      {"label", FLOW_TYPE_STRING, &s->label, 0},
      {"since", FLOW_TYPE_TIMESTAMP, &s->since, 0},
      {"span", FLOW_TYPE_DURATION, &s->span, 0},
  };
  FlowPipeline p = pipeline_of(nullptr, 0);
  p.params = params->data();
  p.param_count = static_cast<int32_t>(params->size());
  return p;
}

TEST(RuntimeOptions, ParamsAreParsedByTypeIntoTheirSlots) {
  Slots s;
  std::vector<FlowParamDesc> params;
  FlowPipeline p = params_pipeline(&s, &params);
  RunResult r = run(p, {"--param", "flag=true", "--param", "limit=-42", "--param=threshold=2.5",
                        "--param", "label=a=b c", "--param", "since=2026-11-24T08:51:06.123Z",
                        "--param", "span=1_500ms", "--quiet", "-O2"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(s.flag, 1);
  EXPECT_EQ(s.limit, -42);
  EXPECT_EQ(s.threshold, 2.5);
  EXPECT_EQ(std::string(s.label.ptr, static_cast<size_t>(s.label.len)), "a=b c");
  EXPECT_EQ(s.since, 1795510266123);
  EXPECT_EQ(s.span, 1500);
}

TEST(RuntimeOptions, UnknownParamIsAUsageError) {
  Slots s;
  std::vector<FlowParamDesc> params;
  FlowPipeline p = params_pipeline(&s, &params);
  RunResult r = run(p, {"--param", "limt=3"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "flowc: error: unknown param 'limt'; did you mean 'limit'? (params: flag, limit, "
            "threshold, label, since, span)\n");
  EXPECT_EQ(
      run(p, {"--param", "zzz=3"}).err,
      "flowc: error: unknown param 'zzz' (params: flag, limit, threshold, label, since, span)\n");
}

TEST(RuntimeOptions, BadParamValueIsAUsageError) {
  Slots s;
  std::vector<FlowParamDesc> params;
  FlowPipeline p = params_pipeline(&s, &params);
  RunResult r = run(p, {"--param", "limit=12.5"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "flowc: error: param 'limit' expects an int, got '12.5'\n");
  r = run(p, {"--param", "flag=yes"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "flowc: error: param 'flag' expects a bool, got 'yes'\n");
  r = run(p, {"--param", "span=10"});  // a duration carries its unit
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "flowc: error: param 'span' expects a duration such as 250ms, 10s or 5m, got '10'\n");
  r = run(p, {"--param", "limit"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "flowc: error: --param expects NAME=VALUE, got 'limit'\n");
}

// A param that a regex pattern reads was fixed when the program was built:
// refused rather than silently ignored (LANGUAGE.md 13).
TEST(RuntimeOptions, ParamOfARegexPatternIsRefused) {
  Slots s;
  std::vector<FlowParamDesc> params;
  FlowPipeline p = params_pipeline(&s, &params);
  params[3].fixed = "part of a regex pattern, which was compiled when this program was built";
  RunResult r = run(p, {"--param", "label=x+"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "flowc: error: param 'label' is part of a regex pattern, which was compiled when this "
            "program was built; rebuild with flowc build --param label=... (or use flowc run)\n");
  EXPECT_EQ(s.label.len, 0);
}

TEST(RuntimeOptions, OtherUsageErrors) {
  FlowPipeline p = pipeline_of(nullptr, 0);
  EXPECT_EQ(run(p, {"--batch", "10"}).err,
            "flowc: error: --batch expects a duration such as 250ms, 10s, 5m, 2h or 1d, got '10'\n");
  EXPECT_EQ(
      run(p, {"--batch", "0s"}).err,
      "flowc: error: --batch expects a duration such as 250ms, 10s, 5m, 2h or 1d, got '0s'\n");
  EXPECT_EQ(run(p, {"--max-batch-records", "0"}).status, 2);
  EXPECT_EQ(run(p, {"--max-batch-records"}).err,
            "flowc: error: option '--max-batch-records' needs a value\n");
  EXPECT_EQ(run(p, {"--frobnicate"}).err,
            "flowc: error: unknown option '--frobnicate' (see --help)\n");
  EXPECT_EQ(run(p, {"extra.flow"}).status, 2);
}

TEST(RuntimeOptions, MisspeltOptionsGetADidYouMean) {
  FlowPipeline p = pipeline_of(nullptr, 0);
  EXPECT_EQ(run(p, {"--parm", "x=1"}).err,
            "flowc: error: unknown option '--parm'; did you mean '--param'? (see --help)\n");
  EXPECT_EQ(run(p, {"--max-batch-record=5"}).err,
            "flowc: error: unknown option '--max-batch-record'; did you mean "
            "'--max-batch-records'? (see --help)\n");
  EXPECT_EQ(run(p, {"-quiet"}).err,
            "flowc: error: unknown option '-quiet'; did you mean '--quiet'? (see --help)\n");
  EXPECT_EQ(run(p, {"--checkpoints", "ck"}).status, 2);
}

TEST(RuntimeOptions, HelpListsParamsWithTypeAndDefault) {
  Slots s;
  s.flag = 1;
  s.limit = -42;
  s.threshold = 2.5;
  s.label = FlowStr{"a \"b\"", 5};
  s.since = 1795510266123;
  std::vector<FlowParamDesc> params;
  FlowPipeline p = params_pipeline(&s, &params);
  params[3].fixed = "part of a regex pattern, which was compiled when this program was built";
  RunResult r = run(p, {"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("\nparams (--param NAME=VALUE):\n"
                       "  flag: bool = true\n"
                       "  limit: int = -42\n"
                       "  threshold: float = 2.5\n"
                       "  label: string = \"a \\\"b\\\"\"  (fixed when this program was built)\n"
                       "  since: timestamp = 2026-11-24T08:51:06.123Z\n"),
            std::string::npos)
      << r.out;
}

TEST(RuntimeOptions, HelpPrintsUsageAndExitsZero) {
  FlowPipeline p = pipeline_of(nullptr, 0);
  RunResult r = run(p, {"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--max-batch-records N"), std::string::npos);
}

TEST(RuntimeOptions, CheckpointWritesTheDirectory) {
  // runtime_checkpoint_*_test.cpp test what goes into it.
  TempDir dir;
  FlowPipeline p = pipeline_of(nullptr, 0);
  RunResult r = run(p, {"--checkpoint", dir.file("ck"), "--quiet"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(std::filesystem::exists(dir.file("ck/checkpoint")));
  RunResult missing = run(p, {"--checkpoint"});
  EXPECT_EQ(missing.status, 2);
}

TEST(RuntimeOptions, Durations) {
  int64_t ms = 0;
  EXPECT_TRUE(flowrt::parse_duration_ms("250ms", &ms));
  EXPECT_EQ(ms, 250);
  EXPECT_TRUE(flowrt::parse_duration_ms("10s", &ms));
  EXPECT_EQ(ms, 10'000);
  EXPECT_TRUE(flowrt::parse_duration_ms("5m", &ms));
  EXPECT_EQ(ms, 300'000);
  EXPECT_TRUE(flowrt::parse_duration_ms("2h", &ms));
  EXPECT_EQ(ms, 7'200'000);
  EXPECT_TRUE(flowrt::parse_duration_ms("1d", &ms));
  EXPECT_EQ(ms, 86'400'000);
  EXPECT_TRUE(flowrt::parse_duration_ms("1_000ms", &ms));
  EXPECT_EQ(ms, 1000);
  EXPECT_TRUE(flowrt::parse_duration_ms("0s", &ms));  // a duration param may be 0
  EXPECT_EQ(ms, 0);
  for (const char* bad : {"", "s", "10", "1.5s", "-1s", "10sec", "_1s"}) {
    EXPECT_FALSE(flowrt::parse_duration_ms(bad, &ms)) << bad;
  }
}

TEST(RuntimeOptions, KafkaSourceWithoutOptionsIsAClearRuntimeError) {
  FlowSourceDesc src{};
  src.name = "events";
  src.kind = FLOW_SOURCE_KAFKA;
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.err, "flowc: error: kafka source 'events': brokers, topic and group are required\n");
}

}  // namespace
