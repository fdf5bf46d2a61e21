// The regex format and regex_match/regex_extract, the ABI symbol table,
// tables read before the first batch, and flow_set_watermark.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <regex>
#include <set>

#include "abi_symbols.h"
#include "runtime_test_support.h"

using namespace rt_test;

namespace {

std::vector<std::vector<std::string>> g_fields;
std::vector<int> g_matched;

TEST(RuntimeRegex, NamedGroupsFillSchemaFieldsAndMissingGroupsAreEmpty) {
  g_fields.clear();
  g_matched.clear();
  TempDir dir;
  std::string in = dir.file("access.log");
  write_file(in, "GET /a 200\n\nPOST /b x\n");
  static const FlowColumn fields[] = {
      {"status", FLOW_TYPE_INT}, {"method", FLOW_TYPE_STRING}, {"user", FLOW_TYPE_STRING}};
  FlowSourceDesc src = text_source(
      "log", FLOW_SOURCE_FILE, FLOW_FORMAT_REGEX, in.c_str(),
      [](FlowContext* ctx, const FlowBatch*, const FlowRecord* recs, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          FlowStr out[3];
          int ok = flow_regex_fields(ctx, 0, &recs[i], out);
          g_matched.push_back(ok);
          if (!ok) continue;
          std::vector<std::string> row;
          for (auto& s : out) row.emplace_back(s.ptr, static_cast<size_t>(s.len));
          g_fields.push_back(row);
        }
      });
  src.regex = "(?P<method>[A-Z]+) (?P<path>\\S+) (?P<status>\\d+)";
  src.fields = fields;
  src.field_count = 3;
  FlowPipeline p = pipeline_of(&src, 1);
  EXPECT_EQ(run(p, {"--quiet"}).status, 0);
  EXPECT_EQ(g_matched, (std::vector<int>{1, 0}));  // blank line skipped
  ASSERT_EQ(g_fields.size(), 1u);
  EXPECT_EQ(g_fields[0], (std::vector<std::string>{"200", "GET", ""}));
}

TEST(RuntimeRegex, InvalidPatternIsARuntimeError) {
  TempDir dir;
  std::string in = dir.file("x.log");
  write_file(in, "");
  FlowSourceDesc src = text_source("log", FLOW_SOURCE_FILE, FLOW_FORMAT_REGEX, in.c_str(),
                                   collect_process);
  src.regex = "(unclosed";
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 3);
  EXPECT_TRUE(r.err.starts_with("flowc: error: source 'log': invalid regex: ")) << r.err;
}

TEST(RuntimeRegex, MatchSearchesAndExtractReturnsAGroup) {
  const char* pat = "(\\d+)-(\\d+)";
  void* re = flow_regex_compile(pat, static_cast<int64_t>(std::strlen(pat)));
  ASSERT_NE(re, nullptr);
  std::string s = "id 12-345 end";
  EXPECT_EQ(flow_regex_match(re, s.data(), static_cast<int64_t>(s.size())), 1);
  EXPECT_EQ(flow_regex_match(re, "none", 4), 0);
  FlowStr out;
  flow_regex_extract(nullptr, re, s.data(), static_cast<int64_t>(s.size()), 2, &out);
  EXPECT_EQ(std::string(out.ptr, static_cast<size_t>(out.len)), "345");
  flow_regex_extract(nullptr, re, s.data(), static_cast<int64_t>(s.size()), 0, &out);
  EXPECT_EQ(std::string(out.ptr, static_cast<size_t>(out.len)), "12-345");
  flow_regex_extract(nullptr, re, "none", 4, 1, &out);
  EXPECT_EQ(out.len, 0);
  flow_regex_extract(nullptr, re, s.data(), static_cast<int64_t>(s.size()), 7, &out);
  EXPECT_EQ(out.len, 0);
  EXPECT_EQ(flow_regex_compile("(", 1), nullptr);
}

TEST(RuntimeAbi, SymbolTableListsEveryAbiFunctionOnce) {
  std::set<std::string> names;
  for (size_t i = 0; i < flow_abi_symbol_count; ++i) {
    EXPECT_NE(flow_abi_symbols[i].address, nullptr);
    EXPECT_TRUE(names.insert(flow_abi_symbols[i].name).second) << flow_abi_symbols[i].name;
  }
  // Every function abi.h declares, and udf.h (which abi.h includes: what
  // C++ functions call), read from the headers' text: a declaration is a
  // line `TYPE flow_NAME(` outside comments.
  std::set<std::string> declared;
  std::regex declaration(R"(^[A-Za-z_][A-Za-z0-9_ *]*[ *](flow_[a-z0-9_]+)\()");
  for (const char* path : {FLOWC_ABI_HEADER, FLOWC_UDF_HEADER}) {
    std::ifstream header(path);
    ASSERT_TRUE(header) << path;
    for (std::string line; std::getline(header, line);) {
      std::smatch m;
      if (std::regex_search(line, m, declaration)) declared.insert(m[1]);
    }
  }
  EXPECT_GE(declared.size(), 20u);
  EXPECT_EQ(names, declared);
}

std::vector<int64_t> g_watermarks;
std::vector<std::string> g_order;

TEST(RuntimeAbi, WatermarkSetInEndBatchIsTheNextBatchStartWatermark) {
  g_watermarks.clear();
  TempDir dir;
  std::string in = dir.file("in.txt");
  write_file(in, "1\n2\n3\n");
  FlowSourceDesc src = text_source(
      "s", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, in.c_str(),
      [](FlowContext*, const FlowBatch* b, const FlowRecord*, int64_t) {
        g_watermarks.push_back(b->watermark_at_start);
      });
  FlowPipeline p = pipeline_of(&src, 1);
  p.end_batch = [](FlowContext* ctx, const FlowBatch* b, int32_t) {
    flow_set_watermark(ctx, 1000 * (b->number + 1));
  };
  EXPECT_EQ(run(p, {"--quiet", "--max-batch-records", "1"}).status, 0);
  EXPECT_EQ(g_watermarks, (std::vector<int64_t>{INT64_MIN, 1000, 2000}));
}

TEST(RuntimeAbi, TablesAreReadWholeBeforeTheFirstBatch) {
  g_order.clear();
  TempDir dir;
  std::string t = dir.file("table.csv"), s = dir.file("stream.txt");
  write_file(t, "k,v\nk1,v1\nk2,v2\n");
  write_file(s, "x\n");
  auto process = [](FlowContext*, const FlowBatch*, const FlowRecord* recs, int64_t n) {
    for (int64_t i = 0; i < n; ++i) g_order.emplace_back(recs[i].ptr, static_cast<size_t>(recs[i].len));
  };
  FlowSourceDesc srcs[2] = {
      text_source("stream", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, s.c_str(), process),
      text_source("table", int32_t{FLOW_SOURCE_FILE} | int32_t{FLOW_SOURCE_TABLE_BIT}, FLOW_FORMAT_CSV, t.c_str(),
                  process)};
  srcs[1].csv_header = 1;
  FlowPipeline p = pipeline_of(srcs, 2);
  EXPECT_EQ(run(p, {"--quiet"}).status, 0);
  EXPECT_EQ(g_order, (std::vector<std::string>{"k1,v1", "k2,v2", "x"}));
}

}  // namespace
