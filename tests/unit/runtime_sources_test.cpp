// Record splitting, line numbers, blank lines, CSV headers, batching by
// --max-batch-records and the generate() source, through flow_runtime's
// batch loop with mock process functions.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>

#include "byte_input.h"
#include "record_splitter.h"
#include "runtime_test_support.h"

using namespace rt_test;

namespace {

RunResult run_text(const std::string& path, int32_t format, std::vector<std::string> args = {},
                   int32_t csv_header = 0) {
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, format, path.c_str(), collect_process);
  src.csv_header = csv_header;
  FlowPipeline p = pipeline_of(&src, 1);
  args.push_back("--quiet");
  return run(p, args);
}

TEST(RuntimeRecords, LinesSplitCrlfBlankAndMissingFinalNewline) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("in.txt"), "a\r\nbb\n\nc");
  RunResult r = run_text(dir.file("in.txt"), FLOW_FORMAT_LINES);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(seen().records, (std::vector<std::string>{"a", "bb", "", "c"}));
  EXPECT_EQ(seen().lines, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(seen().offsets, (std::vector<int64_t>{0, 3, 6, 7}));
  EXPECT_EQ(r.err, "");
}

TEST(RuntimeRecords, BlankLinesSkippedForCsvAndJsonButLineNumbersKept) {
  for (int32_t format : {FLOW_FORMAT_JSON, FLOW_FORMAT_CSV}) {
    reset_seen();
    TempDir dir;
    write_file(dir.file("in"), "\n{\"a\":1}\n\r\n\n{\"a\":2}\n\n");
    RunResult r = run_text(dir.file("in"), format);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(seen().records, (std::vector<std::string>{"{\"a\":1}", "{\"a\":2}"}));
    EXPECT_EQ(seen().lines, (std::vector<int64_t>{2, 5}));
  }
}

TEST(RuntimeRecords, CsvQuotedFieldSpansLinesAndKeepsItsFirstLineNumber) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("in.csv"),
             "1,\"two\nlines\",x\r\n2,\"a \"\"q\"\" and, comma\",y\n3,in\"side,z\n\"4\n\n5\",w");
  RunResult r = run_text(dir.file("in.csv"), FLOW_FORMAT_CSV);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(seen().records,
            (std::vector<std::string>{"1,\"two\nlines\",x", "2,\"a \"\"q\"\" and, comma\",y",
                                      "3,in\"side,z", "\"4\n\n5\",w"}));
  EXPECT_EQ(seen().lines, (std::vector<int64_t>{1, 3, 4, 5}));
}

TEST(RuntimeRecords, CsvUnclosedQuoteAtEndIsABadRecord) {
  reset_seen();
  TempDir dir;
  std::string path = dir.file("in.csv");
  write_file(path, "a,b\nc,\"open\nmore\n");
  RunResult r = run_text(path, FLOW_FORMAT_CSV);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen().records, (std::vector<std::string>{"a,b"}));
  EXPECT_EQ(r.err, path + ":2: bad record: unclosed quote\n");
}

TEST(RuntimeRecords, CsvHeaderBuildsTheColumnMap) {
  reset_seen();
  TempDir dir;
  std::string path = dir.file("in.csv");
  write_file(path, "\xef\xbb\xbf" "b,\"x\", a\n1,2,3\n");
  static const FlowColumn fields[] = {{"a", FLOW_TYPE_INT}, {"b", FLOW_TYPE_INT},
                                      {"c", FLOW_TYPE_STRING}};
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_CSV, path.c_str(),
                                   [](FlowContext* ctx, const FlowBatch* b, const FlowRecord* r,
                                      int64_t n) {
                                     const int32_t* map = flow_csv_column_map(ctx, 0);
                                     seen().column_maps.push_back({map[0], map[1], map[2]});
                                     collect_process(ctx, b, r, n);
                                   });
  src.csv_header = 1;
  src.fields = fields;
  src.field_count = 3;
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen().records, (std::vector<std::string>{"1,2,3"}));
  EXPECT_EQ(seen().lines, (std::vector<int64_t>{2}));
  ASSERT_EQ(seen().column_maps.size(), 1u);
  EXPECT_EQ(seen().column_maps[0], (std::vector<int32_t>{2, 0, -1}));
}

