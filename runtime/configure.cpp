// runtime/configure.cpp — what a built program's `configure` calls when a
// --param (or --batch) value is one the pipeline cannot take
// (FlowPipeline::configure, LANGUAGE.md 13 "Params of every kind"): the
// message, with the values, becomes the run's usage error (exit 2).
#include <string>

#include "abi.h"
#include "context.h"

namespace {

// 60000 -> "1m", 1500 -> "1500ms": the largest unit that is exact, as the
// compiler prints durations (plan::duration_text).
std::string duration_text(int64_t ms) {
  struct Unit {
    const char* name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  for (const Unit& u : kUnits) {
    if (ms != 0 && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.name;
  }
  return std::to_string(ms) + "ms";
}

}  // namespace

extern "C" {

void flow_param_error(FlowContext* ctx, const char* context, const char* message,
                      int64_t message_len) {
  ctx->set_error(std::string(context) + ": " + std::string(message, static_cast<size_t>(message_len)));
}

int32_t flow_param_check_duration(FlowContext* ctx, const char* what, int64_t ms,
                                  const char* of_what, int64_t of_ms) {
  if (ms <= 0) {
    ctx->set_error(std::string(what) + " must be longer than 0ms, got " + duration_text(ms));
    return 0;
  }
  if (of_ms > 0 && ms % of_ms != 0) {
    ctx->set_error(std::string(what) + " is " + duration_text(ms) + ", not a multiple of " + of_what +
                   " " + duration_text(of_ms));
    return 0;
  }
  return 1;
}

}  // extern "C"
