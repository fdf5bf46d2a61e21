// runtime/checkpoint_stream.h — the state streams behind flow_ckpt_* (abi.h).
//
// Generated snapshot code appends tagged values to a FlowCkptWriter; restore
// code reads them back from a FlowCkptReader in the same order. Every value
// carries a one-byte tag, so a reader that drifts out of step (a bug, or a
// checkpoint of another pipeline that slipped past the fingerprint) fails
// cleanly instead of misreading: flow_ckpt_ok() then returns 0.
#ifndef FLOWC_RUNTIME_CHECKPOINT_STREAM_H
#define FLOWC_RUNTIME_CHECKPOINT_STREAM_H

#include <cstdint>
#include <string>
#include <string_view>

struct FlowCkptWriter {
  std::string bytes;
};

struct FlowCkptReader {
  std::string_view bytes;
  size_t at = 0;
  bool failed = false;
};

#endif  // FLOWC_RUNTIME_CHECKPOINT_STREAM_H