TEST(RuntimeRecords, CsvWithoutHeaderMapsByPosition) {
  reset_seen();
  TempDir dir;
  std::string path = dir.file("in.csv");
  write_file(path, "1,2\n");
  static const FlowColumn fields[] = {{"a", FLOW_TYPE_INT}, {"b", FLOW_TYPE_INT}};
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_CSV, path.c_str(),
                                   [](FlowContext* ctx, const FlowBatch* b, const FlowRecord* r,
                                      int64_t n) {
                                     const int32_t* map = flow_csv_column_map(ctx, 0);
                                     seen().column_maps.push_back({map[0], map[1]});
                                   });
  src.fields = fields;
  src.field_count = 2;
  FlowPipeline p = pipeline_of(&src, 1);
  EXPECT_EQ(run(p, {"--quiet"}).status, 0);
  ASSERT_EQ(seen().column_maps.size(), 1u);
  EXPECT_EQ(seen().column_maps[0], (std::vector<int32_t>{0, 1}));
}

TEST(RuntimeRecords, EmptyCsvWithHeaderIsNoRecords) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("empty.csv"), "");
  RunResult r = run_text(dir.file("empty.csv"), FLOW_FORMAT_CSV, {}, 1);
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(seen().records.empty());
  EXPECT_EQ(seen().finals, (std::vector<int>{1}));
}

TEST(RuntimeRecords, MissingFileIsARuntimeError) {
  reset_seen();
  TempDir dir;
  std::string path = dir.file("nope.csv");
  RunResult r = run_text(path, FLOW_FORMAT_CSV);
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.err, "flowc: error: cannot open \"" + path + "\": No such file or directory\n");
}

TEST(RuntimeRecords, StdinSourceReadsAPipe) {
  reset_seen();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string text = "x\ny\n";
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  FlowSourceDesc src = text_source("in", FLOW_SOURCE_STDIN, FLOW_FORMAT_LINES, nullptr,
                                   [](FlowContext* ctx, const FlowBatch* b, const FlowRecord* r,
                                      int64_t n) {
                                     collect_process(ctx, b, r, n);
                                     flow_bad_record(ctx, 0, &r[n - 1], "nope", 4);
                                   });
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet"}, fds[0]);
  ::close(fds[0]);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen().records, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(r.err, "<stdin>:2: bad record: nope\n");
}

// ---- batching ----

TEST(RuntimeBatches, MaxBatchRecordsOneMakesEveryRecordItsOwnBatch) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("in.txt"), "a\nb\nc\n");
  RunResult r = run_text(dir.file("in.txt"), FLOW_FORMAT_LINES, {"--max-batch-records", "1"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen().batch_sizes, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(seen().finals, (std::vector<int>{0, 0, 1}));
  EXPECT_EQ(seen().batch_of_record, (std::vector<int64_t>{0, 1, 2}));
}

TEST(RuntimeBatches, MaxBatchRecordsCutsBatchesAndTheLastOneIsFinal) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("in.txt"), "1\n2\n3\n4\n5");
  RunResult r = run_text(dir.file("in.txt"), FLOW_FORMAT_LINES, {"--max-batch-records=2"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen().batch_sizes, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_EQ(seen().finals, (std::vector<int>{0, 0, 1}));
}

TEST(RuntimeBatches, BatchStartsAreMultiplesOfTheInterval) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("in.txt"), "1\n");
  RunResult r = run_text(dir.file("in.txt"), FLOW_FORMAT_LINES, {"--batch", "250ms"});
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(seen().batch_starts.size(), 1u);
  EXPECT_EQ(seen().batch_starts[0] % 250, 0);
}

TEST(RuntimeBatches, SummaryLineCountsRecordsAndBatches) {
  reset_seen();
  TempDir dir;
  write_file(dir.file("in.txt"), "1\n2\n3\n");
  FlowSourceDesc src = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES,
                                   dir.file("in.txt").c_str(), collect_process);
  // Points into dir's string: copy it so it outlives the call above.
  std::string path = dir.file("in.txt");
  src.path = path.c_str();
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--max-batch-records", "2"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.err.starts_with("flowc: 3 records in, 0 rows out, 2 batches, 0 bad, 0 late, "))
      << r.err;
  // Then the seconds and where they went: " 0.0 s (1 thread: busy 6%, ...)".
  EXPECT_NE(r.err.find(" s (1 thread: busy "), std::string::npos) << r.err;
  EXPECT_TRUE(r.err.ends_with("%)\n")) << r.err;
}

