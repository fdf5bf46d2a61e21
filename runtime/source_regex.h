// runtime/source_regex.h — the regex format's per-source state.
#ifndef FLOWC_RUNTIME_SOURCE_REGEX_H
#define FLOWC_RUNTIME_SOURCE_REGEX_H

#include <vector>

#include <re2/re2.h>

#include "abi.h"

namespace flowrt {

struct SourceRegex {
  explicit SourceRegex(const char* pattern) : re(pattern, RE2::Quiet) {}
  RE2 re;
  std::vector<int> group_of_field;  // schema field -> capture group, -1 if none
  std::vector<re2::StringPiece> groups;  // Match() output, reused per record
};

class Source;

// Compiles the source's pattern and maps its named groups to schema fields;
// false after ctx->set_error when the pattern is invalid.
bool compile_source_regex(FlowContext* ctx, Source* source);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_SOURCE_REGEX_H
