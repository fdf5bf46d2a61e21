// compiler/parse/parser.h — .flow text to AST. The only code that sees ANTLR.
#pragma once

#include <optional>

#include "ast/ast.h"
#include "support/diagnostics.h"
#include "support/source.h"

namespace flowc {

// Parses a whole file. Syntax errors are reported to `diags` (all of them,
// ANTLR recovering where it can); the AST is returned only for a file
// without syntax errors, so that semantic analysis never sees a half tree.
std::optional<ast::Program> parse_program(const SourceFile& file, DiagnosticEngine& diags);

// Lexical helpers, exposed for tests. Each returns std::nullopt on error and
// sets `error` to the message (and `error_offset` to the byte at fault,
// relative to the start of the token).
struct LexError {
  std::string message;
  size_t offset = 0;
};
std::optional<int64_t> parse_int_literal(std::string_view text, LexError& error);
std::optional<double> parse_float_literal(std::string_view text, LexError& error);
std::optional<int64_t> parse_duration_literal(std::string_view text, LexError& error);
// `text` includes the surrounding quotes.
std::optional<std::string> parse_string_literal(std::string_view text, LexError& error);

}  // namespace flowc