// The summary's reading share is the batch-loop thread's time in the
// sources minus what the pipeline's code took meanwhile: a pipeline that
// spends 3 x 40 ms on three one-line records is busy, not reading.
TEST(RuntimeBatches, SummaryReadingLeavesOutThePipelinesOwnTime) {
  reset_seen();
  TempDir dir;
  std::string path = dir.file("in.txt");
  write_file(path, "1\n2\n3\n");
  FlowSourceDesc src =
      text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, path.c_str(),
                  [](FlowContext* ctx, const FlowBatch* b, const FlowRecord* r, int64_t n) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(40));
                    collect_process(ctx, b, r, n);
                  });
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--max-batch-records", "1", "--threads", "1"});
  EXPECT_EQ(r.status, 0) << r.err;
  int busy = -1, reading = -1;
  const size_t at = r.err.find("(1 thread: busy ");
  ASSERT_NE(at, std::string::npos) << r.err;
  ASSERT_EQ(std::sscanf(r.err.c_str() + at, "(1 thread: busy %d%%, reading %d%%", &busy, &reading),
            2)
      << r.err;
  EXPECT_GE(busy, 60) << r.err;  // 120 ms of sleep in a run of little more
  EXPECT_LE(reading, 20) << r.err;
}

// ---- generate ----

void collect_generate(FlowContext*, const FlowBatch* batch, int64_t first, int64_t count) {
  Seen& s = seen();
  s.chunk_sizes.push_back(count);
  s.offsets.push_back(first);
  s.batch_of_record.push_back(batch->number);
  s.since_end += count;
}

FlowSourceDesc generate_source(int64_t count, int64_t rate) {
  FlowSourceDesc d{};
  d.name = "gen";
  d.kind = FLOW_SOURCE_GENERATE;
  d.gen_count = count;
  d.gen_rate = rate;
  d.gen_step = 1;
  d.generate = collect_generate;
  return d;
}

