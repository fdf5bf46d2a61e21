// tests/unit/compiler_union_join_plan_test.cpp — what sema decides for
// union(...) and `join S on F within D` (LANGUAGE.md 13): a union's inputs
// and their field order, the clocks (sources, and the lag a join adds),
// the join's output schema and miss values, and the edges of
// `explain --graph`.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "driver/frontend.h"
#include "plan/explain.h"

namespace {

using namespace flowc;

constexpr const char* kFlow = R"(
source a = file("a.csv") format csv schema { host: string, n: int, ts: timestamp } event_time ts
source b = file("b.csv") format csv schema { ts: timestamp, host: string, n: int } event_time ts watermark 5s
source c = file("c.csv") format csv schema { host: string, c_ts: timestamp, price: float = 2.5, ok: bool } event_time c_ts
stream b2 = b | where n > 0
stream u = union(a, b2)
stream j = u | left join c on host within 1m
stream k = j | select host, n | join c on host within 10s | where n > 1
stream d = c | select host, d_ts = c_ts, note = "x"
stream m = u | left join d on host within 2s
)";

plan::Pipeline check(const std::string& text) {
  char path[] = "/tmp/flowc_union_join_XXXXXX.flow";
  int fd = mkstemps(path, 5);
  EXPECT_GE(fd, 0);
  std::ofstream(path) << text;
  std::ostringstream err;
  FrontendResult r = run_frontend(path, FrontendOptions{}, err);
  std::remove(path);
  EXPECT_TRUE(r.pipeline.has_value()) << err.str();
  return r.pipeline ? std::move(*r.pipeline) : plan::Pipeline{};
}

const plan::Stream& stream(const plan::Pipeline& p, const std::string& name) {
  for (const plan::Stream& s : p.streams) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no stream " << name;
  static plan::Stream none;
  return none;
}

TEST(UnionJoinPlan, UnionInputsKeepTheFirstInputsFieldOrder) {
  plan::Pipeline p = check(kFlow);
  const plan::Stream& u = stream(p, "u");
  ASSERT_EQ(u.inputs.size(), 2u);
  EXPECT_EQ(u.input_name, "union(a, b2)");
  EXPECT_EQ(u.inputs[0].kind, plan::Input::Source);
  EXPECT_TRUE(u.inputs[0].order.empty());  // a is the first input
  EXPECT_EQ(u.inputs[1].kind, plan::Input::Stream);
  // b2 is { ts, host, n }: host is its field 1, n 2, ts 0.
  EXPECT_EQ(u.inputs[1].order, (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(u.output.names(), (std::vector<std::string>{"host", "n", "ts"}));
  // Event time from both sources; the union's watermark is the least.
  EXPECT_TRUE(u.clock.event_time);
  EXPECT_EQ(u.clock.sources, (std::vector<int>{0, 1}));
  EXPECT_TRUE(u.clock.lags.empty());
}

TEST(UnionJoinPlan, JoinsAppendTheOtherSidesFieldsAndLagByWithin) {
  plan::Pipeline p = check(kFlow);
  const plan::Stream& j = stream(p, "j");
  ASSERT_EQ(j.stages.size(), 1u);
  const auto* join = j.stages[0].as<plan::IntervalJoinStage>();
  ASSERT_NE(join, nullptr);
  EXPECT_TRUE(join->left);
  EXPECT_EQ(join->within_ms, 60'000);
  EXPECT_EQ(join->other_fields, (std::vector<int>{1, 2, 3}));  // c's fields but host
  EXPECT_EQ(j.output.names(), (std::vector<std::string>{"host", "n", "ts", "c_ts", "price", "ok"}));
  EXPECT_EQ(j.output.fields[4].qualifier, "c");
  // A miss takes c's defaults (a source): price 2.5; c_ts and ok have none.
  ASSERT_EQ(join->miss_values.size(), 3u);
  EXPECT_EQ(join->miss_values[0].type, plan::Type::Timestamp);
  EXPECT_EQ(join->miss_values[0].i, 0);
  EXPECT_EQ(join->miss_values[1].f, 2.5);
  EXPECT_EQ(join->miss_values[2].type, plan::Type::Bool);
  // Both sides' watermark: a, b and c; the rows after the join lag by 1m.
  EXPECT_EQ(join->both.sources, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(join->both.lags.empty());
  EXPECT_EQ(j.clock.sources, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(j.clock.lags, (std::vector<int64_t>{60'000, 60'000, 60'000}));

  // A second join: its left rows lag 1m, c itself none; its output adds 10s.
  const plan::Stream& k = stream(p, "k");
  ASSERT_EQ(k.stages.size(), 3u);
  const auto* second = k.stages[1].as<plan::IntervalJoinStage>();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->both.lags, (std::vector<int64_t>{60'000, 60'000, 60'000}));  // c: max(1m, 0)
  EXPECT_EQ(k.stages[1].clock.lags, (std::vector<int64_t>{60'000, 60'000, 60'000}));
  EXPECT_EQ(k.stages[2].clock.lags, (std::vector<int64_t>{70'000, 70'000, 70'000}));
  EXPECT_EQ(k.clock.lags, (std::vector<int64_t>{70'000, 70'000, 70'000}));
}

TEST(UnionJoinPlan, AMissFromAStreamTakesZeros) {
  plan::Pipeline p = check(kFlow);
  const auto* join = stream(p, "m").stages[0].as<plan::IntervalJoinStage>();
  ASSERT_NE(join, nullptr);
  ASSERT_EQ(join->miss_values.size(), 2u);  // d_ts, note
  EXPECT_EQ(join->miss_values[0].type, plan::Type::Timestamp);
  EXPECT_EQ(join->miss_values[0].i, 0);
  EXPECT_EQ(join->miss_values[1].type, plan::Type::String);
  EXPECT_EQ(join->miss_values[1].s, "");
}

TEST(UnionJoinPlan, GraphHasAnEdgeFromEachInput) {
  plan::Pipeline p = check(kFlow);
  std::ostringstream mermaid, dot;
  plan::explain_graph(p, plan::GraphKind::Mermaid, mermaid);
  plan::explain_graph(p, plan::GraphKind::Dot, dot);
  const std::string g = mermaid.str();
  EXPECT_NE(g.find("u_union[\"u: union\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("source_a --> u_union"), std::string::npos) << g;
  EXPECT_NE(g.find("b2_0 --> u_union"), std::string::npos) << g;  // b2's `where`
  EXPECT_NE(g.find("u_union --> j_0"), std::string::npos) << g;
  EXPECT_NE(g.find("source_c --> j_0"), std::string::npos) << g;  // the join's other input
  EXPECT_NE(g.find("j_0[\"j: left join c within 1m\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("d_0 --> m_0"), std::string::npos) << g;
  EXPECT_NE(dot.str().find("\"source_c\" -> \"j_0\";"), std::string::npos) << dot.str();
}

}  // namespace
