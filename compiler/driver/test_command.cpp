// compiler/driver/test_command.cpp — `flowc test PIPELINE.flow CASE_DIR...`
// (LANGUAGE.md 13): run a pipeline on each case folder's inputs and
// compare what it wrote with the folder's `expected/` files.
//
// Each case runs as `flowc run PIPELINE ARGS` in a child process (the
// runtime owns its process: standard streams, signals, the working
// directory), in a fresh copy of the case folder without `expected/`, with
// stdin from the case's `stdin` file (else empty) and stdout and stderr
// captured (`expected/stderr`, beyond LANGUAGE.md 13, checks bad-record
// messages; add --quiet to `args` to leave out the summary line). The
// compile cache makes every case after the first start at once.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "driver/commands.h"
#include "driver/frontend.h"
#include "driver/row_diff.h"

namespace flowc {

namespace {

namespace fs = std::filesystem;

constexpr const char* kTestHelp =
    "usage: flowc test PIPELINE.flow CASE_DIR... [--timeout D] [--keep] [--no-cache]\n\n"
    "Runs the pipeline once per case folder and compares what it wrote with the\n"
    "folder's expected/ files. Exit status 0 when every case passes, 1 when one\n"
    "fails (or the pipeline does not compile), 2 on a usage error.\n\n"
    "A case folder holds:\n"
    "  inputs      the files the pipeline reads; connector paths are relative to a\n"
    "              fresh copy of the folder, which is the run's working directory\n"
    "  stdin       optional: the run's standard input (stdin() sources); else empty\n"
    "  args        optional: run options, one a line, each split on spaces\n"
    "              (--max-batch-records 4, --param threshold=500); # starts a comment\n"
    "  expected/   the files the run must write, at the same paths\n"
    "              (expected/out/rows.csv for file(\"out/rows.csv\")), and\n"
    "              expected/stdout and expected/stderr for the standard streams\n\n"
    "Rows are compared in order, field by field: CSV fields, or JSON lines' members\n"
    "(same names, same order). Numbers compare by value (2.5 = 2.50 = 25e-1; integers\n"
    "exactly), everything else by text. Each mismatch prints the rows that differ.\n\n"
    "options:\n"
    "  --timeout D     stop a case's run after D and fail it (default 60s)\n"
    "  --keep          keep each case's working copy and print where it is\n"
    "  --no-cache      compile without the compile cache (see flowc run --help)\n";

// A case's run that takes longer than this fails (a followed file or a
// socket that never ends would otherwise hang the test run).
constexpr int64_t kDefaultTimeoutMs = 60'000;
// After a timeout's SIGTERM, the run has this long to finish its batch.
constexpr auto kTermGrace = std::chrono::seconds(5);
// Differing rows shown per file.
constexpr size_t kShownDiffRows = 20;
// Lines of a failed run's stderr shown.
constexpr size_t kShownStderrLines = 20;

struct TestOptions {
  std::string pipeline;  // absolute
  std::vector<std::string> cases;
  int64_t timeout_ms = kDefaultTimeoutMs;
  bool keep = false;
  bool no_cache = false;
};

std::string read_file(const fs::path& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (ok != nullptr) *ok = static_cast<bool>(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The run options of a case: its `args` file, one option a line.
std::vector<std::string> case_args(const fs::path& dir) {
  std::vector<std::string> args;
  std::ifstream in(dir / "args");
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream words(line);
    std::string word;
    while (words >> word) args.push_back(word);
  }
  return args;
}

// A private directory under $TMPDIR, removed unless kept.
class Scratch {
 public:
  bool create() {
    std::error_code ec;
    std::string pattern = (fs::temp_directory_path(ec) / "flowc-test-XXXXXX").string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr) return false;
    path_ = pattern;
    return true;
  }
  void keep() { kept_ = true; }
  ~Scratch() {
    std::error_code ec;
    if (!path_.empty() && !kept_) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool kept_ = false;
};

struct RunResult {
  bool started = false;
  bool timed_out = false;
  int status = -1;  // exit status, or 128 + signal
  std::string error;
};

// `flowc run PIPELINE ARGS` in `work`, stdin from `stdin_path` (or
// /dev/null), stdout and stderr into files.
RunResult run_case(const TestOptions& opts, const std::vector<std::string>& args,
                   const fs::path& work, const fs::path& stdin_path, const fs::path& out_path,
                   const fs::path& err_path) {
  RunResult result;
  std::vector<std::string> argv_storage = {"flowc", "run", opts.pipeline};
  if (opts.no_cache) argv_storage.push_back("--no-cache");
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    result.error = std::string("cannot start the run: ") + std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    int in = ::open(stdin_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::chdir(work.c_str()) != 0 || ::dup2(in, 0) < 0 ||
        ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
      ::_exit(127);
    }
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  result.started = true;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(opts.timeout_ms);
  bool terminated = false;
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      result.error = std::string("lost the run: ") + std::strerror(errno);
      return result;
    }
    auto now = std::chrono::steady_clock::now();
    if (!terminated && now >= deadline) {
      // SIGTERM first: the run finishes its batch and writes what it has.
      ::kill(pid, SIGTERM);
      terminated = true;
      result.timed_out = true;
    } else if (terminated && now >= deadline + kTermGrace) {
      ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// Every regular file under `dir`, as paths relative to it, sorted.
std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string tail_lines(const std::string& text, size_t n) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (size_t k = 0; k < n && pos != std::string::npos && pos > 0; ++k) {
    pos = text.rfind('\n', pos - 1);
  }
  std::string tail = pos == std::string::npos ? text : text.substr(pos + 1);
  std::string out;
  std::istringstream lines(tail);
  std::string line;
  while (std::getline(lines, line)) out += "    " + line + "\n";
  return out;
}

// Runs one case; prints PASS or FAIL with the reasons. True when it passed.
bool test_case(const TestOptions& opts, const std::string& case_dir) {
  const fs::path dir(case_dir);
  const auto started = std::chrono::steady_clock::now();
  std::string failure;  // what to print under FAIL
  auto fail = [&](const std::string& text) { failure += text; };

  Scratch scratch;
  if (!scratch.create()) {
    std::cout << "FAIL " << case_dir << "\n  cannot create a temporary directory\n";
    return false;
  }
  const fs::path work = scratch.path() / "work";
  std::error_code ec;
  fs::create_directory(work, ec);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == "expected") continue;
    fs::copy(entry.path(), work / entry.path().filename(), fs::copy_options::recursive,
             ec);  // symlinks followed: cases may share data
    if (ec) break;
  }
  const fs::path expected_dir = dir / "expected";
  std::vector<fs::path> expected = files_under(expected_dir);
  if (ec) {
    fail("  cannot copy the case folder: " + ec.message() + "\n");
  } else if (expected.empty()) {
    fail(
        "  no expected/ files: nothing to compare (add expected/stdout or the files the run "
        "writes)\n");
  }

