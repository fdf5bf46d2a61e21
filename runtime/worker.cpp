// runtime/worker.cpp — the worker pool and the in-order commit of morsels
// (worker.h).
#include "worker.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>

#include "context.h"
#include "flow_stdlib.h"
#include "metrics.h"
#include "sink.h"
#include "udf_alloc.h"

namespace flowrt {

namespace {

thread_local Worker* t_worker = nullptr;

// Morsels queued per thread before the submitting thread runs one itself.
constexpr size_t kQueuedPerThread = 2;

// How long a thread out of work spins before it sleeps. A sleeping thread
// takes tens of microseconds to wake (more in a virtual machine, whose idle
// CPU halts), and every batch's end and start pays that twice; spinning
// costs at most this much CPU per wait.
constexpr int64_t kSpinNs = 50'000;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Spins until `counter` is no longer `seen` (true) or kSpinNs pass (false).
bool spin_for_change(const std::atomic<int64_t>& counter, int64_t seen) {
  const int64_t until = steady_ns() + kSpinNs;
  for (int i = 1;; ++i) {
    if (counter.load(std::memory_order_acquire) != seen) return true;
    if (i % 64 == 0 && steady_ns() > until) return false;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
}

}  // namespace

Worker* current_worker() { return t_worker; }

Workers::Workers(FlowContext* ctx, int32_t threads) : ctx_(ctx) {
  for (int32_t i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    w->late.assign(static_cast<size_t>(ctx->pipeline->stream_count), 0);
    workers_.push_back(std::move(w));
  }
  interval_busy_ns_.assign(workers_.size(), 0);
  interval_read_ns_.assign(workers_.size(), 0);
  run_start_ns_ = interval_start_ns_ = steady_ns();
  for (size_t i = 1; i < workers_.size(); ++i) {
    threads_.emplace_back([this, w = workers_[i].get()] { pool_loop(w); });
  }
}

Workers::~Workers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    ++posted_;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  for (auto& w : workers_) flow_arena_free(&w->scratch);
}

void Workers::submit_records(Source* source, const FlowRecord* records, int64_t n, bool copy,
                             int64_t arrival) {
  Task task;
  task.source = source;
  task.arrival = arrival;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!spare_records_.empty()) {
      task.records = std::move(spare_records_.back());
      spare_records_.pop_back();
    }
    if (copy && !spare_bytes_.empty()) {
      task.bytes = std::move(spare_bytes_.back());
      spare_bytes_.pop_back();
    }
  }
  if (!copy) {
    task.records.assign(records, records + n);
    enqueue(std::move(task));
    return;
  }
  task.records.assign(records, records + n);
  // Records lie one after another in the source's buffer: one copy of
  // their span, the views moved by its offset. Otherwise one by one.
  const char* lo = n > 0 ? records[0].ptr : nullptr;
  const char* hi = lo;
  size_t total = 0;
  bool ascending = true;
  for (int64_t i = 0; i < n; ++i) {
    const FlowRecord& r = records[i];
    ascending = ascending && r.ptr >= hi;
    hi = std::max(hi, r.ptr + r.len);
    total += static_cast<size_t>(r.len);
  }
  const size_t span = static_cast<size_t>(hi - lo);
  if (ascending && span <= 2 * total + 4096) {
    if (task.bytes.size() < span) task.bytes.resize(span);
    if (span > 0) std::memcpy(task.bytes.data(), lo, span);
    for (FlowRecord& r : task.records) r.ptr = task.bytes.data() + (r.ptr - lo);
  } else {
    if (task.bytes.size() < total) task.bytes.resize(total);
    char* at = task.bytes.data();
    for (FlowRecord& r : task.records) {
      if (r.len > 0) std::memcpy(at, r.ptr, static_cast<size_t>(r.len));
      r.ptr = at;
      at += r.len;
    }
  }
  enqueue(std::move(task));
}

void Workers::submit_values(Source* source, int64_t first, int64_t n, int64_t arrival) {
  Task task;
  task.source = source;
  task.arrival = arrival;
  task.first = first;
  task.count = n;
  enqueue(std::move(task));
}

void Workers::run_jobs(std::vector<std::function<void()>>& jobs) {
  for (std::function<void()>& job : jobs) {
    Task task;
    task.job = std::move(job);
    enqueue(std::move(task));
  }
  drain();
}

