// compiler/support/internal_error.h — a broken invariant of flowc itself,
// never a mistake in the user's pipeline (those are Diagnostics).
//
// Deep code throws InternalError; driver/main.cpp is the one place that
// catches it: it prints what broke and what to report, and exits 3. Every
// invariant check in the compiler goes through here, so no broken
// invariant ends as a crash, a silent wrong answer or an uncaught exception.
#pragma once

#include <stdexcept>
#include <string>

namespace flowc {

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws InternalError(what).
[[noreturn]] void internal_error(const std::string& what);

// Checks an invariant: internal_error(what) unless `ok`.
inline void check_invariant(bool ok, const char* what) {
  if (!ok) internal_error(what);
}

// The lines driver/main.cpp prints for `e` (exit status 3).
std::string internal_error_report(const InternalError& e, const char* version);

}  // namespace flowc
