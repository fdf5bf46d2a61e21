// Lexer corners (LANGUAGE.md 2): the literal helpers of compiler/parse and
// the same literals seen through parse_program.
#include <gtest/gtest.h>

#include <limits>

#include "parse/parser.h"

namespace flowc {
namespace {

TEST(ParseIntLiteral, AcceptsDigitGroups) {
  LexError error;
  EXPECT_EQ(parse_int_literal("42", error), 42);
  EXPECT_EQ(parse_int_literal("1_000_000", error), 1'000'000);
  EXPECT_EQ(parse_int_literal("0", error), 0);
}

TEST(ParseIntLiteral, AcceptsInt64Max) {
  LexError error;
  EXPECT_EQ(parse_int_literal("9223372036854775807", error),
            std::numeric_limits<int64_t>::max());
}

TEST(ParseIntLiteral, RejectsValuesPastInt64Max) {
  LexError error;
  EXPECT_FALSE(parse_int_literal("9223372036854775808", error));
  EXPECT_EQ(error.message, "integer literal '9223372036854775808' does not fit in 64 bits");
  EXPECT_FALSE(parse_int_literal("99999999999999999999999", error));
}

TEST(ParseFloatLiteral, AcceptsEveryForm) {
  LexError error;
  EXPECT_DOUBLE_EQ(*parse_float_literal("3.14", error), 3.14);
  EXPECT_DOUBLE_EQ(*parse_float_literal("2.", error), 2.0);
  EXPECT_DOUBLE_EQ(*parse_float_literal("1e-3", error), 0.001);
  EXPECT_DOUBLE_EQ(*parse_float_literal("1E+3", error), 1000.0);
  EXPECT_DOUBLE_EQ(*parse_float_literal("1_000.5", error), 1000.5);
}

TEST(ParseFloatLiteral, RejectsOverflow) {
  LexError error;
  EXPECT_FALSE(parse_float_literal("1e999", error));
  EXPECT_EQ(error.message, "float literal '1e999' is out of range");
}

TEST(ParseDurationLiteral, ConvertsEveryUnitToMilliseconds) {
  LexError error;
  EXPECT_EQ(parse_duration_literal("250ms", error), 250);
  EXPECT_EQ(parse_duration_literal("10s", error), 10'000);
  EXPECT_EQ(parse_duration_literal("5m", error), 300'000);
  EXPECT_EQ(parse_duration_literal("2h", error), 7'200'000);
  EXPECT_EQ(parse_duration_literal("1d", error), 86'400'000);
  EXPECT_EQ(parse_duration_literal("1_500ms", error), 1500);
}

TEST(ParseDurationLiteral, RejectsUnknownUnitAtTheUnit) {
  LexError error;
  EXPECT_FALSE(parse_duration_literal("10sec", error));
  EXPECT_EQ(error.message, "unknown duration unit 'sec' (use ms, s, m, h or d)");
  EXPECT_EQ(error.offset, 2u);
  EXPECT_FALSE(parse_duration_literal("3M", error));  // units are lowercase
}

TEST(ParseDurationLiteral, RejectsDurationsPastInt64) {
  LexError error;
  EXPECT_FALSE(parse_duration_literal("9223372036854775807d", error));
  EXPECT_EQ(error.message, "duration '9223372036854775807d' is too long");
}

TEST(ParseStringLiteral, DecodesEveryEscape) {
  LexError error;
  EXPECT_EQ(parse_string_literal(R"("a\"b\\c\nd\te\rf")", error), "a\"b\\c\nd\te\rf");
  EXPECT_EQ(parse_string_literal(R"("")", error), "");
}

TEST(ParseStringLiteral, EncodesUnicodeEscapesAsUtf8) {
  LexError error;
  EXPECT_EQ(parse_string_literal(R"("caf\u00e9")", error), "caf\xC3\xA9");
  EXPECT_EQ(parse_string_literal(R"("\u0041")", error), "A");
  EXPECT_EQ(parse_string_literal(R"("\u20AC")", error), "\xE2\x82\xAC");
}

TEST(ParseStringLiteral, RejectsUnknownEscapeAtItsBackslash) {
  LexError error;
  EXPECT_FALSE(parse_string_literal(R"("ab\qc")", error));
  EXPECT_EQ(error.message, R"(unknown escape '\q' (use \" \\ \n \t \r \uXXXX))");
  EXPECT_EQ(error.offset, 3u);
}

TEST(ParseStringLiteral, RejectsShortUnicodeEscape) {
  LexError error;
  EXPECT_FALSE(parse_string_literal(R"("x\u00g9")", error));
  EXPECT_EQ(error.message, "'\\u' needs four hex digits");
  EXPECT_EQ(error.offset, 2u);
  EXPECT_FALSE(parse_string_literal(R"("\u12")", error));
}

// ---- through parse_program ----

struct Parsed {
  std::optional<ast::Program> program;
  std::vector<std::string> errors;
};

Parsed parse(const std::string& text) {
  SourceFile file("test.flow", text);
  DiagnosticEngine diags(file);
  Parsed out;
  out.program = parse_program(file, diags);
  for (const Diagnostic& d : diags.diagnostics()) out.errors.push_back(d.message);
  return out;
}

TEST(ParseProgram, BackquotedIdentifiersLoseTheirQuotes) {
  Parsed p = parse("source `key` = file(\"a.csv\") format csv schema { `select`: int }");
  ASSERT_TRUE(p.program) << (p.errors.empty() ? "" : p.errors[0]);
  const ast::Decl& d = p.program->decls.at(0);
  EXPECT_EQ(d.name, "key");
  ASSERT_TRUE(d.schema);
  EXPECT_EQ(d.schema->fields.at(0).name, "select");
}

TEST(ParseProgram, KeywordAsNameIsASyntaxError) {
  Parsed p = parse("stream select = clicks");
  EXPECT_FALSE(p.program);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0], "expected a name, found 'select'");
}

TEST(ParseProgram, DurationsBecomeMilliseconds) {
  Parsed p = parse("batch 250ms\ncheckpoint \"ck\" every 2m");
  ASSERT_TRUE(p.program);
  EXPECT_EQ(p.program->decls.at(0).duration.ms, 250);
  EXPECT_EQ(p.program->decls.at(1).every->ms, 120'000);
}

// Wherever a duration is written, a name is a (duration) param for sema.
TEST(ParseProgram, ADurationMayBeAParamName) {
  Parsed p = parse(
      "batch tick\ncheckpoint \"ck\" every often\n"
      "stream s = x | window sliding size every slide | aggregate n = count()");
  ASSERT_TRUE(p.program) << (p.errors.empty() ? "" : p.errors[0]);
  EXPECT_EQ(p.program->decls.at(0).duration.param, "tick");
  EXPECT_EQ(p.program->decls.at(1).every->param, "often");
  const flowc::ast::Stage& window = p.program->decls.at(2).stages.at(0);
  EXPECT_EQ(window.size.param, "size");
  EXPECT_EQ(window.slide.param, "slide");
}

TEST(ParseProgram, DigitGroupsMakeAnIntegerNotADuration) {
  Parsed p = parse("param big: int = 1_000_000");
  ASSERT_TRUE(p.program) << (p.errors.empty() ? "" : p.errors[0]);
  const ast::Expr& value = *p.program->decls.at(0).value;
  EXPECT_EQ(value.kind, ast::ExprKind::IntLit);
  EXPECT_EQ(value.int_value, 1'000'000);
}

TEST(ParseProgram, FloatsWithoutFractionOrWithExponent) {
  Parsed p = parse("param a: float = 2.\nparam b: float = 1e-3");
  ASSERT_TRUE(p.program);
  EXPECT_EQ(p.program->decls.at(0).value->kind, ast::ExprKind::FloatLit);
  EXPECT_DOUBLE_EQ(p.program->decls.at(0).value->float_value, 2.0);
  EXPECT_DOUBLE_EQ(p.program->decls.at(1).value->float_value, 0.001);
}

TEST(ParseProgram, StringEscapesAreDecoded) {
  Parsed p = parse("param s: string = \"caf\\u00e9\\t\\\"x\\\"\"");
  ASSERT_TRUE(p.program) << (p.errors.empty() ? "" : p.errors[0]);
  EXPECT_EQ(p.program->decls.at(0).value->text, "caf\xC3\xA9\t\"x\"");
}

TEST(ParseProgram, UnknownDurationUnitIsReported) {
  Parsed p = parse("batch 10sec");
  EXPECT_FALSE(p.program);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0], "unknown duration unit 'sec' (use ms, s, m, h or d)");
}

TEST(ParseProgram, GroupIsAnArgumentName) {
  Parsed p = parse("source s = kafka(brokers: \"b:9092\", topic: \"t\", group: \"g\") "
                   "format json schema { x: int }");
  ASSERT_TRUE(p.program) << (p.errors.empty() ? "" : p.errors[0]);
  EXPECT_EQ(p.program->decls.at(0).connector->args.at(2).name, "group");
}

TEST(ParseProgram, CommentsTrailingCommasAndSemicolons) {
  Parsed p = parse(
      "# a comment\n"
      "source s = file(\"a.csv\",) format csv(header: true,) schema { a: int, b: int, } # more\n"
      "stream t = s | group by a, | update n: int = 0, { n += b; ; n -= 1 }\n");
  ASSERT_TRUE(p.program) << (p.errors.empty() ? "" : p.errors[0]);
  ASSERT_EQ(p.program->decls.size(), 2u);
  EXPECT_EQ(p.program->decls[0].schema->fields.size(), 2u);
  EXPECT_EQ(p.program->decls[1].stages.at(1).body.size(), 2u);
}

TEST(ParseProgram, ReportsOneSyntaxErrorPerDeclaration) {
  Parsed p = parse("stream a = b | where x >\nstream c = d | select ,\n");
  EXPECT_FALSE(p.program);
  EXPECT_EQ(p.errors.size(), 2u);
}

}  // namespace
}  // namespace flowc
