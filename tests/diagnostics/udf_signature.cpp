// C++ functions for udf_signature.flow (and udf_declarations.flow, which
// never gets this far): each defined with a signature that is not the
// declared one, or not as an extern "C" function.
#include <flowc/udf.h>

extern "C" int32_t is_view(FlowStr event_type) { return event_type.len == 4; }
extern "C" int64_t twice(int64_t x) { return 2 * x; }
int64_t plain(int64_t x) { return x; }
extern "C" double scale(const FlowStr* s, double f) { return static_cast<double>(s->len) * f; }
extern "C" FlowStr pick4(FlowStr a, FlowStr b, FlowStr c, const char* d, int64_t n) { return a; }
extern "C" bool ok(FlowStr s, bool b, double f, int64_t ts) { return b; }
