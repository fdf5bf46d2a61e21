// tests/unit/runtime_test_support.h — helpers for the runtime tests: temp
// dirs, running a hand-written FlowPipeline with captured stdout/stderr,
// and mock "generated code" that records what the runtime hands it.
#ifndef FLOWC_TESTS_RUNTIME_TEST_SUPPORT_H
#define FLOWC_TESTS_RUNTIME_TEST_SUPPORT_H

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "abi.h"
#include "runtime.h"

namespace rt_test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "flowc_rt_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

inline void append_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string read_fd(int fd) {
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `pipeline` with argv {"test", args...}; stdout and stderr go to
// memory files that are returned.
inline RunResult run(const FlowPipeline& pipeline, std::vector<std::string> args = {},
                     int stdin_fd = -1) {
  std::vector<std::string> storage = {"test"};
  for (auto& a : args) storage.push_back(a);
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int out = ::memfd_create("out", 0);
  int err = ::memfd_create("err", 0);
  flowrt::RuntimeIo io;
  io.stdout_fd = out;
  io.stderr_fd = err;
  io.stdout_is_tty = 0;
  if (stdin_fd >= 0) io.stdin_fd = stdin_fd;
  RunResult r;
  r.status = flowrt::run_pipeline(&pipeline, static_cast<int>(storage.size()), argv.data(), io);
  r.out = read_fd(out);
  r.err = read_fd(err);
  ::close(out);
  ::close(err);
  return r;
}

// ---- mock generated code ----

struct Seen {
  std::vector<std::string> records;
  std::vector<int64_t> lines;
  std::vector<int64_t> offsets;
  std::vector<int64_t> batch_of_record;  // FlowBatch.number when handed over
  std::vector<int64_t> chunk_sizes;      // per process/generate call
  std::vector<int64_t> batch_sizes;      // records per end_batch call
  std::vector<int> finals;               // end_batch's `final`
  std::vector<int64_t> batch_starts;
  std::vector<std::vector<int32_t>> column_maps;  // per process call (source 0)
  int64_t since_end = 0;
};

inline Seen& seen() {
  static Seen s;
  return s;
}

inline void reset_seen() { seen() = Seen{}; }

// Records every record it is given.
inline void collect_process(FlowContext* ctx, const FlowBatch* batch, const FlowRecord* recs,
                            int64_t n) {
  Seen& s = seen();
  s.chunk_sizes.push_back(n);
  for (int64_t i = 0; i < n; ++i) {
    s.records.emplace_back(recs[i].ptr, static_cast<size_t>(recs[i].len));
    s.lines.push_back(recs[i].line);
    s.offsets.push_back(recs[i].offset);
    s.batch_of_record.push_back(batch->number);
  }
  s.since_end += n;
}

// As collect_process, and writes each record as a one-column row to sink 0.
inline void echo_process(FlowContext* ctx, const FlowBatch* batch, const FlowRecord* recs,
                         int64_t n) {
  collect_process(ctx, batch, recs, n);
  for (int64_t i = 0; i < n; ++i) {
    flow_sink_begin_row(ctx, 0);
    flow_sink_string(ctx, 0, recs[i].ptr, recs[i].len);
    flow_sink_end_row(ctx, 0);
  }
}

inline void record_end_batch(FlowContext*, const FlowBatch* batch, int32_t final) {
  Seen& s = seen();
  s.batch_sizes.push_back(s.since_end);
  s.finals.push_back(final);
  s.batch_starts.push_back(batch->start_ms);
  s.since_end = 0;
}

inline FlowSourceDesc text_source(const char* name, int32_t kind, int32_t format,
                                  const char* path, FlowProcessFn process) {
  FlowSourceDesc d{};
  d.name = name;
  d.kind = kind;
  d.format = format;
  d.path = path;
  d.csv_delimiter = ',';
  d.on_error = FLOW_ON_ERROR_SKIP;
  d.process = process;
  return d;
}

inline FlowPipeline pipeline_of(const FlowSourceDesc* sources, int32_t n_sources,
                                const FlowSinkDesc* sinks = nullptr, int32_t n_sinks = 0) {
  FlowPipeline p{};
  p.name = "test";
  p.batch_ms = 1000;
  p.sources = sources;
  p.source_count = n_sources;
  p.sinks = sinks;
  p.sink_count = n_sinks;
  p.end_batch = record_end_batch;
  return p;
}

}  // namespace rt_test

#endif  // FLOWC_TESTS_RUNTIME_TEST_SUPPORT_H
