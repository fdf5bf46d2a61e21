#include "support/internal_error.h"

namespace flowc {

void internal_error(const std::string& what) { throw InternalError(what); }

std::string internal_error_report(const InternalError& e, const char* version) {
  return std::string("flowc: internal error: ") + e.what() + "\n  = note: this is a bug in flowc " +
         version +
         ", not in your pipeline\n"
         "  = help: please report it with the .flow file, the command line and this message\n";
}

}  // namespace flowc
