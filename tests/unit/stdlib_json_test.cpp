// Tests for stdlib/json.cpp: field extraction from one JSON-lines record.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "flow_stdlib.h"

namespace {

struct Result {
  int32_t err;
  std::vector<int32_t> kinds;
  std::vector<std::string> values;
};

class StdlibJson : public ::testing::Test {
 protected:
  void TearDown() override { flow_arena_free(&arena_); }

  Result fields(const std::string& rec, const std::vector<std::string>& want) {
    std::vector<FlowStr> names;
    for (const auto& w : want) names.push_back({w.data(), (int64_t)w.size()});
    std::vector<FlowStr> values(want.size());
    std::vector<int32_t> kinds(want.size(), -1);
    // An exact-size heap copy so that AddressSanitizer/valgrind would catch
    // any read past the end.
    std::vector<char> buf(rec.begin(), rec.end());
    Result r;
    r.err = flow_json_fields(buf.data(), buf.size(), names.data(),
                             names.size(), values.data(), kinds.data(),
                             &arena_);
    r.kinds = kinds;
    for (const auto& v : values) {
      r.values.emplace_back(v.ptr, static_cast<size_t>(v.len));
    }
    return r;
  }

  int32_t err(const std::string& rec) { return fields(rec, {"a"}).err; }

  FlowArena arena_{};
};

std::string nested(int depth) {
  return "{\"x\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') +
         "}";
}

}  // namespace

TEST_F(StdlibJson, ScalarKindsAndValues) {
  Result r = fields(
      R"({"s":"hi","i":-12,"f":1.5e3,"t":true,"n":null,"b":false,"o":{"k":[1,2]}})",
      {"s", "i", "f", "t", "n", "b", "o", "missing"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.kinds, (std::vector<int32_t>{
                         FLOW_JSON_STRING, FLOW_JSON_NUMBER, FLOW_JSON_NUMBER,
                         FLOW_JSON_TRUE, FLOW_JSON_NULL, FLOW_JSON_FALSE,
                         FLOW_JSON_NESTED, FLOW_JSON_MISSING}));
  EXPECT_EQ(r.values[0], "hi");
  EXPECT_EQ(r.values[1], "-12");
  EXPECT_EQ(r.values[2], "1.5e3");
  EXPECT_EQ(r.values[3], "true");
  EXPECT_EQ(r.values[4], "null");
  EXPECT_EQ(r.values[5], "false");
  EXPECT_EQ(r.values[6], R"({"k":[1,2]})");
  EXPECT_EQ(r.values[7], "");
}

TEST_F(StdlibJson, WhitespaceEverywhere) {
  Result r = fields(" \t{ \"a\" :\n 1 , \"b\" : [ ] , \"c\" : { } }\r\n ",
                    {"a", "b", "c"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], "1");
  EXPECT_EQ(r.values[1], "[ ]");
  EXPECT_EQ(r.values[2], "{ }");
}

TEST_F(StdlibJson, EmptyObjectAndNoNames) {
  Result r = fields("{}", {"a"});
  EXPECT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.kinds[0], FLOW_JSON_MISSING);
  EXPECT_EQ(fields(R"({"a":1})", {}).err, FLOW_JSON_OK);
}