TEST(RuntimeGenerate, CountIsHandedOverInChunksWithinMaxBatchRecords) {
  reset_seen();
  FlowSourceDesc src = generate_source(10000, 0);
  FlowPipeline p = pipeline_of(&src, 1);
  RunResult r = run(p, {"--quiet", "--max-batch-records", "3000"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(seen().batch_sizes, (std::vector<int64_t>{3000, 3000, 3000, 1000}));
  EXPECT_EQ(seen().finals, (std::vector<int>{0, 0, 0, 1}));
  // Contiguous ranges from 0, no chunk beyond its batch.
  int64_t next = 0;
  for (size_t i = 0; i < seen().chunk_sizes.size(); ++i) {
    EXPECT_EQ(seen().offsets[i], next);
    EXPECT_LE(seen().chunk_sizes[i], 3000);
    next += seen().chunk_sizes[i];
  }
  EXPECT_EQ(next, 10000);
}

TEST(RuntimeGenerate, AloneItsChunksAreAtMost16384) {
  reset_seen();
  FlowSourceDesc src = generate_source(50000, 0);
  FlowPipeline p = pipeline_of(&src, 1);
  EXPECT_EQ(run(p, {"--quiet"}).status, 0);
  EXPECT_EQ(seen().chunk_sizes, (std::vector<int64_t>{16384, 16384, 16384, 848}));
  EXPECT_EQ(seen().batch_sizes, (std::vector<int64_t>{50000}));
}

// Beside another source, chunks of 4096 (whatever --threads), so that both
// advance within one batch.
TEST(RuntimeGenerate, BesideAnotherSourceChunksAreAtMost4096) {
  for (const char* threads : {"1", "2"}) {
    reset_seen();
    FlowSourceDesc src[2] = {generate_source(10000, 0), generate_source(10000, 0)};
    FlowPipeline p = pipeline_of(src, 2);
    EXPECT_EQ(run(p, {"--quiet", "--threads", threads}).status, 0);
    EXPECT_EQ(seen().chunk_sizes, (std::vector<int64_t>{4096, 4096, 4096, 4096, 1808, 1808}));
  }
}

TEST(RuntimeGenerate, RateLimitsRecordsPerSecond) {
  reset_seen();
  FlowSourceDesc src = generate_source(21, 100);  // 20 intervals of 10 ms
  FlowPipeline p = pipeline_of(&src, 1);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(run(p, {"--quiet", "--batch", "50ms"}).status, 0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 180);
  EXPECT_LT(ms, 2000);
  int64_t total = 0;
  for (int64_t n : seen().batch_sizes) total += n;
  EXPECT_EQ(total, 21);
  EXPECT_GE(seen().batch_sizes.size(), 3u);  // 50ms batches while it trickles
}

// ---- the splitter alone: records longer than the limit ----

TEST(RuntimeSplitter, TooLongRecordIsBadAndSkippedWithoutBuffering) {
  flowrt::RecordSplitter sp(FLOW_FORMAT_LINES, ',', /*max_record=*/16);
  std::string text = "short\n" + std::string(100, 'x') + "\nafter\n";
  // Feed in 10-byte pieces, as reads would.
  std::vector<std::string> got;
  std::vector<int64_t> lines;
  int bad = 0;
  size_t pos = 0;
  for (;;) {
    FlowRecord rec;
    const char* msg = nullptr;
    auto st = sp.next(&rec, &msg);
    if (st == flowrt::RecordSplitter::Next::kRecord) {
      got.emplace_back(rec.ptr, static_cast<size_t>(rec.len));
      lines.push_back(rec.line);
    } else if (st == flowrt::RecordSplitter::Next::kBad) {
      ++bad;
      EXPECT_EQ(rec.line, 2);
      EXPECT_STREQ(msg, "record longer than the limit");
    } else if (st == flowrt::RecordSplitter::Next::kNeedMore) {
      if (pos >= text.size()) {
        sp.finish();
        continue;
      }
      size_t n = std::min<size_t>(10, text.size() - pos);
      std::memcpy(sp.fill_ptr(n), text.data() + pos, n);
      sp.commit(n);
      pos += n;
    } else {
      break;
    }
  }
  EXPECT_EQ(bad, 1);
  EXPECT_EQ(got, (std::vector<std::string>{"short", "after"}));
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 3}));
}

// Splits `text` handing it over `piece` bytes at a time; returns
// "line:record" strings, bad ones as "line!message".
std::vector<std::string> split_in_pieces(int32_t format, const std::string& text, size_t piece) {
  flowrt::RecordSplitter sp(format, ',');
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    FlowRecord rec;
    const char* msg = nullptr;
    auto st = sp.next(&rec, &msg);
    if (st == flowrt::RecordSplitter::Next::kRecord) {
      out.push_back(std::to_string(rec.line) + ":" +
                    std::string(rec.ptr, static_cast<size_t>(rec.len)));
    } else if (st == flowrt::RecordSplitter::Next::kBad) {
      out.push_back(std::to_string(rec.line) + "!" + msg);
    } else if (st == flowrt::RecordSplitter::Next::kNeedMore) {
      if (pos >= text.size()) {
        sp.finish();
        continue;
      }
      size_t n = std::min(piece, text.size() - pos);
      std::memcpy(sp.fill_ptr(n), text.data() + pos, n);
      sp.commit(n);
      pos += n;
    } else {
      return out;
    }
  }
}

TEST(RuntimeSplitter, CsvStateSurvivesReadBoundaries) {
  std::string text = "a,\"x\"\"\ny\",b\r\nc\"d,\"e\n\n\",\"\"\nlast,\"open\nend";
  std::vector<std::string> want = {"1:a,\"x\"\"\ny\",b", "3:c\"d,\"e\n\n\",\"\"",
                                   "6!unclosed quote"};
  for (size_t piece : {1, 2, 3, 7, 1000}) {
    EXPECT_EQ(split_in_pieces(FLOW_FORMAT_CSV, text, piece), want) << piece;
  }
}

