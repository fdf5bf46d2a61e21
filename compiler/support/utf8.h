// compiler/support/utf8.h — the UTF-8 rule for .flow files (LANGUAGE.md 2).
#pragma once

#include <cstddef>
#include <string_view>

namespace flowc {

// The offset of the first byte that is not part of valid UTF-8, or npos.
// The rule is the one JSON input is held to (one validator, the stdlib's).
size_t first_invalid_utf8(std::string_view text);

}  // namespace flowc
