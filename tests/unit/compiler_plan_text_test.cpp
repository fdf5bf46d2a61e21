// What a checkpoint's fingerprint covers (codegen.h pipeline_plan_text):
// the sources, schemas, stages and sinks that shape its state, and not
// the lines of explain that say how sources run — which threads run them,
// whether the scan reads ahead for a join — since a newer flowc may decide
// those differently for the same pipeline and still write the same state.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "codegen/codegen.h"
#include "driver/frontend.h"
#include "plan/explain.h"

namespace {

// A JSON source joined with a table on its own string field (read ahead)
// into an update (every thread).
const char* kProgram = R"(
source views = file("views.jsonl") format json
  schema { ad: string, kind: string, ts: timestamp }
  event_time ts
table ads = file("ads.csv") format csv(header: true) schema { ad: string, campaign: string } key ad
stream seen = views | where kind == "view" | join ads on ad
stream totals = seen | group by campaign | update n: int = 0 { n += 1 }
sink totals to stdout
)";

flowc::plan::Pipeline pipeline(const std::string& program) {
  std::string path = ::testing::TempDir() + "plan_text_test.flow";
  std::ofstream(path) << program;
  std::ostringstream err;
  flowc::FrontendResult r = flowc::run_frontend(path, {}, err);
  std::remove(path.c_str());
  EXPECT_TRUE(r.pipeline) << err.str();
  return r.pipeline ? std::move(*r.pipeline) : flowc::plan::Pipeline{};
}

TEST(PlanText, LeavesOutHowSourcesRun) {
  flowc::plan::Pipeline p = pipeline(kProgram);
  std::ostringstream explained;
  flowc::plan::explain(p, explained);
  ASSERT_NE(explained.str().find("\n  threads: every\n"), std::string::npos) << explained.str();
  ASSERT_NE(explained.str().find("\n  read ahead: "), std::string::npos) << explained.str();

  const std::string text = flowc::codegen::pipeline_plan_text(p);
  EXPECT_EQ(text.find("threads:"), std::string::npos) << text;
  EXPECT_EQ(text.find("read ahead"), std::string::npos) << text;
  // Everything else of the body stays, in order.
  EXPECT_EQ(text.find("source views = file(\"views.jsonl\") format json\n"), 0u) << text;
  EXPECT_NE(text.find("  event_time ts watermark 0ms\n  on_error skip\n\ntable ads"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  | update n: int = 0 {"), std::string::npos) << text;
  EXPECT_NE(text.find("sink totals to stdout"), std::string::npos) << text;
}

}  // namespace
