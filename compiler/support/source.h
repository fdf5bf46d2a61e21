// compiler/support/source.h — where things are in a .flow file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowc {

// A 1-based line and column plus the 0-based byte offset.
struct SourceLoc {
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t offset = 0;
};

// [begin, end): `end` is one past the last byte (offset) of the range.
struct SourceRange {
  SourceLoc begin;
  SourceLoc end;
  bool valid() const { return begin.line != 0; }
};

// The text of one .flow file, with its line starts for rendering carets.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // The text of 1-based line `line`, without its terminator.
  std::string_view line_text(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  // The location of a byte offset (clamped to the end of the text).
  SourceLoc locate(uint32_t offset) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

}  // namespace flowc