TEST_F(StdlibJson, DuplicateKeysLastWins) {
  Result r = fields(R"({"a":1,"b":2,"a":"x"})", {"a"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.kinds[0], FLOW_JSON_STRING);
  EXPECT_EQ(r.values[0], "x");
}

TEST_F(StdlibJson, NamesMatchExactBytesInAnyOrder) {
  Result r = fields(R"({"B":1,"ab":2,"a":3,"b":4})", {"b", "a", "A"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], "4");
  EXPECT_EQ(r.values[1], "3");
  EXPECT_EQ(r.kinds[2], FLOW_JSON_MISSING);
}

// A name that differs from the key in any one byte, at any length, must
// not match (the key order hint included).
TEST_F(StdlibJson, NamesDifferingInOneByteDoNotMatchAtAnyLength) {
  for (size_t len = 1; len <= 24; ++len) {
    std::string key;
    for (size_t i = 0; i < len; ++i) key += static_cast<char>('a' + i);
    for (size_t at = 0; at < len; ++at) {
      std::string other = key;
      other[at] = 'Z';
      Result r = fields("{\"" + other + "\":1,\"" + key + "\":2}", {key, other});
      ASSERT_EQ(r.err, FLOW_JSON_OK) << len << " " << at;
      EXPECT_EQ(r.values[0], "2") << len << " " << at;
      EXPECT_EQ(r.values[1], "1") << len << " " << at;
    }
  }
}

TEST_F(StdlibJson, StringEscapes) {
  Result r = fields(R"({"a":"q\"b\\s\/n\nt\tr\rb\bf\f"})", {"a"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], "q\"b\\s/n\nt\tr\rb\bf\f");
}

TEST_F(StdlibJson, UnicodeEscapesBecomeUtf8) {
  Result r = fields(
      R"({"a":"\u00e9\u20AC\ud83d\ude00x","b":"\u0000","c":"\u0041"})",
      {"a", "b", "c"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x");  // é € 😀
  EXPECT_EQ(r.values[1], std::string("\0", 1));
  EXPECT_EQ(r.values[2], "A");
}

TEST_F(StdlibJson, EscapedKeysAreMatchedUnescaped) {
  Result r = fields(R"({"\u0061":1,"x\"y":2})", {"a", "x\"y"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], "1");
  EXPECT_EQ(r.values[1], "2");
}

TEST_F(StdlibJson, RawUtf8IsKept) {
  Result r = fields("{\"k\xc3\xa9\":\"\xe6\x97\xa5\xf0\x9f\x98\x80\"}",
                    {"k\xc3\xa9"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], "\xe6\x97\xa5\xf0\x9f\x98\x80");
}

TEST_F(StdlibJson, LongStringsCrossTheWordScan) {
  std::string body(1000, 'x');
  body[500] = '"';  // an escaped quote in the middle
  std::string escaped = body.substr(0, 500) + "\\\"" + body.substr(501);
  Result r = fields("{\"a\":\"" + escaped + "\",\"b\":\"" + std::string(37, 'y') +
                        "\"}",
                    {"a", "b"});
  ASSERT_EQ(r.err, FLOW_JSON_OK);
  EXPECT_EQ(r.values[0], body);
  EXPECT_EQ(r.values[1], std::string(37, 'y'));
}

// The string scan steps 16 (or 8) bytes at a time: a byte that needs a
// look — control character, invalid UTF-8, valid UTF-8, an escape, the
// closing quote — must be caught at every offset of a long body.
TEST_F(StdlibJson, SpecialBytesAreFoundAtEveryOffsetOfALongString) {
  for (size_t at = 0; at < 40; ++at) {
    std::string body(40, 'x');
    std::string ctrl = body, bad = body;
    ctrl[at] = '\x01';
    bad[at] = '\xff';
    EXPECT_EQ(err("{\"a\":\"" + ctrl + "\"}"), FLOW_JSON_MALFORMED) << at;
    EXPECT_EQ(err("{\"a\":\"" + bad + "\"}"), FLOW_JSON_INVALID_UTF8) << at;
    std::string utf8 = body.substr(0, at) + "\xc3\xa9" + body.substr(at);
    Result r = fields("{\"a\":\"" + utf8 + "\"}", {"a"});
    ASSERT_EQ(r.err, FLOW_JSON_OK) << at;
    EXPECT_EQ(r.values[0], utf8);
    std::string esc = body.substr(0, at) + "\\n" + body.substr(at);
    r = fields("{\"a\":\"" + esc + "\",\"b\":1}", {"a", "b"});
    ASSERT_EQ(r.err, FLOW_JSON_OK) << at;
    EXPECT_EQ(r.values[0], body.substr(0, at) + "\n" + body.substr(at));
    r = fields("{\"a\":\"" + body.substr(0, at) + "\",\"b\":\"" + body + "\"}", {"a", "b"});
    ASSERT_EQ(r.err, FLOW_JSON_OK) << at;
    EXPECT_EQ(r.values[0], body.substr(0, at));
    EXPECT_EQ(r.values[1], body);
  }
}

