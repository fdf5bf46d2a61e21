#include "support/diagnostics.h"

#include <algorithm>
#include <iomanip>

#include "support/edit_distance.h"

namespace flowc {

// Width of the line-number gutter: `   23 |`.
constexpr int kGutterWidth = 5;

Diagnostic& DiagnosticEngine::error(SourceRange range, std::string message) {
  diagnostics_.push_back(Diagnostic{range, std::move(message), {}});
  return diagnostics_.back();
}

bool DiagnosticEngine::only_usage_errors() const {
  return std::all_of(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& d) { return d.usage; });
}

void DiagnosticEngine::suggest(Diagnostic& d, const std::string& name,
                               const std::vector<std::string>& candidates) {
  if (auto match = closest_match(name, candidates)) {
    d.helps.push_back("did you mean '" + *match + "'?");
  }
}

void DiagnosticEngine::render(std::ostream& out) const {
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : diagnostics_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    return a->range.begin.offset < b->range.begin.offset;
  });
  for (const Diagnostic* d : sorted) render_one(out, *d);
}

void DiagnosticEngine::render_one(std::ostream& out, const Diagnostic& d) const {
  const SourceLoc& at = d.range.begin;
  out << file_.path() << ":" << at.line << ":" << at.column << ": error: " << d.message << "\n";
  std::string_view line = file_.line_text(at.line);
  out << std::setw(kGutterWidth) << at.line << " | " << line << "\n";
  // The caret line keeps tabs where the source has them so the caret lines up.
  std::string pad;
  for (uint32_t i = 0; i + 1 < at.column && i < line.size(); ++i) {
    pad += line[i] == '\t' ? '\t' : ' ';
  }
  size_t width = 1;
  if (d.range.end.offset > at.offset) {
    width = d.range.end.line == at.line ? d.range.end.offset - at.offset
                                        : std::max<size_t>(1, line.size() + 1 - at.column);
  }
  out << std::string(kGutterWidth, ' ') << " | " << pad << "^" << std::string(width - 1, '~')
      << "\n";
  for (const std::string& help : d.helps) {
    out << std::string(kGutterWidth, ' ') << " = help: " << help << "\n";
  }
}

}  // namespace flowc