  if (failure.empty()) {
    const fs::path stdin_path = fs::exists(dir / "stdin") ? dir / "stdin" : fs::path("/dev/null");
    const fs::path out_path = scratch.path() / "stdout";
    const fs::path err_path = scratch.path() / "stderr";
    RunResult run =
        run_case(opts, case_args(dir), work, fs::absolute(stdin_path), out_path, err_path);
    std::string err_text = read_file(err_path);
    if (!run.started) {
      fail("  " + run.error + "\n");
    } else if (run.timed_out) {
      fail("  the run did not end within " + std::to_string(opts.timeout_ms / 1000) +
           " s (stopped; see --timeout)\n");
    } else if (run.status != 0) {
      fail("  the run exited with status " + std::to_string(run.status) + ":\n" +
           tail_lines(err_text, kShownStderrLines));
    }
    if (failure.empty()) {
      for (const fs::path& rel : expected) {
        bool written = true;
        std::string want = read_file(expected_dir / rel);
        std::string got = rel == "stdout"   ? read_file(out_path)
                          : rel == "stderr" ? err_text
                                            : read_file(work / rel, &written);
        if (!written) {
          fail("  " + rel.string() + ": not written by the run\n");
          continue;
        }
        std::string diff = diff_rows(want, got, kShownDiffRows, "    ");
        if (!diff.empty()) fail("  " + rel.string() + ":\n" + diff);
      }
    }
  }

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.2f s", seconds);
  std::cout << (failure.empty() ? "PASS " : "FAIL ") << case_dir << " (" << elapsed << ")\n"
            << failure;
  if (opts.keep) {
    scratch.keep();
    std::cout << "  kept: " << work.string() << "\n";
  }
  std::cout.flush();
  return failure.empty();
}

}  // namespace

const char* test_help() { return kTestHelp; }

int run_test(const std::vector<std::string>& args, int, char**) {
  auto usage = [](const std::string& message) {
    std::cerr << "flowc test: error: " << message << "\n"
              << "run 'flowc test --help' for usage\n";
    return 2;
  };
  TestOptions opts;
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kTestHelp;
      return 0;
    } else if (a == "--keep") {
      opts.keep = true;
    } else if (a == "--no-cache") {
      opts.no_cache = true;
    } else if (a == "--timeout" || a.rfind("--timeout=", 0) == 0) {
      std::string d = a == "--timeout" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(10);
      std::optional<int64_t> ms = parse_duration_arg(d);
      if (!ms) return usage("--timeout needs a duration such as 30s or 2m");
      opts.timeout_ms = *ms;
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option '" + a + "'");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage("no pipeline file");
  if (paths.size() < 2) return usage("no case folder (flowc test PIPELINE.flow CASE_DIR...)");
  std::error_code ec;
  opts.pipeline = fs::absolute(paths[0], ec).string();
  for (size_t i = 1; i < paths.size(); ++i) {
    if (!fs::is_directory(paths[i], ec)) return usage("'" + paths[i] + "' is not a folder");
    opts.cases.push_back(paths[i]);
  }
  // One check up front, so that a pipeline that does not compile is
  // reported once rather than per case.
  FrontendResult checked = run_frontend(paths[0], FrontendOptions{}, std::cerr);
  if (!checked.pipeline) return checked.exit_code == 2 ? 2 : 1;

  size_t passed = 0;
  for (const std::string& c : opts.cases) {
    if (test_case(opts, c)) ++passed;
  }
  const size_t failed = opts.cases.size() - passed;
  std::cout << "\nflowc test: " << opts.cases.size() << " case"
            << (opts.cases.size() == 1 ? "" : "s") << ", " << passed << " passed, " << failed
            << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace flowc
