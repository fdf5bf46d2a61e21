// Timestamps in any text form (LANGUAGE.md 13): a format is checked by the
// stdlib's own compiler of formats, the one whose result codegen embeds,
// so that what compiles here is exactly what runs.
#include "sema/analyzer.h"

#include "flow_stdlib.h"

namespace flowc {

namespace {

constexpr const char* kDirectives = "%Y %m %d %H %M %S %f %z %b %j %s %%";

// The range of bytes [at, at + n) of the format, when the string literal
// at `literal` spells it byte for byte on one line (no escapes, ASCII
// before it); else the whole literal.
SourceRange inside(const std::string& format, SourceRange literal, int64_t at, int64_t n) {
  bool plain = literal.begin.line == literal.end.line &&
               literal.end.offset - literal.begin.offset == format.size() + 2;
  for (int64_t i = 0; plain && i < at; ++i) plain = static_cast<unsigned char>(format[i]) < 0x80;
  if (!plain || at < 0) return literal;
  SourceRange r = literal;
  auto shift = [](SourceLoc loc, int64_t by) {
    loc.column += static_cast<uint32_t>(by);
    loc.offset += static_cast<uint32_t>(by);
    return loc;
  };
  r.begin = shift(literal.begin, 1 + at);
  r.end = shift(literal.begin, 1 + std::min<int64_t>(at + n, static_cast<int64_t>(format.size())));
  return r;
}

}  // namespace

bool Analyzer::check_time_format(const std::string& format, SourceRange at, bool literal) {
  FlowTimeFormat compiled;
  int64_t error_at = -1;
  int32_t code = flow_time_format_compile(format.data(), static_cast<int64_t>(format.size()),
                                          &compiled, &error_at);
  if (code == FLOW_TIME_FORMAT_OK) return true;
  std::string what = flow_time_format_error_text(code);
  std::string directive = error_at >= 0 ? format.substr(static_cast<size_t>(error_at), 2) : "";
  if (code == FLOW_TIME_FORMAT_UNKNOWN) what += " '" + directive + "'";
  if (code == FLOW_TIME_FORMAT_REPEATED) {
    what = "'" + directive + "' repeats a part of the time given before";
  }
  SourceRange where = literal ? inside(format, at, error_at, 2) : at;
  Diagnostic& d = diags_.error(where, "invalid timestamp format: " + what);
  if (code == FLOW_TIME_FORMAT_UNKNOWN || code == FLOW_TIME_FORMAT_TRAILING_PERCENT) {
    d.helps.push_back(std::string("the directives are ") + kDirectives);
  } else if (code == FLOW_TIME_FORMAT_TOO_LONG) {
    d.helps.push_back("a format holds at most " + std::to_string(FLOW_TIME_FORMAT_MAX) +
                      " directives and literal characters");
  }
  return false;
}

}  // namespace flowc
