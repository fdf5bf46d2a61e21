// runtime/worker.h — all cores, same answer (LANGUAGE.md 13 "--threads";
// issue 16): morsels of a batch's input run the generated fused loop on
// worker threads, and every effect they have comes out as on one thread.
//
//   a morsel       consecutive records of one source (a chunk the source
//                  hands over: FlowContext::deliver), numbered in arrival
//                  order; its numbering never depends on the thread count
//   worker 0       the batch-loop thread; its thread-local generated state
//                  is the pipeline's state (tables that end_batch fires and
//                  checkpoints write)
//   workers 1..N-1 pool threads; their generated state is partial, folded
//                  into worker 0's at the batch's end by the generated
//                  merge (FlowPipeline.merge) — exact, so in any order
//
// A morsel's rows and bad records are kept with it and committed in
// morsel order, so sinks, dead letters and the first ten messages come out
// as on one thread. Only sources whose every stateful operator combines
// exactly run in parallel (FlowSourceDesc.parallel, decided by codegen);
// the others run on the batch-loop thread, in order, once every morsel
// before them is committed.
#ifndef FLOWC_RUNTIME_WORKER_H
#define FLOWC_RUNTIME_WORKER_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "abi.h"
#include "sink_format.h"

namespace flowrt {

class Source;

// A bad record found while a morsel ran: reported when it commits.
struct PendingBad {
  int32_t source = 0;
  bool has_rec = false;  // generate()'s bad values have no record
  FlowRecord rec{};
  std::string bytes;  // rec.ptr points here
  std::string message;
};

// What one morsel did, kept until every morsel before it is committed.
struct MorselOutput {
  int64_t seq = 0;
  std::vector<RowFormat> rows;        // per sink, in the sink's format
  std::vector<int64_t> row_counts;    // per sink
  std::vector<PendingBad> bad;
};

// One thread's view of the run (flow_worker_index).
struct Worker {
  int32_t index = 0;
  FlowArena scratch{};
  MorselOutput* out = nullptr;  // the running morsel's output
  // Folded into the run at each drain: late rows per stream, the first
  // error, time spent in generated code.
  std::vector<int64_t> late;
  int64_t late_total = 0;
  std::string error;
  bool error_is_internal = false;
  int64_t busy_ns = 0;
  int64_t read_ns = 0;  // in the sources and aside jobs (Workers::add_read)
  int64_t arrival_first = 0;  // the running morsel's (abi.h flow_arrival_first)
};

// A monotonic clock in ns (the accounting above).
int64_t steady_now_ns();

// The calling thread's worker while it runs a morsel; null otherwise
// (everything then goes straight to the run, as on one thread).
Worker* current_worker();

class Workers {
 public:
  // threads - 1 pool threads plus the batch-loop thread (none with 1: then
  // only the accounting of --progress and the summary is kept).
  Workers(FlowContext* ctx, int32_t threads);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  int32_t threads() const { return static_cast<int32_t>(workers_.size()); }
  bool parallel() const { return workers_.size() > 1; }

  // A morsel of a parallel source, run by any worker: its records, and with
  // `copy` their bytes too (the source may then reuse its buffer at once:
  // its reads never wait for the workers). With enough morsels queued, the
  // caller runs the oldest itself; the finished prefix is committed on the
  // way.
  // `arrival`: the run's source records delivered before these
  // (flow_arrival_first).
  void submit_records(Source* source, const FlowRecord* records, int64_t n, bool copy,
                      int64_t arrival);
  // A morsel of generate(): the values [first, first + n).
  void submit_values(Source* source, int64_t first, int64_t n, int64_t arrival);
  // Jobs of a batch's end (sorting, emitting an aggregate's rows: abi.h
  // flow_sort_parallel, flow_emit_parallel), each run by any worker as a
  // morsel is: their rows and bad records are written in job order. Returns
  // when all ran and are committed. Call on the batch-loop thread, outside
  // morsels.
  void run_jobs(std::vector<std::function<void()>>& jobs);

  // Work aside from the records (prefetching a mapped file's next window,
  // releasing pages behind it): run by a pool thread before the next
  // morsel, never by the batch-loop thread outside drain(); drain() waits
  // for it too. Must not touch the pipeline's state or outputs.
  void run_aside(std::function<void()> job);

  // The lowest input offset of `source`'s records that morsels queued or
  // running read in place (not a copy); INT64_MAX when none do.
  int64_t read_in_place_from(const Source* source);

