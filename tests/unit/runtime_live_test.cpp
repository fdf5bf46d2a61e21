// Live inputs: followed files (appends, rotation by rename), TCP sockets,
// stopping on request and on SIGTERM. Every test is bounded by timeouts.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "runtime_test_support.h"

using namespace rt_test;
using namespace std::chrono_literals;

namespace {

// The live tests' process functions run on the runtime's thread while the
// test thread watches: guard the shared list.
std::mutex g_mu;
std::vector<std::string> g_records;
std::vector<int64_t> g_lines;
std::atomic<int> g_end_batches{0};
std::atomic<int> g_last_final{-1};

void reset_live() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_records.clear();
  g_lines.clear();
  g_end_batches = 0;
  g_last_final = -1;
}

void live_process(FlowContext*, const FlowBatch*, const FlowRecord* recs, int64_t n) {
  std::lock_guard<std::mutex> lock(g_mu);
  for (int64_t i = 0; i < n; ++i) {
    g_records.emplace_back(recs[i].ptr, static_cast<size_t>(recs[i].len));
    g_lines.push_back(recs[i].line);
  }
}

void live_end_batch(FlowContext*, const FlowBatch*, int32_t final) {
  ++g_end_batches;
  g_last_final = final;
}

size_t record_count() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_records.size();
}

// Waits (at most `limit`) until `pred` holds.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

FlowPipeline live_pipeline(const FlowSourceDesc* src) {
  FlowPipeline p = pipeline_of(src, 1);
  p.end_batch = live_end_batch;
  return p;
}

TEST(RuntimeFollow, TailsAppendsAndSurvivesRotationByRename) {
  reset_live();
  TempDir dir;
  std::string path = dir.file("app.log");
  write_file(path, "one\n");
  FlowSourceDesc src = text_source("logs", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, path.c_str(),
                                   live_process);
  src.follow = 1;
  FlowPipeline p = live_pipeline(&src);

  std::thread writer([&] {
    bool ok = wait_until([] { return record_count() >= 1; });
    append_file(path, "tw");  // a line arriving in two writes
    std::this_thread::sleep_for(120ms);
    append_file(path, "o\n");
    ok = ok && wait_until([] { return record_count() >= 2; });
    // Rotate: rename away, the writer still appends to the old file, then a
    // new file appears at the path.
    std::rename(path.c_str(), (path + ".1").c_str());
    append_file(path + ".1", "three\nfour");  // no final newline
    std::this_thread::sleep_for(100ms);
    write_file(path, "five\n");
    ok = ok && wait_until([] { return record_count() >= 5; });
    // Idle: empty batches keep coming at the interval.
    int batches = g_end_batches;
    ok = ok && wait_until([&] { return g_end_batches >= batches + 2; });
    flowrt::request_stop();
  });
  RunResult r = run(p, {"--quiet", "--batch", "100ms"});
  writer.join();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(g_records, (std::vector<std::string>{"one", "two", "three", "four", "five"}));
  EXPECT_EQ(g_lines, (std::vector<int64_t>{1, 2, 3, 4, 1}));
  EXPECT_EQ(g_last_final.load(), 0);  // stopped, not ended
}

TEST(RuntimeFollow, SigtermStopsAfterTheCurrentBatch) {
  reset_live();
  TempDir dir;
  std::string path = dir.file("app.log");
  write_file(path, "x\n");
  FlowSourceDesc src = text_source("logs", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, path.c_str(),
                                   live_process);
  src.follow = 1;
  FlowPipeline p = live_pipeline(&src);
  std::thread killer([&] {
    // The handler is installed before the first record is handed over.
    if (wait_until([] { return record_count() >= 1; })) ::kill(::getpid(), SIGTERM);
  });
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = run(p, {"--quiet", "--batch", "10s"});
  killer.join();
  EXPECT_EQ(r.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_EQ(g_end_batches.load(), 1);
  EXPECT_EQ(g_last_final.load(), 0);
}

class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int accept() { return ::accept(fd_, nullptr, nullptr); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(RuntimeSocket, ReadsLinesUntilThePeerCloses) {
  reset_live();
  Listener server;
  std::string address = server.address();
  std::thread peer([&] {
    int c = server.accept();
    if (c < 0) return;
    auto send = [&](const std::string& s) { (void)!::write(c, s.data(), s.size()); };
    send("alpha\nbe");
    std::this_thread::sleep_for(150ms);  // idle: the runtime must wait, not end
    send("ta\r\n\ngamma");
    ::close(c);
  });
  FlowSourceDesc src = text_source("sock", FLOW_SOURCE_SOCKET, FLOW_FORMAT_LINES, address.c_str(),
                                   live_process);
  FlowPipeline p = live_pipeline(&src);
  RunResult r = run(p, {"--quiet", "--batch", "50ms"});
  peer.join();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(g_records, (std::vector<std::string>{"alpha", "beta", "", "gamma"}));
  EXPECT_EQ(g_last_final.load(), 1);
  EXPECT_GE(g_end_batches.load(), 2);
}

TEST(RuntimeSocket, ConnectionRefusedIsARuntimeError) {
  std::string address;
  {
    Listener closed;
    address = closed.address();
  }  // nothing listens there any more
  FlowSourceDesc src = text_source("sock", FLOW_SOURCE_SOCKET, FLOW_FORMAT_LINES, address.c_str(),
                                   live_process);
  FlowPipeline p = live_pipeline(&src);
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.err, "flowc: error: cannot connect to \"" + address + "\": Connection refused\n");
}

TEST(RuntimeSources, SeveralSourcesInterleave) {
  reset_live();
  TempDir dir;
  std::string a = dir.file("a.txt"), b = dir.file("b.txt");
  write_file(a, "a1\na2\n");
  write_file(b, "b1\n");
  FlowSourceDesc srcs[2] = {
      text_source("a", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, a.c_str(), live_process),
      text_source("b", FLOW_SOURCE_FILE, FLOW_FORMAT_LINES, b.c_str(), live_process)};
  FlowPipeline p = pipeline_of(srcs, 2);
  p.end_batch = live_end_batch;
  RunResult r = run(p, {"--quiet"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(g_records, (std::vector<std::string>{"a1", "a2", "b1"}));
  EXPECT_EQ(g_end_batches.load(), 1);
  EXPECT_EQ(g_last_final.load(), 1);
}

}  // namespace
