// runtime/metrics_http.h — the small HTTP/1.1 responder behind --metrics:
// one thread, poll(2) over the listening socket and a few clients.
//
//   GET /metrics      200, text/plain; version=0.0.4 (HEAD: the headers)
//   other paths       404        other methods   405
//   a request line and headers longer than kMaxRequestBytes: 431
//
// Every response closes its connection. A client gets kClientDeadline from
// its connection to the end of its response; one that is slower (or sends
// nothing) is cut off, and at most kMaxClients are served at once, so no
// client can keep the others waiting for long. The thread only calls the
// body function, which reads the published metrics snapshot.
#ifndef FLOWC_RUNTIME_METRICS_HTTP_H
#define FLOWC_RUNTIME_METRICS_HTTP_H

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace flowrt {

// A request (line and headers) longer than this is refused: a scrape is a
// few hundred bytes.
inline constexpr size_t kMaxRequestBytes = 8192;
// From accepting a connection to having written its response.
inline constexpr std::chrono::milliseconds kClientDeadline{2000};
// Connections served at once; more wait in the listen backlog.
inline constexpr size_t kMaxClients = 16;

class MetricsServer {
 public:
  using Body = std::function<std::string()>;

  // Binds HOST:PORT (see valid_metrics_address) and starts the thread.
  // *bound receives the address actually bound (numeric, the port filled
  // in). Null with *error.
  static std::unique_ptr<MetricsServer> start(std::string_view address, Body body,
                                              std::string* bound, std::string* error);
  ~MetricsServer();  // closes the socket and joins the thread
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

 private:
  MetricsServer() = default;
  void serve();

  int listen_fd_ = -1;
  int stop_fds_[2] = {-1, -1};
  Body body_;
  std::thread thread_;
};

// The response to one request (exposed for tests): `request` holds the
// request line and headers.
std::string metrics_http_response(std::string_view request, const MetricsServer::Body& body);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_METRICS_HTTP_H
