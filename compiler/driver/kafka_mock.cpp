// compiler/driver/kafka_mock.cpp — `flowc kafka-mock`: librdkafka's mock
// cluster (rdkafka_mock.h) on loopback, for trying kafka(...) sources and
// sinks without a broker, and for the tests in tests/kafka/.
//
// It prints the bootstrap address (one line) on stdout and serves until
// SIGINT or SIGTERM. Lines on stdin control it (faults for tests); each
// command is answered with one line, `ok` or `error: ...`.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "driver/commands.h"

namespace flowc {
namespace {

constexpr const char* kKafkaMockHelp =
    "usage: flowc kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...\n\n"
    "Starts librdkafka's mock Kafka cluster on 127.0.0.1, prints its bootstrap\n"
    "address (one line, e.g. 127.0.0.1:38243,127.0.0.1:41367) on stdout and\n"
    "serves until SIGINT or SIGTERM. Produce, fetch, consumer groups and\n"
    "offset commits work; data lives in memory only. Topics that do not exist\n"
    "are created on first use with 4 partitions.\n\n"
    "options:\n"
    "  --brokers N              number of brokers (default 1)\n"
    "  --topic NAME:PARTITIONS  create a topic (repeatable)\n\n"
    "Control (one command per line on stdin, answered `ok` or `error: ...`):\n"
    "  topic NAME PARTITIONS           create a topic\n"
    "  broker-down ID | broker-up ID   take a broker (1..N) down or back up\n"
    "  rtt ID MS                       delay a broker's responses\n"
    "  request-errors API ERROR COUNT  fail the next COUNT requests of API\n"
    "                                  (Produce, Fetch, OffsetCommit, ... or a\n"
    "                                  number) with ERROR (a Kafka error name\n"
    "                                  such as NOT_LEADER_FOR_PARTITION, or a\n"
    "                                  number)\n"
    "  clear-errors API                drop pending request errors of API\n"
    "  leader TOPIC PARTITION ID       move a partition's leader\n"
    "  topic-error TOPIC ERROR         make a topic fail metadata requests\n";

volatile sig_atomic_t g_stop = 0;
int g_wake[2] = {-1, -1};

void on_signal(int) {
  g_stop = 1;
  if (g_wake[1] >= 0) {
    int saved = errno;
    [[maybe_unused]] ssize_t n = ::write(g_wake[1], "x", 1);
    errno = saved;
  }
}

const std::map<std::string, int16_t>& api_keys() {
  // Kafka protocol API keys (rdkafka_protocol.h is not installed).
  static const std::map<std::string, int16_t> keys = {
      {"produce", 0},      {"fetch", 1},           {"listoffsets", 2},
      {"metadata", 3},     {"offsetcommit", 8},    {"offsetfetch", 9},
      {"findcoordinator", 10}, {"joingroup", 11},  {"heartbeat", 12},
      {"leavegroup", 13},  {"syncgroup", 14},      {"apiversion", 18},
      {"initproducerid", 22}, {"addpartitionstotxn", 24}, {"addoffsetstotxn", 25},
      {"endtxn", 26},      {"txnoffsetcommit", 28},
  };
  return keys;
}

bool parse_int(const std::string& s, long long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

bool parse_api(std::string s, int16_t* out) {
  long long n;
  if (parse_int(s, &n)) {
    *out = static_cast<int16_t>(n);
    return true;
  }
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = api_keys().find(s);
  if (it == api_keys().end()) return false;
  *out = it->second;
  return true;
}

bool parse_error(const std::string& s, rd_kafka_resp_err_t* out) {
  long long n;
  if (parse_int(s, &n)) {
    *out = static_cast<rd_kafka_resp_err_t>(n);
    return true;
  }
  const struct rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name != nullptr && s == descs[i].name) {
      *out = static_cast<rd_kafka_resp_err_t>(descs[i].code);
      return true;
    }
  }
  return false;
}

// One control line; returns the answer.
std::string control(rd_kafka_mock_cluster_t* mc, const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string t; in >> t;) w.push_back(t);
  if (w.empty()) return "";
  auto result = [](rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? std::string("ok")
                                             : std::string("error: ") + rd_kafka_err2str(err);
  };
  long long a = 0, b = 0;
  const std::string& cmd = w[0];
  if (cmd == "topic" && w.size() == 3 && parse_int(w[2], &a) && a > 0) {
    return result(rd_kafka_mock_topic_create(mc, w[1].c_str(), static_cast<int>(a), 1));
  }
  if ((cmd == "broker-down" || cmd == "broker-up") && w.size() == 2 && parse_int(w[1], &a)) {
    return result(cmd == "broker-down" ? rd_kafka_mock_broker_set_down(mc, static_cast<int32_t>(a))
                                       : rd_kafka_mock_broker_set_up(mc, static_cast<int32_t>(a)));
  }
  if (cmd == "rtt" && w.size() == 3 && parse_int(w[1], &a) && parse_int(w[2], &b)) {
    return result(rd_kafka_mock_broker_set_rtt(mc, static_cast<int32_t>(a), static_cast<int>(b)));
  }
  if (cmd == "request-errors" && w.size() == 4) {
    int16_t api;
    rd_kafka_resp_err_t err;
    if (!parse_api(w[1], &api)) return "error: unknown API '" + w[1] + "'";
    if (!parse_error(w[2], &err)) return "error: unknown error '" + w[2] + "'";
    if (!parse_int(w[3], &a) || a <= 0 || a > 100000) return "error: bad count '" + w[3] + "'";
    std::vector<rd_kafka_resp_err_t> errs(static_cast<size_t>(a), err);
    rd_kafka_mock_push_request_errors_array(mc, api, errs.size(), errs.data());
    return "ok";
  }
  if (cmd == "clear-errors" && w.size() == 2) {
    int16_t api;
    if (!parse_api(w[1], &api)) return "error: unknown API '" + w[1] + "'";
    rd_kafka_mock_clear_request_errors(mc, api);
    return "ok";
  }
  if (cmd == "leader" && w.size() == 4 && parse_int(w[2], &a) && parse_int(w[3], &b)) {
    return result(rd_kafka_mock_partition_set_leader(mc, w[1].c_str(), static_cast<int32_t>(a),
                                                     static_cast<int32_t>(b)));
  }
  if (cmd == "topic-error" && w.size() == 3) {
    rd_kafka_resp_err_t err;
    if (!parse_error(w[2], &err)) return "error: unknown error '" + w[2] + "'";
    rd_kafka_mock_topic_set_error(mc, w[1].c_str(), err);
    return "ok";
  }
  return "error: unknown command '" + line + "' (see flowc kafka-mock --help)";
}

