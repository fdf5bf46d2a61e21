// Literal tokens (LANGUAGE.md 2): integers with `_`, floats, durations and
// string escapes. The lexer accepts a superset; the exact rules live here.
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "parse/parser.h"

namespace flowc {

static std::string strip_underscores(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;
  }
  return digits;
}

std::optional<int64_t> parse_int_literal(std::string_view text, LexError& error) {
  std::string digits = strip_underscores(text);
  uint64_t value = 0;
  for (char c : digits) {
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      value = std::numeric_limits<uint64_t>::max();
      break;
    }
    value = value * 10 + digit;
  }
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    error = {"integer literal '" + std::string(text) + "' does not fit in 64 bits", 0};
    return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

std::optional<double> parse_float_literal(std::string_view text, LexError& error) {
  std::string digits = strip_underscores(text);
  errno = 0;
  double value = std::strtod(digits.c_str(), nullptr);
  if (errno == ERANGE && (value > 1 || value < -1)) {
    error = {"float literal '" + std::string(text) + "' is out of range", 0};
    return std::nullopt;
  }
  return value;
}

struct DurationUnit {
  const char* name;
  int64_t ms;
};
static constexpr DurationUnit kDurationUnits[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
};

std::optional<int64_t> parse_duration_literal(std::string_view text, LexError& error) {
  size_t digits_end = 0;
  while (digits_end < text.size() && (isdigit(static_cast<unsigned char>(text[digits_end])) ||
                                      text[digits_end] == '_')) {
    ++digits_end;
  }
  std::string_view unit = text.substr(digits_end);
  for (const DurationUnit& u : kDurationUnits) {
    if (unit != u.name) continue;
    auto count = parse_int_literal(text.substr(0, digits_end), error);
    if (!count) return std::nullopt;
    if (*count > std::numeric_limits<int64_t>::max() / u.ms) {
      error = {"duration '" + std::string(text) + "' is too long", 0};
      return std::nullopt;
    }
    return *count * u.ms;
  }
  error = {"unknown duration unit '" + std::string(unit) + "' (use ms, s, m, h or d)",
           digits_end};
  return std::nullopt;
}

static void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> parse_string_literal(std::string_view text, LexError& error) {
  std::string out;
  size_t end = text.size() - 1;  // the closing quote
  for (size_t i = 1; i < end; ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    char c = i + 1 < end ? text[i + 1] : '\0';
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'u': {
        uint32_t cp = 0;
        for (size_t k = 0; k < 4; ++k) {
          int h = i + 2 + k < end ? hex_value(text[i + 2 + k]) : -1;
          if (h < 0) {
            error = {"'\\u' needs four hex digits", i};
            return std::nullopt;
          }
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        append_utf8(out, cp);
        i += 4;
        break;
      }
      default:
        error = {"unknown escape '\\" + std::string(1, c) + "' (use \\\" \\\\ \\n \\t \\r \\uXXXX)",
                 i};
        return std::nullopt;
    }
    ++i;
  }
  return out;
}

}  // namespace flowc
