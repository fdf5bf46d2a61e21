// Checkpoints through the runtime (runtime/checkpoint.h) with mock
// generated code: a file source whose records are summed into state and
// echoed to a CSV file sink. Stops, simulated crashes (rows written after
// the last commit), refusals of another pipeline and of a damaged file.
#include <gtest/gtest.h>

#include <sys/file.h>
#include <sys/wait.h>

#include <filesystem>

#include "checkpoint_file.h"
#include "checkpoint_stream.h"
#include "runtime_test_support.h"

using namespace rt_test;

namespace {

struct State {
  int64_t sum = 0;
  int64_t records = 0;
  int64_t stop_after = -1;  // request_stop() once this many records were seen
  int64_t crash_in = -1;    // _exit(9) in end_batch of this batch
  std::vector<int64_t> lines;
  std::vector<int64_t> batch_numbers;
};

State& state() {
  static State s;
  return s;
}

void sum_process(FlowContext* ctx, const FlowBatch* batch, const FlowRecord* recs, int64_t n) {
  State& s = state();
  for (int64_t i = 0; i < n; ++i) {
    std::string text(recs[i].ptr, static_cast<size_t>(recs[i].len));
    s.sum += std::stoll(text);
    ++s.records;
    s.lines.push_back(recs[i].line);
    flow_sink_begin_row(ctx, 0);
    flow_sink_string(ctx, 0, recs[i].ptr, recs[i].len);
    flow_sink_end_row(ctx, 0);
  }
  if (s.stop_after >= 0 && s.records >= s.stop_after) flowrt::request_stop();
  (void)batch;
}

// At the end: one row with the sum (final only, like a window firing).
void sum_end_batch(FlowContext* ctx, const FlowBatch* batch, int32_t final) {
  state().batch_numbers.push_back(batch->number);
  if (batch->number == state().crash_in) ::_exit(9);
  if (!final) return;
  std::string text = "sum=" + std::to_string(state().sum);
  flow_sink_begin_row(ctx, 0);
  flow_sink_string(ctx, 0, text.data(), static_cast<int64_t>(text.size()));
  flow_sink_end_row(ctx, 0);
}

void sum_snapshot(FlowContext*, FlowCkptWriter* w) {
  flow_ckpt_put_i64(w, state().sum);
  flow_ckpt_put_i64(w, state().records);
}

int32_t sum_restore(FlowContext*, FlowCkptReader* r) {
  int64_t sum = flow_ckpt_get_i64(r);
  int64_t records = flow_ckpt_get_i64(r);
  if (!flow_ckpt_ok(r)) return 0;
  state().sum = sum;
  state().records = records;
  return 1;
}

const FlowColumn kColumns[] = {{"v", FLOW_TYPE_STRING}};

struct Fixture {
  TempDir dir;
  std::string input = dir.file("in.txt");
  std::string output = dir.file("out.csv");
  std::string ckpt = dir.file("ck");
  FlowSourceDesc source{};
  FlowSinkDesc sink{};
  FlowPipeline p{};

  explicit Fixture(int n = 100) {
    std::string text;
    for (int i = 1; i <= n; ++i) text += std::to_string(i) + "\n";
    write_file(input, text);
    source = text_source("nums", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, input.c_str(), sum_process);
    sink.name = "nums";
    sink.kind = FLOW_SINK_FILE;
    sink.format = FLOW_FORMAT_CSV;
    sink.csv_header = 1;
    sink.path = output.c_str();
    sink.columns = kColumns;
    sink.column_count = 1;
    p = pipeline_of(&source, 1, &sink, 1);
    p.end_batch = sum_end_batch;
    p.snapshot = sum_snapshot;
    p.restore = sum_restore;
    p.fingerprint = 0xfeedf00dull;
    p.plan_text = "source nums: file lines\nstage 1: sum\nsink nums: file csv\n";
    state() = State{};
  }

