// The checkpoint file format (runtime/checkpoint_file.h): CRC32C, varints,
// round trips, and that every truncation and every bit flip is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "checkpoint_file.h"
#include "runtime_test_support.h"

using namespace flowrt;
using rt_test::TempDir;

namespace {

CheckpointData sample() {
  CheckpointData d;
  d.fingerprint = 0x0123456789abcdefull;
  d.finished = false;
  d.plan_text = "source a: file(\"in.csv\") csv\nstage 1: where x > 1\nsink a: file(\"out.csv\")\n";
  d.next_batch = 42;
  d.watermark = 1'700'000'000'000;
  d.records_in = 123456;
  d.rows_out = 789;
  d.batches = 42;
  d.bad = 3;
  d.late = 2;
  CheckpointSource s;
  s.name = "a";
  s.kind = 0;
  s.resumable = true;
  s.bad = 3;
  s.position = std::string("\x05pos\x00x", 6);
  d.sources.push_back(s);
  CheckpointSource t;
  t.name = "lookup";
  t.kind = 0x100;
  t.table = true;
  d.sources.push_back(t);
  d.sinks.push_back({0, "out/a.csv", 4096});
  d.sinks.push_back({2, "out/b.jsonl", 0});
  d.dead_letters.push_back({"bad.jsonl", 77});
  d.state = std::string("i\x01\x02\x03\x04\x05\x06\x07\x08" "b\x00\x00\x00\x00\x00\x00\x00\x00", 18);
  return d;
}

void expect_same(const CheckpointData& a, const CheckpointData& b) {
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.finished, b.finished);
  EXPECT_EQ(a.plan_text, b.plan_text);
  EXPECT_EQ(a.next_batch, b.next_batch);
  EXPECT_EQ(a.watermark, b.watermark);
  EXPECT_EQ(a.records_in, b.records_in);
  EXPECT_EQ(a.rows_out, b.rows_out);
  EXPECT_EQ(a.batches, b.batches);
  EXPECT_EQ(a.bad, b.bad);
  EXPECT_EQ(a.late, b.late);
  ASSERT_EQ(a.sources.size(), b.sources.size());
  for (size_t i = 0; i < a.sources.size(); ++i) {
    EXPECT_EQ(a.sources[i].name, b.sources[i].name);
    EXPECT_EQ(a.sources[i].kind, b.sources[i].kind);
    EXPECT_EQ(a.sources[i].resumable, b.sources[i].resumable);
    EXPECT_EQ(a.sources[i].table, b.sources[i].table);
    EXPECT_EQ(a.sources[i].bad, b.sources[i].bad);
    EXPECT_EQ(a.sources[i].position, b.sources[i].position);
  }
  ASSERT_EQ(a.sinks.size(), b.sinks.size());
  for (size_t i = 0; i < a.sinks.size(); ++i) {
    EXPECT_EQ(a.sinks[i].index, b.sinks[i].index);
    EXPECT_EQ(a.sinks[i].path, b.sinks[i].path);
    EXPECT_EQ(a.sinks[i].length, b.sinks[i].length);
  }
  ASSERT_EQ(a.dead_letters.size(), b.dead_letters.size());
  for (size_t i = 0; i < a.dead_letters.size(); ++i) {
    EXPECT_EQ(a.dead_letters[i].path, b.dead_letters[i].path);
    EXPECT_EQ(a.dead_letters[i].length, b.dead_letters[i].length);
  }
  EXPECT_EQ(a.state, b.state);
}

}  // namespace

TEST(RuntimeCheckpointFile, Crc32cKnownValues) {
  // RFC 3720 (iSCSI) B.4 and the usual check value.
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);
  std::string inc;
  for (int i = 0; i < 32; ++i) inc.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(inc.data(), inc.size()), 0x46DD794Eu);
  EXPECT_EQ(crc32c("", 0), 0u);
}

TEST(RuntimeCheckpointFile, Crc32cIsIncrementalAtAnySplit) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text.push_back(static_cast<char>(i * 131 + 7));
  uint32_t whole = crc32c(text.data(), text.size());
  for (size_t cut : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{500}, size_t{999}}) {
    uint32_t part = crc32c(text.data(), cut);
    EXPECT_EQ(crc32c(text.data() + cut, text.size() - cut, part), whole) << cut;
  }
}

TEST(RuntimeCheckpointFile, VarintsRoundTrip) {
  const int64_t signed_values[] = {0, 1, -1, 63, -64, 64, 127, 128, -129, 1LL << 40,
                                   std::numeric_limits<int64_t>::max(),
                                   std::numeric_limits<int64_t>::min()};
  const uint64_t unsigned_values[] = {0, 1, 127, 128, 16383, 16384, 1ull << 63,
                                      std::numeric_limits<uint64_t>::max()};
  std::string buf;
  CkptOut out(&buf);
  for (int64_t v : signed_values) out.i64(v);
  for (uint64_t v : unsigned_values) out.u64(v);
  out.str("hello");
  out.str("");
  out.fixed32(0xdeadbeef);
  out.fixed64(0x0102030405060708ull);
  CkptIn in(buf);
  for (int64_t v : signed_values) EXPECT_EQ(in.i64(), v);
  for (uint64_t v : unsigned_values) EXPECT_EQ(in.u64(), v);
  EXPECT_EQ(in.str(), "hello");
  EXPECT_EQ(in.str(), "");
  EXPECT_EQ(in.fixed32(), 0xdeadbeefu);
  EXPECT_EQ(in.fixed64(), 0x0102030405060708ull);
  EXPECT_TRUE(in.at_end());
  EXPECT_FALSE(in.failed());
  // Small values are small: one byte below 128.
  std::string one;
  CkptOut(&one).u64(100);
  EXPECT_EQ(one.size(), 1u);
}

