#include "support/utf8.h"

#include <string>

#include "flow_stdlib.h"

namespace flowc {

size_t first_invalid_utf8(std::string_view text) {
  int64_t at = flow_utf8_invalid_at(text.data(), static_cast<int64_t>(text.size()));
  return at < 0 ? std::string_view::npos : static_cast<size_t>(at);
}

}  // namespace flowc
