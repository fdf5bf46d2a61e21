// fuzz/fuzz_checkpoint.cpp — reading checkpoints (runtime/checkpoint_file.cpp
// and checkpoint_stream.cpp) from arbitrary bytes:
//   - decode_checkpoint on the bytes as they are (almost always refused by
//     the magic, the length or the CRC: each refusal must say why);
//   - the bytes as the BODY of a file with a valid header and CRC, so that
//     the body parser itself sees everything; what decodes must encode and
//     decode back to the same data; describe_plan_change on its plan text;
//   - the bytes as a pipeline's state stream, read by FlowCkptReader with a
//     sequence of reads chosen by the first bytes (as generated restore
//     code would, out of step with what was written).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "abi.h"
#include "checkpoint_file.h"
#include "checkpoint_stream.h"
#include "flow_stdlib.h"

namespace {

void check_decode(std::string_view bytes) {
  flowrt::CheckpointData d;
  std::string error;
  flowrt::DecodeStatus st = flowrt::decode_checkpoint(bytes, &d, &error);
  if (st != flowrt::DecodeStatus::kOk) {
    if (error.empty()) abort();
    return;
  }
  std::string again = flowrt::encode_checkpoint(d);
  flowrt::CheckpointData d2;
  if (flowrt::decode_checkpoint(again, &d2, &error) != flowrt::DecodeStatus::kOk) abort();
  if (d2.plan_text != d.plan_text || d2.state != d.state || d2.watermark != d.watermark ||
      d2.sources.size() != d.sources.size() || d2.sinks.size() != d.sinks.size() ||
      d2.dead_letters.size() != d.dead_letters.size() || d2.fingerprint != d.fingerprint) {
    abort();
  }
  (void)flowrt::describe_plan_change(d.plan_text, "pipeline fuzz\nsource s\n");
  (void)flowrt::describe_plan_change(d.plan_text, d.state);
}

void put_le(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  check_decode(raw);

  // The same bytes as a body behind a valid header, with a valid CRC.
  std::string file(flowrt::kCheckpointMagic, sizeof flowrt::kCheckpointMagic);
  put_le(&file, flowrt::kCheckpointVersion, 4);
  put_le(&file, size, 8);
  file.append(raw);
  put_le(&file, flowrt::crc32c(file.data(), file.size()), 4);
  check_decode(file);

  // The state stream: ops from the first bytes, values from the rest.
  if (size < 1) return 0;
  size_t ops = std::min<size_t>(data[0] & 15, size - 1);
  std::string stream(raw.substr(1 + ops));
  FlowCkptReader r;
  r.bytes = stream;
  for (size_t i = 0; i < ops; ++i) {
    switch (data[1 + i] % 3) {
      case 0:
        (void)flow_ckpt_get_i64(&r);
        break;
      case 1: {
        FlowStr s{nullptr, -1};
        flow_ckpt_get_bytes(&r, &s);
        if (s.ptr == nullptr || s.len < 0) abort();
        if (s.len > 0 && (s.ptr < r.bytes.data() || s.ptr + s.len > r.bytes.data() + r.bytes.size())) {
          abort();
        }
        break;
      }
      default: {
        void* set = flow_ckpt_get_distinct(&r);
        if (set != nullptr) flow_distinct_free(static_cast<FlowDistinctSet*>(set));
        break;
      }
    }
    if (r.at > r.bytes.size()) abort();
  }
  (void)flow_ckpt_ok(&r);
  return 0;
}