void Workers::enqueue(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    task.seq = submitted_++;
    if (task.source != nullptr && !task.records.empty() && task.bytes.empty()) {
      in_place_.emplace(task.seq, std::make_pair(task.source, task.records[0].offset));
    }
    queue_.push_back(std::move(task));
    ++posted_;
  }
  work_cv_.notify_one();
  // Enough queued to keep every thread busy: this thread takes a share too
  // (and the reading waits that long), so that queued input stays bounded.
  for (;;) {
    std::unique_lock<std::mutex> lock(mu_);
    if (queue_.size() <= kQueuedPerThread * workers_.size()) break;
    Task oldest = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    run(*workers_[0], oldest);
  }
  commit_ready();  // rows held back stay few
}

void Workers::run_aside(std::function<void()> job) {
  if (!parallel()) {
    job();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    aside_.push_back(std::move(job));
    ++aside_pending_;
    ++posted_;
  }
  work_cv_.notify_one();
}

// One aside job on `w`'s thread, counted as its reading (lock held on
// entry and on return).
void Workers::run_aside_job(Worker& w, std::unique_lock<std::mutex>& lock) {
  std::function<void()> job = std::move(aside_.front());
  aside_.pop_front();
  ++running_;
  lock.unlock();
  const int64_t start = steady_ns();
  job();
  const int64_t took = steady_ns() - start;
  lock.lock();
  w.read_ns += took;
  --running_;
  --aside_pending_;
  ++finished_;
  done_cv_.notify_all();
}

void Workers::wait(std::condition_variable& cv, const std::atomic<int64_t>& counter,
                   std::unique_lock<std::mutex>& lock) {
  const int64_t seen = counter.load(std::memory_order_relaxed);
  lock.unlock();
  const bool changed = spin_for_change(counter, seen);
  lock.lock();
  // The counter moves under the lock, so no change is missed between this
  // check and the wait (which releases the lock as it starts).
  if (!changed && counter.load(std::memory_order_relaxed) == seen) cv.wait(lock);
}

void Workers::pool_loop(Worker* w) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (!stopping_ && queue_.empty() && aside_.empty()) wait(work_cv_, posted_, lock);
    if (stopping_) return;
    if (!aside_.empty()) {
      run_aside_job(*w, lock);
      continue;
    }
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    run(*w, task);
    lock.lock();
    --running_;
    ++finished_;
    done_cv_.notify_all();
  }
}

// One morsel on `w`: the generated function with the worker as the calling
// thread's (flow_worker_index), its rows and bad records into its output.
void Workers::run(Worker& w, Task& task) {
  std::unique_ptr<MorselOutput> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!spare_outputs_.empty()) {
      out = std::move(spare_outputs_.back());
      spare_outputs_.pop_back();
    }
  }
  if (!out) {
    out = std::make_unique<MorselOutput>();
    out->rows.reserve(ctx_->sinks.size());
    for (const auto& sink : ctx_->sinks) out->rows.push_back(sink->row_format_like());
  }
  out->seq = task.seq;
  out->row_counts.assign(ctx_->sinks.size(), 0);
  out->bad.clear();
  const int64_t start = steady_ns();
  t_worker = &w;
  w.out = out.get();
  w.arrival_first = task.arrival;
  const FlowSourceDesc* desc = task.source != nullptr ? task.source->desc : nullptr;
  if (task.job) {
    task.job();
  } else if (task.count > 0) {
    if (desc->generate != nullptr) desc->generate(ctx_, &ctx_->batch, task.first, task.count);
  } else if (desc->process != nullptr) {
    desc->process(ctx_, &ctx_->batch, task.records.data(),
                  static_cast<int64_t>(task.records.size()));
  }
  flow_arena_reset(&w.scratch);
  udf_use_arena(nullptr);
  w.out = nullptr;
  t_worker = nullptr;
  const int64_t took = steady_ns() - start;
  std::lock_guard<std::mutex> lock(mu_);  // utilisation() reads the times under it
  w.busy_ns += took;
  in_place_.erase(task.seq);
  done_.emplace(out->seq, std::move(out));
  const size_t keep = kQueuedPerThread * workers_.size() + 2;
  if (!task.bytes.empty() && spare_bytes_.size() < keep) {
    spare_bytes_.push_back(std::move(task.bytes));
  }
  if (task.records.capacity() > 0 && spare_records_.size() < keep) {
    spare_records_.push_back(std::move(task.records));
  }
}

int64_t Workers::read_in_place_from(const Source* source) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t from = std::numeric_limits<int64_t>::max();
  for (const auto& [seq, use] : in_place_) {
    if (use.first == source) from = std::min(from, use.second);
  }
  return from;
}