TEST_F(StdlibJson, Numbers) {
  for (const char* ok : {"0", "-0", "12", "-1.5", "1e5", "1E+5", "1.25e-3",
                         "9223372036854775808"}) {
    Result r = fields(std::string("{\"a\":") + ok + "}", {"a"});
    EXPECT_EQ(r.err, FLOW_JSON_OK) << ok;
    EXPECT_EQ(r.values[0], ok);
  }
  for (const char* bad : {"01", "+1", "1.", ".5", "1e", "1e+", "-", "--1",
                          "0x1", "NaN", "Infinity", "1.5.2", "1e5e5"}) {
    EXPECT_EQ(err(std::string("{\"a\":") + bad + "}"), FLOW_JSON_MALFORMED)
        << bad;
  }
}

TEST_F(StdlibJson, NotAnObject) {
  for (const char* rec : {"[1,2]", "\"x\"", "1", "true", "null", "-1"}) {
    EXPECT_EQ(err(rec), FLOW_JSON_NOT_OBJECT) << rec;
  }
}

TEST_F(StdlibJson, Malformed) {
  for (const char* rec :
       {"", "   ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}",
        "{,}", "{\"a\":1 \"b\":2}", "{a:1}", "{'a':1}", "{\"a\":1}}",
        "{\"a\":1}x", "{\"a\":1} {}", "{\"a\":[1,]}", "{\"a\":[1 2]}",
        "{\"a\":{\"b\"}}", "{\"a\":{\"b\":1,}}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":truex}", "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12G4\"}", "{\"a\":\"tab\there\"}", "{\"a\":[}",
        "{\"a\":[[]]]}", "{\"a\":{]}", "{\"a\":\"\\\"}", "{\"a\":1,\"b\"",
        "x"}) {
    EXPECT_EQ(err(rec), FLOW_JSON_MALFORMED) << rec;
  }
}

TEST_F(StdlibJson, TruncatedInputAtEveryLength) {
  const std::string rec =
      R"({"a":"h\u00e9\ud83d\ude00","b":[1,{"c":null}],"d":-1.5e3,"e":true})";
  ASSERT_EQ(err(rec), FLOW_JSON_OK);
  for (size_t n = 0; n < rec.size(); ++n) {
    int32_t e = err(rec.substr(0, n));
    EXPECT_NE(e, FLOW_JSON_OK) << n;
  }
}

TEST_F(StdlibJson, InvalidUtf8AnywhereIsRejected) {
  for (const char* rec :
       {"{\"a\":\"\xff\"}",           // never valid
        "{\"b\":\"\xc3\"}",           // missing continuation (ignored field)
        "{\"a\":\"\xc0\xaf\"}",       // overlong '/'
        "{\"a\":\"\xe0\x80\xaf\"}",   // overlong 3-byte
        "{\"a\":\"\xed\xa0\x80\"}",   // UTF-16 surrogate as UTF-8
        "{\"a\":\"\xf4\x90\x80\x80\"}",  // above U+10FFFF
        "{\"a\":\"\xf8\x88\x80\x80\x80\"}",
        "{\"\xff\":1}",               // in a key
        "{\"a\":[\"ok\",{\"x\":\"\x80\"}]}",  // deep in an ignored value
        "{\"a\":1}\xff",              // after the object
        "{\"a\":\"\\ud800\"}",        // lone high surrogate escape
        "{\"a\":\"\\udc00\"}",        // lone low surrogate escape
        "{\"a\":\"\\ud800\\u0041\"}"}) {
    EXPECT_EQ(err(rec), FLOW_JSON_INVALID_UTF8) << rec;
  }
}