// The splitter searches ahead for the next quote once and reuses the
// answer for the unquoted lines before it: quotes far apart, across reads
// of every size, must still be found.
TEST(RuntimeSplitter, CsvQuotesFarApartAcrossReadBoundaries) {
  std::string text;
  std::vector<std::string> want;
  int64_t line = 1;
  auto plain = [&](int n) {
    for (int i = 0; i < n; ++i, ++line) {
      std::string rec = "r" + std::to_string(line) + ",x,y";
      text += rec + "\n";
      want.push_back(std::to_string(line) + ":" + rec);
    }
  };
  plain(40);
  text += "q,\"a\nb,\"\"c\",z\n";  // a quoted field across a newline
  want.push_back(std::to_string(line) + ":q,\"a\nb,\"\"c\",z");
  line += 2;
  plain(25);
  text += "lit\"eral,\"\n\"\n";  // a literal quote, then a quoted newline
  want.push_back(std::to_string(line) + ":lit\"eral,\"\n\"");
  line += 2;
  plain(30);
  for (size_t piece : {1, 2, 5, 17, 64, 333, 100000}) {
    EXPECT_EQ(split_in_pieces(FLOW_FORMAT_CSV, text, piece), want) << piece;
  }
}

// Splits `text` as TextSource::pump does: the fast path (cut) first, then
// next() for whatever it leaves; bytes arrive `piece` at a time, copied
// into the splitter's buffer or (`zero_copy`) exposed in place as a mapped
// file is. The same "line:record" / "line!message" strings as
// split_in_pieces, plus each record's offset.
std::vector<std::string> split_fast(int32_t format, const std::string& text, size_t piece,
                                    bool zero_copy, int64_t max_record = flowrt::kMaxRecordBytes) {
  flowrt::RecordSplitter sp(format, ',', max_record);
  std::vector<std::string> out;
  size_t pos = 0;
  FlowRecord batch[3];
  auto keep = [&](const FlowRecord& rec) {
    EXPECT_EQ(std::string(text.data() + rec.offset, static_cast<size_t>(rec.len)).substr(0, 4),
              std::string(rec.ptr, static_cast<size_t>(rec.len)).substr(0, 4));
    out.push_back(std::to_string(rec.line) + ":" +
                  std::string(rec.ptr, static_cast<size_t>(rec.len)));
  };
  for (;;) {
    int64_t got = sp.cut(batch, 3);
    for (int64_t k = 0; k < got; ++k) keep(batch[k]);
    if (got > 0) continue;
    FlowRecord rec;
    const char* msg = nullptr;
    auto st = sp.next(&rec, &msg);
    if (st == flowrt::RecordSplitter::Next::kRecord) {
      keep(rec);
    } else if (st == flowrt::RecordSplitter::Next::kBad) {
      out.push_back(std::to_string(rec.line) + "!" + msg);
    } else if (st == flowrt::RecordSplitter::Next::kNeedMore) {
      if (pos >= text.size()) {
        sp.finish();
        continue;
      }
      size_t n = std::min(piece, text.size() - pos);
      if (zero_copy) {
        sp.expose(text.data() + sp.base_offset(), static_cast<int64_t>(pos + n) - sp.base_offset());
      } else {
        std::memcpy(sp.fill_ptr(n), text.data() + pos, n);
        sp.commit(n);
      }
      pos += n;
    } else {
      return out;
    }
  }
}

// The fast path and the zero-copy exposure hand out exactly what next()
// alone does from copied reads, for every format, at every read size:
// records straddling read or mapping windows, CRLF, blank lines, quoted
// newlines, too-long records, no final newline.
TEST(RuntimeSplitter, FastPathAndZeroCopyMatchNextAlone) {
  std::string lines = "alpha\r\n\nbeta gamma\n\n\r\n" + std::string(300, 'l') + "\nlast";
  std::string json;
  for (int i = 0; i < 40; ++i)
    json += "{\"i\":" + std::to_string(i) + ",\"s\":\"" + std::string(i * 7 % 90, 's') + "\"}\n";
  json += "\n  \n{\"end\":true}";
  std::string csv = "h1,h2\na,b\n\"q\nq\",c\r\nx\"y,z\n\n" + std::string(200, 'c') + ",d\n\"open";
  for (int32_t format : {FLOW_FORMAT_LINES, FLOW_FORMAT_JSON, FLOW_FORMAT_CSV}) {
    const std::string& text = format == FLOW_FORMAT_LINES  ? lines
                              : format == FLOW_FORMAT_JSON ? json
                                                           : csv;
    std::vector<std::string> want = split_in_pieces(format, text, 100000);
    for (size_t piece : {1, 2, 3, 7, 64, 333, 100000}) {
      EXPECT_EQ(split_fast(format, text, piece, false), want) << format << " piece " << piece;
      EXPECT_EQ(split_fast(format, text, piece, true), want)
          << format << " zero copy, piece " << piece;
    }
  }
}