  // Morsels handed over and not committed yet, or committed with their
  // workers' late counts and errors not folded into the run yet (false
  // while committing: what a commit reports comes in its place).
  bool in_flight() const {
    return (submitted_ != committed_ || fold_pending_ || aside_pending_.load() > 0) && !committing_;
  }

  // Runs queued morsels on this thread too, waits for all, and commits
  // their outputs in order; then folds the workers' late counts and
  // errors into the run. Call on the batch-loop thread.
  void drain();

  // The batch's end, after drain(): folds every pool worker's partial state
  // into worker 0's (FlowPipeline.merge).
  void merge_state();

  // Time the batch-loop thread spends in generated code outside morsels
  // (a sequential source's records), in merge_state and in end_batch.
  void add_busy(int64_t ns) { workers_[0]->busy_ns += ns; }
  void add_merge(int64_t ns) { merge_ns_ += ns; }
  // Time the batch-loop thread spends in the sources (reading, cutting
  // records, handing morsels over and committing them) outside the
  // pipeline's code: fill_batch times each pump and takes off what this
  // thread's busy and reading times counted meanwhile (morsels it ran,
  // aside jobs: batch_thread_counted before and after). Aside jobs count
  // as reading on the thread that runs them.
  void add_read(int64_t ns) { workers_[0]->read_ns += ns; }
  int64_t batch_thread_counted() const { return workers_[0]->busy_ns + workers_[0]->read_ns; }
  void add_batch_end(int64_t ns) { batch_end_ns_ += ns; }

  // Where the time went, for --progress (since the last call: `interval`)
  // and the summary (the whole run): `busy 90% 85%, reading 8% 10%, merge
  // 0.4%, batch ends 1.2%` — each thread's share of the time in generated
  // code and in reading (add_read, aside jobs), and the batch-loop
  // thread's in folding partial state and in ending batches.
  std::string utilisation(bool interval);

 private:
  struct Task {
    int64_t seq = 0;
    Source* source = nullptr;
    std::vector<FlowRecord> records;  // a text morsel: into `bytes`, or a mapped file
    std::vector<char> bytes;          // the copy; recycled through spare_bytes_
    int64_t first = 0, count = 0;     // a generate() morsel
    int64_t arrival = 0;              // flow_arrival_first
    std::function<void()> job;        // a job of run_jobs
  };
  void enqueue(Task task);
  // Waits on `cv` (lock held) until `counter` moves, spinning a little
  // first (worker.cpp kSpinNs); may return early, as a condition wait may.
  void wait(std::condition_variable& cv, const std::atomic<int64_t>& counter,
            std::unique_lock<std::mutex>& lock);
  void pool_loop(Worker* w);
  void run_aside_job(Worker& w, std::unique_lock<std::mutex>& lock);
  void run(Worker& w, Task& task);
  void commit_ready();
  void commit(MorselOutput& out);

  FlowContext* ctx_;
  std::vector<std::unique_ptr<Worker>> workers_;  // [0]: the batch-loop thread
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Task> queue_;
  std::deque<std::function<void()>> aside_;  // run_aside's, before queue_'s
  std::atomic<int> aside_pending_{0};        // queued or running
  // Moved under mu_ whenever work is posted (a task, an aside job, the
  // stop) and whenever a running task finishes: what waiters spin on.
  std::atomic<int64_t> posted_{0}, finished_{0};
  // Kept for the next morsels, so that a morsel allocates nothing (fresh
  // pages fault, and freed ones flush every CPU's TLB).
  std::vector<std::vector<char>> spare_bytes_;  // of finished text morsels
  std::vector<std::vector<FlowRecord>> spare_records_;
  std::vector<std::unique_ptr<MorselOutput>> spare_outputs_;  // committed
  std::map<int64_t, std::unique_ptr<MorselOutput>> done_;  // by seq
  // Morsels queued or running that read their source's bytes in place: by
  // seq, the source and the offset of their first record.
  std::map<int64_t, std::pair<const Source*, int64_t>> in_place_;
  int64_t submitted_ = 0;   // next seq
  int64_t committed_ = 0;   // morsels committed
  int running_ = 0;
  bool stopping_ = false;
  bool committing_ = false;
  bool fold_pending_ = false;  // a morsel committed since the last drain
  int64_t interval_start_ns_ = 0;
  std::vector<int64_t> interval_busy_ns_;
  std::vector<int64_t> interval_read_ns_;
  int64_t interval_merge_ns_ = 0, interval_batch_end_ns_ = 0;
  int64_t run_start_ns_ = 0;
  int64_t merge_ns_ = 0, batch_end_ns_ = 0;
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_WORKER_H
