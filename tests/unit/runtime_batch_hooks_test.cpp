// The batch loop's hooks (runtime/batch_loop.cpp, context.h, sink.h,
// transaction.h): a fake source and a fake transactional sink record every
// call the loop makes, so the order LANGUAGE.md 10 and 12 "Kafka." and the
// README's "Kafka" section promise is checked without a broker: begin ->
// rows -> end_batch -> sinks write -> at a commit point: sources join the
// first transaction offered, sinks commit, the checkpoint is written,
// sources commit; on failure: sinks and sources abort.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "batch_loop.h"
#include "checkpoint.h"
#include "checkpoint_file.h"
#include "context.h"
#include "runtime_test_support.h"
#include "sink.h"
#include "transaction.h"

using namespace rt_test;

namespace {

std::vector<std::string>& calls() {
  static std::vector<std::string> c;
  return c;
}

void log_call(std::string what) { calls().push_back(std::move(what)); }

// Where the checkpoint stands when a hook runs: "ck=N" with N the next
// batch of DIR/checkpoint, "" without a checkpoint directory.
std::string g_checkpoint_dir;

std::string checkpoint_mark() {
  if (g_checkpoint_dir.empty()) return "";
  std::string bytes, error;
  flowrt::CheckpointData data;
  if (flowrt::read_checkpoint_file(g_checkpoint_dir, &bytes) != 0 ||
      flowrt::decode_checkpoint(bytes, &data, &error) != flowrt::DecodeStatus::kOk) {
    return " ck=none";
  }
  return " ck=" + std::to_string(data.next_batch);
}

// Mock generated code: each record becomes a row of sink 0 (and of sink 1
// when there is one).
void rows_process(FlowContext* ctx, const FlowBatch*, const FlowRecord* recs, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    log_call("process " + std::string(recs[i].ptr, static_cast<size_t>(recs[i].len)));
    for (int32_t sink = 0; sink < static_cast<int32_t>(ctx->sinks.size()); ++sink) {
      flow_sink_begin_row(ctx, sink);
      flow_sink_string(ctx, sink, recs[i].ptr, recs[i].len);
      flow_sink_end_row(ctx, sink);
    }
  }
}

void log_end_batch(FlowContext*, const FlowBatch* batch, int32_t final) {
  log_call("end_batch " + std::to_string(batch->number) + (final ? " final" : ""));
}

// Hands its records over one per pump. With `cut_after`, asks for a cut once
// that many were handed over, until its next commit (as a kafka source
// does when a rebalance revokes partitions).
class FakeSource final : public flowrt::Source {
 public:
  FakeSource(const FlowSourceDesc* d, std::vector<std::string> records, int64_t cut_after)
      : Source(0, d), records_(std::move(records)), cut_after_(cut_after) {}

  bool open(FlowContext*) override { return true; }
  Pump pump(FlowContext* ctx, int64_t) override {
    if (cut_pending_) {
      // The loop should have ended the batch: fail rather than wait for
      // the hour-long batch deadline.
      if (++pumps_during_cut_ > kPumpsDuringCut) ctx->set_error("the batch was not cut");
      return Pump::kIdle;
    }
    if (next_ >= records_.size()) {
      ended = true;
      return Pump::kEnded;
    }
    const std::string& r = records_[next_++];
    FlowRecord rec{r.data(), static_cast<int64_t>(r.size()), static_cast<int64_t>(next_), 0};
    ctx->deliver(this, &rec, 1);
    if (cut_after_ >= 0 && next_ == static_cast<size_t>(cut_after_)) cut_pending_ = true;
    return Pump::kProgress;
  }
  bool probe_end(FlowContext*) override { return next_ >= records_.size(); }
  int64_t wait_ms(int64_t) const override { return 1; }

  bool begin_batch(FlowContext*) override {
    log_call("source begin");
    return true;
  }
  bool cut_requested() const override { return cut_pending_; }
  bool join_transaction(FlowContext* ctx, flowrt::Transaction& txn) override {
    log_call("source join");
    return txn.add_kafka_offsets(ctx, nullptr, nullptr);
  }
  bool commit(FlowContext*, const flowrt::CommitPoint& at) override {
    log_call(std::string("source commit") + (at.final_batch ? " final" : "") +
             (at.transaction != nullptr ? " in-transaction" : "") + checkpoint_mark());
    cut_pending_ = false;
    return true;
  }
  void abort_batch(FlowContext*) override { log_call("source abort"); }

 private:
  static constexpr int kPumpsDuringCut = 100;
  std::vector<std::string> records_;
  size_t next_ = 0;
  int pumps_during_cut_ = 0;
  int64_t cut_after_;
  bool cut_pending_ = false;
};

struct SinkBehaviour {
  bool transactional = true;
  bool fail_write = false;
  bool fail_offsets = false;
};

// CSV rows into memory; with `transactional`, offers itself as the
// transaction the sources join.
class FakeSink final : public flowrt::Sink, public flowrt::Transaction {
 public:
  FakeSink(int32_t i, const FlowSinkDesc* d, SinkBehaviour b)
      : Sink(i, d, flowrt::RowFormat::Framing::kLines), b_(b), tag_("sink" + std::to_string(i)) {}