// cut() finds line ends in a bitmap of 4 KiB windows of the input: records
// of every length straddle those windows (and the reads) at every offset.
TEST(RuntimeSplitter, FastPathAcrossNewlineWindows) {
  std::string text;
  for (int i = 0; text.size() < 40000; ++i) {
    text += std::string(static_cast<size_t>(i * 37 % 301), static_cast<char>('a' + i % 26));
    text += i % 11 == 0 ? "\r\n" : "\n";
  }
  text += "tail without newline";
  std::vector<std::string> want = split_in_pieces(FLOW_FORMAT_LINES, text, 100000);
  for (size_t piece : {1000, 4095, 4097, 10000, 100000}) {
    EXPECT_EQ(split_fast(FLOW_FORMAT_LINES, text, piece, false), want) << "piece " << piece;
    EXPECT_EQ(split_fast(FLOW_FORMAT_LINES, text, piece, true), want)
        << "zero copy, piece " << piece;
  }
}

TEST(RuntimeSplitter, FastPathLeavesTooLongRecordsToNext) {
  std::string text = "short\n" + std::string(40, 'x') + "\nafter\n" + std::string(30, 'y');
  std::vector<std::string> want = {"1:short", "2!record longer than the limit", "3:after",
                                   "4!record longer than the limit"};
  for (size_t piece : {1, 5, 16, 1000}) {
    EXPECT_EQ(split_fast(FLOW_FORMAT_LINES, text, piece, false, 16), want) << piece;
    EXPECT_EQ(split_fast(FLOW_FORMAT_LINES, text, piece, true, 16), want) << piece;
  }
}

TEST(RuntimeSplitter, DefaultLimitIs64MiB) {
  EXPECT_EQ(flowrt::kMaxRecordBytes, 64 * 1024 * 1024);
}

}  // namespace

// ---- mapped files (byte_input.cpp) ----

namespace {

// Reads a file through open_file_input as TextSource does; "line:record"
// strings. `between` runs after the first read.
std::vector<std::string> read_mapped(const std::string& path, int64_t restart_offset = 0,
                                     int64_t restart_line = 1,
                                     const std::function<void()>& between = nullptr) {
  std::string error;
  std::unique_ptr<flowrt::ByteInput> in = flowrt::open_file_input(path, false, &error);
  EXPECT_TRUE(in) << error;
  flowrt::RecordSplitter sp(FLOW_FORMAT_LINES, ',');
  if (restart_offset > 0) {
    EXPECT_TRUE(in->seek(restart_offset, &error)) << error;
    sp.restart_at(restart_offset, restart_line, false, 0);
  }
  std::vector<std::string> out;
  bool first = true;
  for (;;) {
    FlowRecord batch[4];
    int64_t got = sp.cut(batch, 4);
    for (int64_t k = 0; k < got; ++k) {
      out.push_back(std::to_string(batch[k].line) + ":" + std::string(batch[k].ptr, batch[k].len));
    }
    if (got > 0) continue;
    FlowRecord rec;
    const char* msg = nullptr;
    auto st = sp.next(&rec, &msg);
    if (st == flowrt::RecordSplitter::Next::kRecord) {
      out.push_back(std::to_string(rec.line) + ":" + std::string(rec.ptr, rec.len));
    } else if (st == flowrt::RecordSplitter::Next::kNeedMore) {
      auto r = in->read_into(&sp, &error);
      if (first && between) between();
      first = false;
      if (r == flowrt::ByteInput::Read::kEof) sp.finish();
      EXPECT_NE(r, flowrt::ByteInput::Read::kError) << error;
    } else if (st == flowrt::RecordSplitter::Next::kEnd) {
      return out;
    }
  }
}

}  // namespace