TEST_F(StdlibJson, NestingLimitCountsEveryLevel) {
  EXPECT_EQ(err(nested(1000)), FLOW_JSON_OK);        // the object + 999 arrays
  EXPECT_EQ(err(nested(1001)), FLOW_JSON_TOO_DEEP);  // even in an ignored field
  EXPECT_EQ(fields(nested(1001), {"x"}).err, FLOW_JSON_TOO_DEEP);
  EXPECT_EQ(err("{\"x\":" + std::string(100000, '[')), FLOW_JSON_TOO_DEEP);
  EXPECT_EQ(err("{\"x\":" + std::string(500, '[')), FLOW_JSON_MALFORMED);
  std::string objs = "{";
  for (int i = 0; i < 1000; ++i) objs += "\"k\":{";
  EXPECT_EQ(err(objs + std::string(1001, '}')), FLOW_JSON_TOO_DEEP);
}

TEST_F(StdlibJson, ErrorTexts) {
  EXPECT_STREQ(flow_json_error_text(FLOW_JSON_MALFORMED), "malformed JSON");
  EXPECT_STREQ(flow_json_error_text(FLOW_JSON_INVALID_UTF8), "invalid UTF-8");
  EXPECT_NE(flow_json_error_text(FLOW_JSON_TOO_DEEP), nullptr);
  EXPECT_NE(flow_json_error_text(FLOW_JSON_NOT_OBJECT), nullptr);
  EXPECT_NE(flow_json_error_text(12345), nullptr);
}

TEST_F(StdlibJson, RandomBytesNeverCrash) {
  // A small in-process fuzz: mutations of a valid record and pure noise.
  std::mt19937_64 rng(12345);
  const std::string seed =
      R"({"a":"x\u00e9\"","b":[1,2.5,{"c":[true,false,null]}],"d":-0.5e-3})";
  const char alphabet[] = "{}[]\",:\\u0aeE+-.tfn \xc3\xa9\xff\x80";
  for (int iter = 0; iter < 20000; ++iter) {
    std::string rec = seed;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % (rec.size() + 1);
      char c = alphabet[rng() % (sizeof(alphabet) - 1)];
      switch (rng() % 3) {
        case 0: if (pos < rec.size()) rec[pos] = c; break;
        case 1: rec.insert(rec.begin() + pos, c); break;
        default: if (pos < rec.size()) rec.erase(pos, 1); break;
      }
    }
    Result r = fields(rec, {"a", "b", "c", "d"});
    ASSERT_GE(r.err, 0);
    ASSERT_LE(r.err, FLOW_JSON_TOO_DEEP);
    flow_arena_reset(&arena_);
  }
  for (int iter = 0; iter < 5000; ++iter) {
    std::string rec(rng() % 64, '\0');
    for (char& c : rec) c = static_cast<char>(rng());
    if (iter % 2) rec[0] = '{';
    fields(rec, {"a"});
  }
}