TEST(RuntimeCheckpointFile, ReadsPastTheEndFail) {
  CkptIn empty("");
  EXPECT_EQ(empty.u64(), 0u);
  EXPECT_TRUE(empty.failed());
  std::string buf;
  CkptOut(&buf).str("abcdef");
  CkptIn cut(std::string_view(buf).substr(0, 4));
  EXPECT_EQ(cut.str(), "");
  EXPECT_TRUE(cut.failed());
  std::string overlong(11, '\xff');  // a varint of more than 64 bits
  CkptIn big(overlong);
  big.u64();
  EXPECT_TRUE(big.failed());
}

TEST(RuntimeCheckpointFile, RoundTrip) {
  CheckpointData d = sample();
  std::string bytes = encode_checkpoint(d);
  EXPECT_EQ(bytes.substr(0, 8), "FLOWCKPT");
  CheckpointData back;
  std::string error;
  ASSERT_EQ(decode_checkpoint(bytes, &back, &error), DecodeStatus::kOk) << error;
  expect_same(d, back);

  CheckpointData empty;
  empty.finished = true;
  ASSERT_EQ(decode_checkpoint(encode_checkpoint(empty), &back, &error), DecodeStatus::kOk);
  expect_same(empty, back);
  EXPECT_TRUE(back.finished);
}

TEST(RuntimeCheckpointFile, EveryTruncationIsRefused) {
  std::string bytes = encode_checkpoint(sample());
  for (size_t len = 0; len < bytes.size(); ++len) {
    CheckpointData back;
    std::string error;
    DecodeStatus st = decode_checkpoint(std::string_view(bytes).substr(0, len), &back, &error);
    EXPECT_NE(st, DecodeStatus::kOk) << "length " << len;
    EXPECT_FALSE(error.empty());
  }
  // ... and so is a longer file (bytes appended).
  CheckpointData back;
  std::string error;
  EXPECT_NE(decode_checkpoint(bytes + "x", &back, &error), DecodeStatus::kOk);
}

TEST(RuntimeCheckpointFile, EveryBitFlipIsDetected) {
  std::string bytes = encode_checkpoint(sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      CheckpointData back;
      std::string error;
      EXPECT_NE(decode_checkpoint(bad, &back, &error), DecodeStatus::kOk)
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(RuntimeCheckpointFile, WhatIsWrongIsNamed) {
  CheckpointData back;
  std::string error;
  EXPECT_EQ(decode_checkpoint("hello, world, this is not it", &back, &error),
            DecodeStatus::kNotCheckpoint);
  EXPECT_NE(error.find("not a flowc checkpoint"), std::string::npos) << error;

  std::string bytes = encode_checkpoint(sample());
  EXPECT_EQ(decode_checkpoint(bytes.substr(0, bytes.size() - 10), &back, &error),
            DecodeStatus::kTruncated);
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  EXPECT_EQ(decode_checkpoint(flipped, &back, &error), DecodeStatus::kChecksum);
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;

  // Another format version, with a valid checksum: version 1 (flowc before
  // the stream_rows counter was dropped), version 2 (before issue 18's
  // positions and incremental runs) and a later one.
  for (uint8_t version : {1, 2, 4}) {
    std::string other = bytes.substr(0, bytes.size() - 4);
    other[8] = static_cast<char>(version);
    CkptOut(&other).fixed32(crc32c(other.data(), other.size()));
    EXPECT_EQ(decode_checkpoint(other, &back, &error), DecodeStatus::kVersion);
    EXPECT_NE(
        error.find("format version " + std::to_string(version) + "; this flowc reads version 3"),
        std::string::npos)
        << error;
  }
}

TEST(RuntimeCheckpointFile, PlanChangeShowsTheFirstDifferingLine) {
  std::string a = "source s: file(\"x\")\nstage 1: where v > 10\nsink s: file(\"o.csv\")\n";
  std::string b = "source s: file(\"x\")\nstage 1: where v > 5\nsink s: file(\"o.csv\")\n";
  std::string msg = describe_plan_change(a, b);
  EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("checkpoint: stage 1: where v > 10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("this run:   stage 1: where v > 5"), std::string::npos) << msg;

  std::string longer = a + "sink t: file(\"t.csv\")\n";
  msg = describe_plan_change(a, longer);
  EXPECT_NE(msg.find("line 4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(nothing: the plan ended)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sink t"), std::string::npos) << msg;
}

TEST(RuntimeCheckpointFile, AtomicWriteAndReadBack) {
  TempDir dir;
  std::string bytes = encode_checkpoint(sample());
  const char* step = "";
  ASSERT_EQ(write_checkpoint_file(dir.path(), -1, bytes, &step), 0) << step;
  EXPECT_FALSE(std::filesystem::exists(dir.file(kCheckpointTempName)));
  std::string back;
  ASSERT_EQ(read_checkpoint_file(dir.path(), &back), 0);
  EXPECT_EQ(back, bytes);
  // Replaced whole by the next write.
  CheckpointData d = sample();
  d.next_batch = 43;
  std::string next = encode_checkpoint(d);
  ASSERT_EQ(write_checkpoint_file(dir.path(), -1, next, &step), 0) << step;
  ASSERT_EQ(read_checkpoint_file(dir.path(), &back), 0);
  EXPECT_EQ(back, next);

  TempDir empty;
  EXPECT_EQ(read_checkpoint_file(empty.path(), &back), ENOENT);
}