  bool open(FlowContext* ctx, int64_t) override { return choose_format(ctx, FLOW_FORMAT_CSV); }
  bool begin_batch(FlowContext*) override {
    log_call(tag_ + " begin");
    return true;
  }
  bool write_batch(FlowContext* ctx) override {
    std::string rows = format_.pending().text;
    while (!rows.empty() && rows.back() == '\n') rows.pop_back();
    for (char& c : rows) {
      if (c == '\n') c = ' ';
    }
    log_call(tag_ + " write " + rows);
    drain(ctx);
    if (b_.fail_write) ctx->set_error(tag_ + ": cannot write");
    return !b_.fail_write;
  }
  flowrt::Transaction* transaction() override { return b_.transactional ? this : nullptr; }
  bool add_kafka_offsets(FlowContext* ctx, const rd_kafka_topic_partition_list_t*,
                         const rd_kafka_consumer_group_metadata_t*) override {
    log_call(tag_ + " takes offsets");
    if (b_.fail_offsets) ctx->set_error(tag_ + ": offsets refused");
    return !b_.fail_offsets;
  }
  bool add_kafka_message(FlowContext*, const std::string& topic, int32_t, std::string_view,
                         const std::string*) override {
    log_call(tag_ + " takes a message to " + topic);
    return true;
  }
  bool commit(FlowContext*) override {
    log_call(tag_ + " commit" + checkpoint_mark());
    return true;
  }
  void abort_batch(FlowContext* ctx) override {
    log_call(tag_ + " abort");
    Sink::abort_batch(ctx);
  }

 protected:
  bool drain(FlowContext*) override {
    format_.pending().clear();
    return true;
  }

 private:
  SinkBehaviour b_;
  std::string tag_;
};

const FlowColumn kColumns[] = {{"record", FLOW_TYPE_STRING}};

// A pipeline of one FakeSource and FakeSinks, run through run_batches.
struct Harness {
  FlowSourceDesc source_desc{};
  FlowSinkDesc sink_descs[3]{};
  FlowPipeline pipeline{};
  FlowContext ctx;
  int err_fd = ::memfd_create("err", 0);
  std::unique_ptr<flowrt::Checkpointer> checkpointer;

  Harness(std::vector<std::string> records, std::vector<SinkBehaviour> sinks,
          int64_t max_batch_records, int64_t cut_after = -1) {
    // A stop requested by an earlier test in this process would end the
    // first batch: run_pipeline clears it, so run an empty pipeline first.
    FlowPipeline empty = pipeline_of(nullptr, 0);
    empty.end_batch = nullptr;
    run(empty, {"--quiet"});
    calls().clear();
    g_checkpoint_dir.clear();

    source_desc = text_source("src", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, nullptr, rows_process);
    for (size_t i = 0; i < sinks.size(); ++i) {
      sink_descs[i].name = "out";
      sink_descs[i].kind = FLOW_SINK_STDOUT;  // no file: nothing in the checkpoint
      sink_descs[i].format = FLOW_FORMAT_CSV;
      sink_descs[i].columns = kColumns;
      sink_descs[i].column_count = 1;
    }
    pipeline = pipeline_of(&source_desc, 1, sink_descs, static_cast<int32_t>(sinks.size()));
    pipeline.batch_ms = 3'600'000;  // batches end by record count, cut or end of input
    pipeline.end_batch = log_end_batch;
    ctx.pipeline = &pipeline;
    ctx.io.stdout_fd = err_fd;
    ctx.io.stderr_fd = err_fd;
    ctx.opts.max_batch_records = max_batch_records;
    ctx.bad.init(&pipeline);
    ctx.sources.push_back(
        std::make_unique<FakeSource>(&source_desc, std::move(records), cut_after));
    for (size_t i = 0; i < sinks.size(); ++i) {
      ctx.sinks.push_back(
          std::make_unique<FakeSink>(static_cast<int32_t>(i), &sink_descs[i], sinks[i]));
    }
  }
  ~Harness() { ::close(err_fd); }

  // Checkpoints into `dir`, at most every `every_ms` (0: every batch).
  void use_checkpoint(const std::string& dir, int64_t every_ms) {
    checkpointer = std::make_unique<flowrt::Checkpointer>(dir, every_ms);
    ctx.checkpoint = checkpointer.get();
    ASSERT_EQ(checkpointer->start(&ctx), flowrt::Checkpointer::Start::kFresh) << ctx.error;
    g_checkpoint_dir = dir;
  }

  int run_loop() {
    for (auto& sink : ctx.sinks) EXPECT_TRUE(sink->open(&ctx, -1));
    calls().clear();
    return flowrt::run_batches(&ctx, -1);
  }
};

using Calls = std::vector<std::string>;