  RunResult go(int64_t stop_after = -1, std::vector<std::string> extra = {},
               int64_t crash_in = -1) {
    // A new process: the mock's state starts empty, as generated code's does.
    state() = State{};
    state().stop_after = stop_after;
    state().crash_in = crash_in;
    std::vector<std::string> args = {"--checkpoint", ckpt, "--max-batch-records", "7", "--quiet"};
    for (auto& a : extra) args.push_back(a);
    return run(p, args);
  }
};

std::string expected_output(int n) {
  std::string text = "v\n";
  int64_t sum = 0;
  for (int i = 1; i <= n; ++i) {
    text += std::to_string(i) + "\n";
    sum += i;
  }
  return text + "sum=" + std::to_string(sum) + "\n";
}

}  // namespace

TEST(RuntimeCheckpoint, UninterruptedRunWritesAFinishedCheckpoint) {
  Fixture f;
  RunResult r = f.go();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(f.output), expected_output(100));
  std::string bytes;
  ASSERT_EQ(flowrt::read_checkpoint_file(f.ckpt, &bytes), 0);
  flowrt::CheckpointData d;
  std::string error;
  ASSERT_EQ(flowrt::decode_checkpoint(bytes, &d, &error), flowrt::DecodeStatus::kOk) << error;
  EXPECT_TRUE(d.finished);
  EXPECT_EQ(d.fingerprint, 0xfeedf00dull);
  EXPECT_EQ(d.plan_text, f.p.plan_text);
  ASSERT_EQ(d.sinks.size(), 1u);
  EXPECT_EQ(d.sinks[0].length, static_cast<int64_t>(expected_output(100).size()));

  // A restart has nothing to do and writes nothing.
  RunResult again = f.go();
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(read_file(f.output), expected_output(100));
}

TEST(RuntimeCheckpoint, StopThenRestartContinuesWhereItStopped) {
  Fixture f;
  RunResult first = f.go(/*stop_after=*/30);
  ASSERT_EQ(first.status, 0) << first.err;
  std::string partial = read_file(f.output);
  EXPECT_EQ(partial.find("sum="), std::string::npos);  // final rows only at the end
  ASSERT_GE(state().records, 30);
  int64_t done = state().records;
  int64_t last_batch = state().batch_numbers.back();

  RunResult second = f.go();
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_EQ(read_file(f.output), expected_output(100));
  // Positions: the next record's line, and batch numbers go on.
  ASSERT_FALSE(state().lines.empty());
  EXPECT_EQ(state().lines.front(), done + 1);
  EXPECT_EQ(state().batch_numbers.front(), last_batch + 1);
}

TEST(RuntimeCheckpoint, RowsAfterTheLastCommitAreCutOffOnRestart) {
  Fixture f;
  ASSERT_EQ(f.go(/*stop_after=*/20).status, 0);
  // A crash after more rows were written, before their checkpoint.
  append_file(f.output, "99999\n88888\n");
  RunResult r = f.go();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(f.output), expected_output(100));
}

// Runs the pipeline in a child process that dies (_exit, like kill -9:
// no unwinding, no flush) in end_batch of batch `crash_in`.
int crash_run(Fixture& f, int64_t crash_in) {
  pid_t pid = ::fork();
  if (pid == 0) {
    state().crash_in = crash_in;
    f.go(-1, {}, crash_in);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(RuntimeCheckpoint, ACrashBeforeTheFirstCommitRestartsCleanly) {
  Fixture f;
  EXPECT_EQ(crash_run(f, 0), 9);
  // The header was written at open; the first checkpoint says length 0.
  EXPECT_EQ(read_file(f.output), "v\n");
  RunResult r = f.go();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(f.output), expected_output(100));  // the header once
}

TEST(RuntimeCheckpoint, ACrashBeforeTheFirstCommitKeepsEarlierRows) {
  Fixture f;
  write_file(f.output, "earlier\n");
  EXPECT_EQ(crash_run(f, 0), 9);
  RunResult r = f.go();
  ASSERT_EQ(r.status, 0) << r.err;
  // Not a new file: no header, the earlier rows kept, every row once.
  EXPECT_EQ(read_file(f.output), "earlier\n" + expected_output(100).substr(2));
}

TEST(RuntimeCheckpoint, CrashesAtManyBatchesGiveTheUninterruptedOutput) {
  Fixture f(300);
  for (int64_t batch : {3, 4, 10, 11, 30}) EXPECT_EQ(crash_run(f, batch), 9) << batch;
  RunResult r = f.go();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(f.output), expected_output(300));
}