// The UTF-8 check that JSON input and .flow files are held to (RFC 3629).
TEST(StdlibUtf8, InvalidAtNamesTheFirstBadByte) {
  auto at = [](const std::string& s) { return flow_utf8_invalid_at(s.data(), static_cast<int64_t>(s.size())); };
  EXPECT_EQ(at("plain ascii"), -1);
  EXPECT_EQ(at("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), -1);  // é € 😀
  EXPECT_EQ(at("a\xff" "b"), 1);
  EXPECT_EQ(at("ab\xe2\x82"), 2);          // truncated at the end
  EXPECT_EQ(at("\xc0\xaf"), 0);            // overlong '/'
  EXPECT_EQ(at("x\xed\xa0\x80"), 1);       // a surrogate, U+D800
  EXPECT_EQ(at("\xf4\x90\x80\x80"), 0);    // past U+10FFFF
}

// ---- the fast path for flat objects and the SIMD stop index ----

namespace {

struct Levels {
  // Every structure-finding level this CPU runs (stdlib/scan_level.cpp).
  static std::vector<int32_t> all() {
    std::vector<int32_t> out;
    for (int32_t l = FLOW_SIMD_SWAR; l <= flow_simd_cpu_level(); ++l) out.push_back(l);
    return out;
  }
};

// Runs flow_json_fields_path with or without the fast path.
Result run_path(const std::string& rec, const std::vector<std::string>& want, bool fast,
                FlowArena* arena) {
  std::vector<FlowStr> names;
  for (const auto& w : want) names.push_back({w.data(), (int64_t)w.size()});
  std::vector<FlowStr> values(want.size());
  std::vector<int32_t> kinds(want.size(), -1);
  std::vector<char> buf(rec.begin(), rec.end());
  Result r;
  r.err = flow_json_fields_path(buf.data(), buf.size(), names.data(), names.size(), values.data(),
                                kinds.data(), arena, fast ? 1 : 0);
  r.kinds = kinds;
  for (const auto& v : values) r.values.emplace_back(v.ptr, static_cast<size_t>(v.len));
  return r;
}

// A random member value: mostly what the fast path takes, sometimes what it
// must hand to the full scanner (escapes, non-ASCII, nesting, bad text).
std::string random_value(std::mt19937& rng) {
  switch (rng() % 12) {
    case 0: return std::to_string(static_cast<int64_t>(rng()) - (1ll << 31));
    case 1: return "1.5e" + std::to_string(rng() % 40);
    case 2: return "true";
    case 3: return "null";
    case 4: return "[1,{\"x\":\"y\"}]";
    case 5: return "\"a\\\"b\\u00e9\"";
    case 6: return "\"caf\xc3\xa9\"";
    case 7: return "-0.25";
    case 8: return "\"" + std::string(rng() % 130, 'u') + "\"";
    case 9: return "01";  // not JSON
    case 10: return "\"x\x01y\"";  // a control character: not JSON
    default: return "\"" + std::to_string(rng()) + "\"";
  }
}

std::string random_record(std::mt19937& rng, const std::vector<std::string>& keys) {
  std::string r = rng() % 8 == 0 ? " {" : "{";
  int members = static_cast<int>(rng() % 9);
  for (int m = 0; m < members; ++m) {
    if (m > 0) r += rng() % 10 == 0 ? " , " : ",";
    r += "\"" + keys[rng() % keys.size()] + "\"";
    r += rng() % 10 == 0 ? " : " : ":";
    r += random_value(rng);
  }
  r += "}";
  if (rng() % 8 == 0) r += " ";
  // Now and then one byte flipped: most such records are bad, some not.
  if (rng() % 6 == 0 && !r.empty()) r[rng() % r.size()] = static_cast<char>(rng());
  return r;
}

}  // namespace

TEST_F(StdlibJson, FastPathAgreesWithTheFullScannerAtEveryLevel) {
  std::mt19937 rng(2014);
  const std::vector<std::string> keys = {"a", "bb", "ad_id", "event_type", "event_time", "x", ""};
  const std::vector<std::string> want = {"a", "ad_id", "event_type", "", "missing"};
  for (int32_t level : Levels::all()) {
    flow_simd_set_level(level);
    for (int i = 0; i < 4000; ++i) {
      std::string rec = random_record(rng, keys);
      FlowArena a{};
      FlowArena b{};
      Result fast = run_path(rec, want, true, &a);
      Result full = run_path(rec, want, false, &b);
      ASSERT_EQ(fast.err, full.err) << "level " << level << ": " << rec;
      if (full.err == FLOW_JSON_OK) {
        ASSERT_EQ(fast.kinds, full.kinds) << rec;
        ASSERT_EQ(fast.values, full.values) << rec;
      }
      flow_arena_free(&a);
      flow_arena_free(&b);
    }
  }
  flow_simd_set_level(flow_simd_detect());
}

// The stop index covers 512 bytes at a time: strings that end just before,
// at and after each window and word edge are still read whole.
TEST_F(StdlibJson, StringsStraddlingIndexWindowsAtEveryLevel) {
  for (int32_t level : Levels::all()) {
    flow_simd_set_level(level);
    for (int pad = 440; pad <= 1100; pad += 1) {
      std::string v(static_cast<size_t>(pad % 97 + 1), 'v');
      std::string rec = "{\"pad\":\"" + std::string(static_cast<size_t>(pad), 'p') + "\",\"k\":\"" +
                        v + "\",\"e\":\"x\\ty\",\"n\":12345678901234}";
      Result r = fields(rec, {"k", "e", "n", "pad"});
      ASSERT_EQ(r.err, FLOW_JSON_OK) << "level " << level << " pad " << pad;
      EXPECT_EQ(r.values[0], v);
      EXPECT_EQ(r.values[1], "x\ty");
      EXPECT_EQ(r.values[2], "12345678901234");
      EXPECT_EQ(r.values[3].size(), static_cast<size_t>(pad));
    }
  }
  flow_simd_set_level(flow_simd_detect());
}

// The layout path: records laid out like an earlier one are read by
// comparing the bytes between values whole. Whatever the layout learned
// last, every record reads as the full scanner reads it.
namespace {

int64_t test_lookup(const char* key, int64_t len) {
  static const char* kNames[] = {"a", "ad_id", "event_type", "", "missing"};
  for (int64_t i = 0; i < 5; ++i) {
    if (static_cast<int64_t>(strlen(kNames[i])) == len &&
        memcmp(kNames[i], key, static_cast<size_t>(len)) == 0) {
      return i;
    }
  }
  return -1;
}

// A record of one of a few layouts, its values drawn anew; sometimes one
// byte flipped or the layout changed (spacing, order, a member more).
std::string layout_record(std::mt19937& rng) {
  auto str = [&] {
    std::string v(rng() % 40 + 2, "xyz"[rng() % 3]);
    v.front() = v.back() = '"';
    return v;
  };
  auto num = [&] { return std::to_string(static_cast<int64_t>(rng() % 100000000000ll) - 5000); };
  std::string r;
  auto add = [&](std::initializer_list<std::string> parts) {
    for (const std::string& part : parts) r += part;
  };
  switch (rng() % 5) {
    case 0:
    case 1:
      add({"{\"a\":", str(), ",\"ad_id\":", str(), ",\"n\":", num(), ",\"event_type\":", str(),
           "}"});
      break;
    case 2: add({"{ \"ad_id\" : ", str(), " , \"a\": ", num(), ", \"t\":true }"}); break;
    case 3:
      add({"{\"a\":", str(), ",\"ad_id\":", str(), ",\"n\":", num(), ",\"event_type\":", str(),
           ",\"x\":null}"});
      break;
    default: add({"{\"a\":", num(), ",\"a\":", str(), ",\"\":false}"}); break;
  }
  if (rng() % 5 == 0) r[rng() % r.size()] = "\"{}:,\\0 9.e-\x80"[rng() % 14];
  return r;
}

}  // namespace

TEST_F(StdlibJson, LayoutPathAgreesWithTheFullScanner) {
  std::mt19937 rng(99);
  const std::vector<std::string> want = {"a", "ad_id", "event_type", "", "missing"};
  for (int32_t level : Levels::all()) {
    flow_simd_set_level(level);
    FlowJsonLayout layout{};
    int fast_layouts = 0;
    for (int i = 0; i < 6000; ++i) {
      std::string rec = layout_record(rng);
      std::vector<char> buf(rec.begin(), rec.end());
      FlowStr values[5];
      int32_t kinds[5];
      FlowArena a{};
      int32_t err = flow_json_scan(buf.data(), static_cast<int64_t>(buf.size()), test_lookup,
                                   values, kinds, 5, &a, &layout);
      FlowArena b{};
      Result full = run_path(rec, want, false, &b);
      ASSERT_EQ(err, full.err) << "level " << level << ": " << rec;
      if (err == FLOW_JSON_OK) {
        for (int k = 0; k < 5; ++k) {
          ASSERT_EQ(kinds[k], full.kinds[static_cast<size_t>(k)]) << k << " in " << rec;
          ASSERT_EQ(std::string(values[k].ptr, static_cast<size_t>(values[k].len)),
                    full.values[static_cast<size_t>(k)])
              << k << " in " << rec;
        }
      }
      fast_layouts += layout.members > 0;
      flow_arena_free(&a);
      flow_arena_free(&b);
    }
    EXPECT_GT(fast_layouts, 5000);  // the layout was learned and kept
  }
  flow_simd_set_level(flow_simd_detect());
}

// The layout path indexes a record of up to 512 bytes whole: one of whole
// 64-byte words has no flagged bytes past its end, so a string that never
// closes must still stop the search at the end (a malformed record, as the
// full scanner says), at every length up to past the index.
TEST_F(StdlibJson, LayoutPathStopsAtTheEndOfAnUnclosedString) {
  for (int32_t level : Levels::all()) {
    flow_simd_set_level(level);
    for (size_t len = 60; len <= 580; ++len) {
      FlowJsonLayout layout{};
      FlowStr values[5];
      int32_t kinds[5];
      std::string learn = "{\"a\":\"x\",\"ad_id\":\"y\"}";
      ASSERT_EQ(flow_json_scan(learn.data(), learn.size(), test_lookup, values, kinds, 5, &arena_,
                               &layout),
                FLOW_JSON_OK);
      ASSERT_GT(layout.members, 0);
      std::string rec = "{\"a\":\"x\",\"ad_id\":\"";
      rec += std::string(len - rec.size(), 'z');
      std::vector<char> buf(rec.begin(), rec.end());  // nothing readable after it
      EXPECT_EQ(flow_json_scan(buf.data(), static_cast<int64_t>(buf.size()), test_lookup, values,
                               kinds, 5, &arena_, &layout),
                FLOW_JSON_MALFORMED)
          << "level " << level << ", " << len << " bytes";
    }
  }
  flow_simd_set_level(flow_simd_detect());
}

// A record the layout path gives up on late (an extra member) is read again
// from its start by the flat path, whose stop index must not be the one the
// layout path built further on.
TEST_F(StdlibJson, FlatPathAfterALayoutMissRestartsItsIndex) {
  for (int32_t level : Levels::all()) {
    flow_simd_set_level(level);
    FlowJsonLayout layout{};
    FlowStr values[5];
    int32_t kinds[5];
    std::string learn = "{\"a\":\"" + std::string(100, 'p') + "\",\"ad_id\":\"q\"}";
    ASSERT_EQ(
        flow_json_scan(learn.data(), learn.size(), test_lookup, values, kinds, 5, &arena_, &layout),
        FLOW_JSON_OK);
    ASSERT_GT(layout.members, 0);
    std::string rec =
        "{\"a\":\"" + std::string(100, 'p') + "\",\"ad_id\":\"r\",\"event_type\":\"t\"}";
    ASSERT_EQ(
        flow_json_scan(rec.data(), rec.size(), test_lookup, values, kinds, 5, &arena_, &layout),
        FLOW_JSON_OK);
    EXPECT_EQ(std::string(values[1].ptr, values[1].len), "r");
    EXPECT_EQ(std::string(values[2].ptr, values[2].len), "t");
  }
  flow_simd_set_level(flow_simd_detect());
}
