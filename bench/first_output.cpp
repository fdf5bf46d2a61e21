// bench/first_output.cpp — start-up time: runs a command RUNS times with
// its stdout on a pipe and reports the minimum time from fork to the first
// byte of output, and to exit.
//
//   first_output RUNS CMD [ARGS...]     prints "FIRST_MS TOTAL_MS"
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {
double now_ms() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: first_output RUNS CMD [ARGS...]\n");
    return 2;
  }
  int runs = std::atoi(argv[1]);
  double best_first = 1e300, best_total = 1e300;
  for (int r = 0; r < runs; ++r) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      execvp(argv[2], argv + 2);
      _exit(127);
    }
    close(fds[1]);
    char buf[4096];
    double first = -1;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
      if (first < 0) first = now_ms() - t0;
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    double total = now_ms() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || first < 0) {
      std::fprintf(stderr, "first_output: %s failed (status %d)\n", argv[2], status);
      return 1;
    }
    if (first < best_first) best_first = first;
    if (total < best_total) best_total = total;
  }
  std::printf("%.1f %.1f\n", best_first, best_total);
  return 0;
}