int usage(const std::string& message) {
  std::cerr << "flowc kafka-mock: error: " << message << "\n"
            << "run 'flowc kafka-mock --help' for usage\n";
  return 2;
}

}  // namespace

const char* kafka_mock_help() { return kKafkaMockHelp; }

int run_kafka_mock(const std::vector<std::string>& args, int, char**) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name, std::string* out) {
      std::string prefix = std::string(name) + "=";
      if (a.rfind(prefix, 0) == 0) {
        *out = a.substr(prefix.size());
        return true;
      }
      if (a == name && i + 1 < args.size()) {
        *out = args[++i];
        return true;
      }
      return false;
    };
    std::string v;
    long long n;
    if (a == "--help" || a == "-h") {
      std::cout << kKafkaMockHelp;
      return 0;
    } else if (a.rfind("--brokers", 0) == 0) {
      if (!value("--brokers", &v) || !parse_int(v, &n) || n < 1 || n > 32) {
        return usage("--brokers needs a number from 1 to 32");
      }
      brokers = static_cast<int>(n);
    } else if (a.rfind("--topic", 0) == 0) {
      size_t colon;
      if (!value("--topic", &v) || (colon = v.rfind(':')) == std::string::npos || colon == 0 ||
          !parse_int(v.substr(colon + 1), &n) || n < 1 || n > 10000) {
        return usage("--topic needs NAME:PARTITIONS, e.g. --topic events:12");
      }
      topics.emplace_back(v.substr(0, colon), static_cast<int>(n));
    } else {
      return usage("unknown option '" + a + "'");
    }
  }

  // The mock cluster lives inside a client handle; this one never connects.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk == nullptr) {
    std::cerr << "flowc kafka-mock: error: " << errstr << "\n";
    return 3;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (mc == nullptr) {
    std::cerr << "flowc kafka-mock: error: cannot start the mock cluster\n";
    rd_kafka_destroy(rk);
    return 3;
  }
  for (const auto& [name, parts] : topics) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name.c_str(), parts, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cerr << "flowc kafka-mock: error: topic '" << name << "': " << rd_kafka_err2str(err)
                << "\n";
      rd_kafka_mock_cluster_destroy(mc);
      rd_kafka_destroy(rk);
      return 3;
    }
  }

  if (::pipe(g_wake) != 0) g_wake[0] = g_wake[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  std::fflush(stdout);

  std::string pending;
  bool stdin_open = true;
  while (!g_stop) {
    pollfd fds[2] = {{g_wake[0], POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
    int rc = ::poll(fds, 2, -1);
    if (rc < 0) continue;  // EINTR: g_stop is checked
    if (!stdin_open || !(fds[1].revents & (POLLIN | POLLHUP))) continue;
    char buf[4096];
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n <= 0) {
      stdin_open = false;  // e.g. </dev/null: keep serving until a signal
      continue;
    }
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      std::string answer = control(mc, line);
      if (!answer.empty()) {
        std::printf("%s\n", answer.c_str());
        std::fflush(stdout);
      }
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

}  // namespace flowc