TEST(RuntimeCheckpoint, AnotherPipelineIsRefusedAndNothingChanges) {
  Fixture f;
  ASSERT_EQ(f.go(/*stop_after=*/20).status, 0);
  append_file(f.output, "uncommitted\n");
  std::string before = read_file(f.output);
  f.p.fingerprint = 0xbadull;
  f.p.plan_text = "source nums: file lines\nstage 1: sum of squares\nsink nums: file csv\n";
  RunResult r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("different pipeline"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 2 of the plan differs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("checkpoint: stage 1: sum"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("this run:   stage 1: sum of squares"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("to start over, delete"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(f.output), before);
}

TEST(RuntimeCheckpoint, ADamagedCheckpointIsRefusedAndNothingChanges) {
  Fixture f;
  ASSERT_EQ(f.go(/*stop_after=*/20).status, 0);
  append_file(f.output, "uncommitted\n");
  std::string before = read_file(f.output);
  std::string path = f.ckpt + "/checkpoint";
  std::string good = read_file(path);

  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x01;
  write_file(path, flipped);
  RunResult r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("checksum"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(f.output), before);

  write_file(path, good.substr(0, good.size() / 2));
  r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(f.output), before);

  // The good one still works.
  write_file(path, good);
  r = f.go();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(f.output), expected_output(100));
}

TEST(RuntimeCheckpoint, StateThatDoesNotReadBackIsRefused) {
  Fixture f;
  ASSERT_EQ(f.go(/*stop_after=*/20).status, 0);
  std::string before = read_file(f.output);
  // Same fingerprint, but restore expects more than snapshot wrote.
  f.p.restore = [](FlowContext*, FlowCkptReader* r) -> int32_t {
    for (int i = 0; i < 3; ++i) flow_ckpt_get_i64(r);
    return flow_ckpt_ok(r);
  };
  RunResult r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("state does not read back"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(f.output), before);
}

TEST(RuntimeCheckpoint, AShortenedSinkOrInputIsRefused) {
  Fixture f;
  ASSERT_EQ(f.go(/*stop_after=*/20).status, 0);
  std::string out = read_file(f.output);
  write_file(f.output, out.substr(0, 4));
  RunResult r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("fewer than the"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(f.output), out.substr(0, 4));

  write_file(f.output, out);
  write_file(f.input, "1\n");
  r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("the input file changed"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(f.output), out);
}

TEST(RuntimeCheckpoint, ManyStopsGiveTheUninterruptedOutput) {
  Fixture f(500);
  for (int i = 0; i < 100; ++i) {
    RunResult r = f.go(/*stop_after=*/1);  // one batch per run
    ASSERT_EQ(r.status, 0) << r.err;
    if (read_file(f.output).find("sum=") != std::string::npos) break;
  }
  EXPECT_EQ(read_file(f.output), expected_output(500));
}

TEST(RuntimeCheckpoint, StdinIsNotResumableAndSaysSo) {
  Fixture f;
  f.source.kind = FLOW_SOURCE_STDIN;
  int fd = ::memfd_create("in", 0);
  std::string text = "1\n2\n3\n";
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::lseek(fd, 0, SEEK_SET);
  state() = State{};
  RunResult r = run(f.p, {"--checkpoint", f.ckpt, "--quiet"}, fd);
  ::close(fd);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("warning: source 'nums' reads stdin, which cannot be resumed"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_file(f.output), "v\n1\n2\n3\nsum=6\n");
}

TEST(RuntimeCheckpoint, OneRunPerDirectory) {
  Fixture f;
  // Hold the lock as another run would.
  std::filesystem::create_directories(f.ckpt);
  int fd = ::open((f.ckpt + "/lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  RunResult r = f.go();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("another run is using the checkpoint directory"), std::string::npos) << r.err;
  ::close(fd);
  EXPECT_EQ(f.go().status, 0);
}

namespace {

int64_t g_gen_sum = 0;
std::vector<int64_t> g_gen_firsts;

void sum_generate(FlowContext*, const FlowBatch*, int64_t first, int64_t count) {
  g_gen_firsts.push_back(first);
  for (int64_t v = first; v < first + count; ++v) g_gen_sum += v;
  if (g_gen_sum > 5000) flowrt::request_stop();
}

void gen_snapshot(FlowContext*, FlowCkptWriter* w) { flow_ckpt_put_i64(w, g_gen_sum); }

int32_t gen_restore(FlowContext*, FlowCkptReader* r) {
  g_gen_sum = flow_ckpt_get_i64(r);
  return flow_ckpt_ok(r);
}

std::vector<int32_t> g_maps;

void map_process(FlowContext* ctx, const FlowBatch*, const FlowRecord*, int64_t) {
  const int32_t* map = flow_csv_column_map(ctx, 0);
  g_maps.assign(map, map + 2);
  flowrt::request_stop();
}

}  // namespace

TEST(RuntimeCheckpoint, GenerateResumesAtItsNextValue) {
  TempDir dir;
  FlowSourceDesc g{};
  g.name = "g";
  g.kind = FLOW_SOURCE_GENERATE;
  g.gen_count = 1000;
  g.generate = sum_generate;
  FlowPipeline p = pipeline_of(&g, 1);
  p.snapshot = gen_snapshot;
  p.restore = gen_restore;
  p.fingerprint = 7;
  std::vector<std::string> args = {"--checkpoint", dir.file("ck"), "--max-batch-records", "10",
                                   "--quiet"};
  g_gen_sum = 0;
  g_gen_firsts.clear();
  ASSERT_EQ(run(p, args).status, 0);
  ASSERT_FALSE(g_gen_firsts.empty());
  int64_t next = g_gen_firsts.back() + 10;
  // Restarts: each stops again at once (the sum is past 5000); the values
  // go on from where the last run stopped, never repeating.
  for (int i = 0; i < 200 && next < 1000; ++i) {
    g_gen_sum = -1;  // restore must replace it
    g_gen_firsts.clear();
    RunResult r = run(p, args);
    ASSERT_EQ(r.status, 0) << r.err;
    if (g_gen_firsts.empty()) break;
    EXPECT_EQ(g_gen_firsts.front(), next);
    next = g_gen_firsts.back() + 10;
  }
  EXPECT_EQ(g_gen_sum, 999 * 1000 / 2);
}

TEST(RuntimeCheckpoint, CsvHeaderColumnMapIsRestored) {
  TempDir dir;
  std::string input = dir.file("in.csv");
  write_file(input, "b,a\n1,2\n3,4\n5,6\n");
  static const FlowColumn fields[] = {{"a", FLOW_TYPE_INT}, {"b", FLOW_TYPE_INT}};
  FlowSourceDesc s = text_source("in", FLOW_SOURCE_FILE, FLOW_FORMAT_CSV, input.c_str(), map_process);
  s.csv_header = 1;
  s.fields = fields;
  s.field_count = 2;
  FlowPipeline p = pipeline_of(&s, 1);
  p.fingerprint = 8;
  std::vector<std::string> args = {"--checkpoint", dir.file("ck"), "--max-batch-records", "1",
                                   "--quiet"};
  g_maps.clear();
  ASSERT_EQ(run(p, args).status, 0);
  EXPECT_EQ(g_maps, (std::vector<int32_t>{1, 0}));
  g_maps.clear();
  RunResult r = run(p, args);  // resumes after the header: no header line to read
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(g_maps, (std::vector<int32_t>{1, 0}));
}