TEST(RuntimeBatchHooks, ATransactionalSinkCommitsWithTheSourcesOffsetsEachBatch) {
  Harness h({"a", "b", "c"}, {SinkBehaviour{}}, 2);
  ASSERT_EQ(h.run_loop(), 0) << h.ctx.error;
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "source begin",
                         "process a",
                         "process b",
                         "end_batch 0",
                         "sink0 write a b",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 commit",
                         "source commit in-transaction",
                         "sink0 begin",
                         "source begin",
                         "process c",
                         "end_batch 1 final",
                         "sink0 write c",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 commit",
                         "source commit final in-transaction",
                     }));
}

TEST(RuntimeBatchHooks, WithoutATransactionSourcesCommitThemselvesAfterTheSinksWrite) {
  Harness h({"a", "b"}, {SinkBehaviour{false, false, false}}, 5);
  ASSERT_EQ(h.run_loop(), 0) << h.ctx.error;
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "source begin",
                         "process a",
                         "process b",
                         "end_batch 0 final",
                         "sink0 write a b",
                         "sink0 commit",
                         "source commit final",
                     }));
}

TEST(RuntimeBatchHooks, SourcesJoinOnlyTheFirstTransactionOfferedAndEverySinkCommits) {
  const SinkBehaviour plain{false, false, false};
  Harness h({"a"}, {plain, SinkBehaviour{}, SinkBehaviour{}}, 5);
  // Sink 0 offers none, sinks 1 and 2 do: the offsets go to sink 1 only.
  ASSERT_EQ(h.run_loop(), 0) << h.ctx.error;
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "sink1 begin",
                         "sink2 begin",
                         "source begin",
                         "process a",
                         "end_batch 0 final",
                         "sink0 write a",
                         "sink1 write a",
                         "sink2 write a",
                         "source join",
                         "sink1 takes offsets",
                         "sink0 commit",
                         "sink1 commit",
                         "sink2 commit",
                         "source commit final in-transaction",
                     }));
}

TEST(RuntimeBatchHooks, TransactionsCommitBeforeTheCheckpointAndSourcesAfterIt) {
  TempDir dir;
  Harness h({"a", "b"}, {SinkBehaviour{}}, 1);
  h.use_checkpoint(dir.file("ck"), 0);
  ASSERT_EQ(h.run_loop(), 0) << h.ctx.error;
  // ck=N: the checkpoint on disk says "next batch N" when the hook runs.
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "source begin",
                         "process a",
                         "end_batch 0",
                         "sink0 write a",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 commit ck=0",
                         "source commit in-transaction ck=1",
                         "sink0 begin",
                         "source begin",
                         "process b",
                         "end_batch 1 final",
                         "sink0 write b",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 commit ck=1",
                         "source commit final in-transaction ck=2",
                     }));
}

TEST(RuntimeBatchHooks, ACutEndsTheBatchAndForcesACommitPointBetweenCheckpoints) {
  TempDir dir;
  // Two records per batch, a checkpoint due every hour only: batch 0 is cut
  // after its first record and committed; batch 1 is full but no commit
  // point (the transaction stays open across it); batch 2 is the last.
  Harness h({"a", "b", "c", "d", "e"}, {SinkBehaviour{}}, 2, /*cut_after=*/1);
  h.use_checkpoint(dir.file("ck"), 3'600'000);
  ASSERT_EQ(h.run_loop(), 0) << h.ctx.error;
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "source begin",
                         "process a",
                         "end_batch 0",
                         "sink0 write a",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 commit ck=0",
                         "source commit in-transaction ck=1",
                         "sink0 begin",
                         "source begin",
                         "process b",
                         "process c",
                         "end_batch 1",
                         "sink0 write b c",
                         "sink0 begin",
                         "source begin",
                         "process d",
                         "process e",
                         "end_batch 2 final",
                         "sink0 write d e",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 commit ck=1",
                         "source commit final in-transaction ck=3",
                     }));
}

TEST(RuntimeBatchHooks, AFailedWriteAbortsEverySinkAndSourceAndCommitsNothing) {
  Harness h({"a", "b"}, {SinkBehaviour{true, true, false}, SinkBehaviour{}}, 5);
  EXPECT_EQ(h.run_loop(), 3);
  EXPECT_EQ(h.ctx.error, "sink0: cannot write");
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "sink1 begin",
                         "source begin",
                         "process a",
                         "process b",
                         "end_batch 0 final",
                         "sink0 write a b",
                         "sink1 write a b",
                         "sink0 abort",
                         "sink1 abort",
                         "source abort",
                     }));
}

TEST(RuntimeBatchHooks, ARefusedJoinAbortsTheBatchBeforeAnySinkCommits) {
  Harness h({"a"}, {SinkBehaviour{true, false, true}}, 5);
  EXPECT_EQ(h.run_loop(), 3);
  EXPECT_EQ(h.ctx.error, "sink0: offsets refused");
  EXPECT_EQ(calls(), (Calls{
                         "sink0 begin",
                         "source begin",
                         "process a",
                         "end_batch 0 final",
                         "sink0 write a",
                         "source join",
                         "sink0 takes offsets",
                         "sink0 abort",
                         "source abort",
                     }));
}

}  // namespace
