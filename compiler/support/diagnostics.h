// compiler/support/diagnostics.h — errors that reach users.
//
// An error is a value: a source range, a message and `= help:` lines. The
// engine collects every error of a file (compilation keeps going after the
// first) and renders them the way clang and rustc do:
//
//   clicks.flow:23:11: error: unknown field 'latncy_ms' in stream 'clicks'
//      23 |   | where latncy_ms > threshold
//         |           ^~~~~~~~~
//         = help: did you mean 'latency_ms'?
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "support/source.h"

namespace flowc {

struct Diagnostic {
  SourceRange range;
  std::string message;
  std::vector<std::string> helps;
  // Caused by a run option's value (--param, --batch) rather than by the
  // file: `flowc` exits 2 (a usage error) when every error is one.
  bool usage = false;
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceFile& file) : file_(file) {}

  // Records an error; returns it so that callers can add help lines.
  Diagnostic& error(SourceRange range, std::string message);
  // Adds `did you mean 'x'?` when a candidate is close to `name`.
  void suggest(Diagnostic& d, const std::string& name,
               const std::vector<std::string>& candidates);

  bool has_errors() const { return !diagnostics_.empty(); }
  size_t error_count() const { return diagnostics_.size(); }
  // Every error is a run option's (Diagnostic::usage).
  bool only_usage_errors() const;
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

  // Renders every error in source order.
  void render(std::ostream& out) const;

 private:
  void render_one(std::ostream& out, const Diagnostic& d) const;

  const SourceFile& file_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace flowc