void Workers::drain() {
  Worker& main = *workers_[0];
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!aside_.empty()) {
      run_aside_job(main, lock);
      continue;
    }
    if (!queue_.empty()) {
      Task task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      run(main, task);
      lock.lock();
      continue;
    }
    if (running_ == 0) break;
    wait(done_cv_, finished_, lock);
  }
  lock.unlock();
  commit_ready();
  fold_pending_ = false;
  for (auto& w : workers_) {
    if (!w->error.empty()) {
      if (w->error_is_internal) ctx_->internal_error(w->error);
      else ctx_->set_error(w->error);
      w->error.clear();
      w->error_is_internal = false;
    }
    ctx_->counters.late += w->late_total;
    w->late_total = 0;
    for (size_t s = 0; s < w->late.size(); ++s) {
      if (w->late[s] == 0) continue;
      if (ctx_->metrics != nullptr) ctx_->metrics->count_late(static_cast<int32_t>(s), w->late[s]);
      w->late[s] = 0;
    }
  }
}

void Workers::commit_ready() {
  for (;;) {
    std::unique_ptr<MorselOutput> out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = done_.find(committed_);
      if (it == done_.end()) return;
      out = std::move(it->second);
      done_.erase(it);
    }
    committing_ = true;
    commit(*out);
    committing_ = false;
    ++committed_;
    fold_pending_ = true;
    std::lock_guard<std::mutex> lock(mu_);  // its formatters' buffers serve again
    if (spare_outputs_.size() < kQueuedPerThread * workers_.size() + 2) {
      spare_outputs_.push_back(std::move(out));
    }
  }
}

// A morsel's effects, in the order one thread would have had them: its
// rows and bad records interleave only by sink, which keeps each sink's
// order, and bad records go out in the order they were found.
void Workers::commit(MorselOutput& out) {
  for (size_t i = 0; i < ctx_->sinks.size(); ++i) {
    ctx_->sinks[i]->append(ctx_, out.rows[i], out.row_counts[i]);
  }
  for (PendingBad& bad : out.bad) {
    bad.rec.ptr = bad.bytes.data();
    Source& src = *ctx_->sources[static_cast<size_t>(bad.source)];
    src.delivering = true;
    ctx_->bad.report(ctx_, bad.source, bad.has_rec ? &bad.rec : nullptr, bad.message);
    src.delivering = false;
  }
}

void Workers::merge_state() {
  if (ctx_->pipeline->merge == nullptr || workers_.size() < 2) return;
  const int64_t start = steady_ns();
  const auto parts = static_cast<int32_t>(workers_.size());
  for (size_t i = 1; i < workers_.size(); ++i) {
    const auto worker = static_cast<int32_t>(i);
    if (auto* found = ctx_->pipeline->merge_found) {
      std::vector<std::function<void()>> jobs;
      for (int32_t part = 0; part < parts; ++part) {
        jobs.emplace_back([this, found, worker, part, parts] { found(ctx_, worker, part, parts); });
      }
      run_jobs(jobs);
    }
    ctx_->pipeline->merge(ctx_, worker);
  }
  merge_ns_ += steady_ns() - start;
}

std::string Workers::utilisation(bool interval) {
  const int64_t now = steady_ns();
  const int64_t since = interval ? interval_start_ns_ : run_start_ns_;
  const double span = static_cast<double>(std::max<int64_t>(now - since, 1));
  auto percent = [&](int64_t ns) { return 100.0 * static_cast<double>(ns) / span; };
  char buf[32];
  std::string text;
  // Each thread's share of one of its times (since the last interval).
  auto per_thread = [&](const char* what, int64_t Worker::* ns, std::vector<int64_t>& last) {
    text += what;
    for (size_t i = 0; i < workers_.size(); ++i) {
      const int64_t now_ns = (*workers_[i]).*ns;
      std::snprintf(buf, sizeof buf, " %.0f%%",
                    std::min(100.0, percent(now_ns - (interval ? last[i] : 0))));
      text += buf;
      if (interval) last[i] = now_ns;
    }
  };
  std::lock_guard<std::mutex> lock(mu_);  // pool threads add their times under it
  per_thread("busy", &Worker::busy_ns, interval_busy_ns_);
  per_thread(", reading", &Worker::read_ns, interval_read_ns_);
  std::snprintf(buf, sizeof buf, ", merge %.1f%%",
                percent(merge_ns_ - (interval ? interval_merge_ns_ : 0)));
  text += buf;
  std::snprintf(buf, sizeof buf, ", batch ends %.1f%%",
                percent(batch_end_ns_ - (interval ? interval_batch_end_ns_ : 0)));
  text += buf;
  if (interval) {
    interval_start_ns_ = now;
    interval_merge_ns_ = merge_ns_;
    interval_batch_end_ns_ = batch_end_ns_;
  }
  return text;
}

int64_t steady_now_ns() { return steady_ns(); }

}  // namespace flowrt
