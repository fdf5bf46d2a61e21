// runtime/configure.cpp — what a built program's `configure` calls when a
// --param (or --batch) value is one the pipeline cannot take
// (FlowPipeline::configure, LANGUAGE.md 13 "Params of every kind"): the
// message, with the values, becomes the run's usage error (exit 2).
#include <string>

#include "abi.h"
#include "context.h"
#include "flow_stdlib.h"

namespace {

// As the compiler prints durations (plan::duration_text).
std::string duration_text(int64_t ms) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, static_cast<size_t>(flow_format_duration(ms, buf)));
}

}  // namespace

extern "C" {

void flow_param_error(FlowContext* ctx, const char* context, const char* message,
                      int64_t message_len) {
  ctx->set_error(std::string(context) + ": " +
                 std::string(message, static_cast<size_t>(message_len)));
}

int32_t flow_param_check_duration(FlowContext* ctx, const char* what, int64_t ms,
                                  const char* of_what, int64_t of_ms) {
  if (ms <= 0) {
    ctx->set_error(std::string(what) + " must be longer than 0ms, got " + duration_text(ms));
    return 0;
  }
  if (of_ms > 0 && ms % of_ms != 0) {
    ctx->set_error(std::string(what) + " is " + duration_text(ms) + ", not a multiple of " +
                   of_what + " " + duration_text(of_ms));
    return 0;
  }
  return 1;
}

}  // extern "C"
