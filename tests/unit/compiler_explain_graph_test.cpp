// `flowc explain --graph` for the stages of LANGUAGE.md 13: each new stage
// is a node with what it does (a top per window or per batch, emit all,
// window batch, emit expired), wired in stream order.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "driver/frontend.h"
#include "plan/explain.h"

namespace {

const char* kProgram = R"(
source v = file("views.csv") format csv(header: true)
  schema { ts: timestamp format "%Y-%m-%d %H:%M:%S", page: string }
  event_time ts
stream counts = v | window tumbling 10s | group by page | aggregate n = count() | top 2 by n
stream live = v | group by page | aggregate n = count() emit all
stream live_top = live | top 3 by n asc
stream per_batch = v | window batch | aggregate n = count()
stream sessions = v | group by page | update n: int = 0 { n += 1; if (n > 9) { delete } }
  emit updated, expired expire after 1m
sink counts to stdout
)";

std::string graph(flowc::plan::GraphKind kind) {
  // One file per test: ctest runs the tests of this file at once.
  const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string path = ::testing::TempDir() + "graph_test_" + test + ".flow";
  std::ofstream(path) << kProgram;
  std::ostringstream err;
  flowc::FrontendResult r = flowc::run_frontend(path, {}, err);
  std::remove(path.c_str());
  EXPECT_TRUE(r.pipeline) << err.str();
  std::ostringstream out;
  if (r.pipeline) flowc::plan::explain_graph(*r.pipeline, kind, out);
  return out.str();
}

TEST(ExplainGraph, MermaidNamesTheNewStages) {
  std::string g = graph(flowc::plan::GraphKind::Mermaid);
  EXPECT_NE(g.find("counts_1[\"counts: top 2 per window\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("live_0[\"live: aggregate emit all\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("live_top_0[\"live_top: top 3 per batch\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("per_batch_0[\"per_batch: window batch<br/>aggregate\"]"), std::string::npos)
      << g;
  EXPECT_NE(g.find("sessions_0[\"sessions: update emit expired\"]"), std::string::npos) << g;
  EXPECT_NE(g.find("counts_0 --> counts_1"), std::string::npos) << g;
  EXPECT_NE(g.find("live_0 --> live_top_0"), std::string::npos) << g;
}

TEST(ExplainGraph, DotNamesTheNewStages) {
  std::string g = graph(flowc::plan::GraphKind::Dot);
  EXPECT_NE(g.find("\"counts_1\" [label=\"counts: top 2 per window\", shape=box];"),
            std::string::npos)
      << g;
  EXPECT_NE(g.find("\"live_0\" -> \"live_top_0\";"), std::string::npos) << g;
}

}  // namespace