// A file larger than the mapping window (2 MiB): records straddle windows,
// pages behind are released, offsets and lines stay exact.
TEST(RuntimeMappedFile, RecordsAcrossMappingWindows) {
  TempDir dir;
  std::string text;
  std::vector<std::string> want;
  int64_t line = 1;
  while (text.size() < (size_t{20} << 20)) {
    std::string rec = "record " + std::to_string(line) + " " + std::string(line % 977, 'r');
    text += rec + "\n";
    want.push_back(std::to_string(line++) + ":" + rec);
  }
  text += "no newline";
  want.push_back(std::to_string(line) + ":no newline");
  write_file(dir.path() + "/big.txt", text);
  EXPECT_EQ(read_mapped(dir.path() + "/big.txt"), want);
  // Restarted at a record in the middle (a checkpoint's position).
  size_t at = text.find("record 5000 ");
  std::vector<std::string> rest(want.begin() + 4999, want.end());
  EXPECT_EQ(read_mapped(dir.path() + "/big.txt", static_cast<int64_t>(at), 5000), rest);
}

// A file that grows after it was opened is read to its new end, as read(2)
// would have.
TEST(RuntimeMappedFile, GrowingFileIsReadToItsNewEnd) {
  TempDir dir;
  std::string path = dir.path() + "/grow.txt";
  write_file(path, "one\ntwo\nthr");
  std::vector<std::string> got = read_mapped(path, 0, 1, [&] {
    FILE* f = std::fopen(path.c_str(), "ab");
    std::fputs("ee\nfour\n", f);
    std::fclose(f);
  });
  EXPECT_EQ(got, (std::vector<std::string>{"1:one", "2:two", "3:three", "4:four"}));
}

// Worker threads read a mapped file's records in place (bytes_stay), so a
// read that remaps pages waits for them (TextSource settles first when
// read_moves_bytes): exposing the next window moves nothing, nor does
// releasing pages every 32 MiB consumed (only those before keep_from, the
// first record a morsel still reads); at the end the mapping may be
// remapped (a grown file).
TEST(RuntimeMappedFile, OnlyRemappingReadsMoveBytes) {
  TempDir dir;
  std::string text;
  while (text.size() < (size_t{70} << 20)) text += std::string(99, 'x') + "\n";
  write_file(dir.path() + "/big.txt", text);
  std::string error;
  auto in = flowrt::open_file_input(dir.path() + "/big.txt", false, &error);
  ASSERT_TRUE(in) << error;
  EXPECT_TRUE(in->bytes_stay());
  flowrt::RecordSplitter sp(FLOW_FORMAT_LINES, ',');
  int reads = 0, moving = 0;
  bool last_moved = false;
  for (;;) {
    FlowRecord batch[64];
    if (sp.cut(batch, 64) > 0) continue;
    FlowRecord rec;
    const char* msg = nullptr;
    auto st = sp.next(&rec, &msg);
    if (st == flowrt::RecordSplitter::Next::kEnd) break;
    if (st != flowrt::RecordSplitter::Next::kNeedMore) continue;
    last_moved = in->read_moves_bytes(sp);
    ++reads;
    moving += last_moved ? 1 : 0;
    auto r = in->read_into(&sp, &error);
    ASSERT_NE(r, flowrt::ByteInput::Read::kError) << error;
    if (r == flowrt::ByteInput::Read::kEof) sp.finish();
  }
  EXPECT_GE(reads, 10);     // 2 MiB windows
  EXPECT_EQ(moving, 1);  // the end (kEof)
  EXPECT_TRUE(last_moved);
}

TEST(RuntimeMappedFile, CheckpointPositionPastTheEndIsRefused) {
  TempDir dir;
  write_file(dir.path() + "/small.txt", "abc\n");
  std::string error;
  auto in = flowrt::open_file_input(dir.path() + "/small.txt", false, &error);
  ASSERT_TRUE(in);
  EXPECT_FALSE(in->seek(10, &error));
  EXPECT_NE(error.find("holds 4 bytes"), std::string::npos) << error;
}
