// runtime/metrics_http.cpp — the --metrics HTTP responder (metrics_http.h).
#include "metrics_http.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io_util.h"

namespace flowrt {

namespace {

constexpr int kListenBacklog = 16;
// Bytes read from a client per call.
constexpr size_t kReadChunk = 2048;

using Clock = std::chrono::steady_clock;

// HOST and PORT of HOST:PORT; the host without IPv6 brackets.
bool split_address(std::string_view address, std::string* host, std::string* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view h = address.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  *host = std::string(h);
  *port = std::string(address.substr(colon + 1));
  return true;
}

std::string numeric_address(const sockaddr* sa, socklen_t len) {
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (::getnameinfo(sa, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "?";
  }
  std::string out;
  if (sa->sa_family == AF_INET6) out += '[';
  out += host;
  if (sa->sa_family == AF_INET6) out += ']';
  out += ':';
  out += port;
  return out;
}

std::string response(int code, const char* reason, std::string_view content_type,
                     const std::string& body, bool head, const char* extra_header = "") {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
  out += "Content-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra_header;
  out += "Connection: close\r\n\r\n";
  if (!head) out += body;
  return out;
}

struct Client {
  int fd;
  Clock::time_point deadline;
  std::string in;
  std::string out;
  size_t sent = 0;
  bool responding = false;
  // The response is out and our side shut down: read (and drop) what the
  // client still sends until it closes, so that closing with unread input
  // does not reset the connection before the client read the response.
  bool draining = false;
};

// The end of the request's headers, or npos.
size_t headers_end(const std::string& in) {
  size_t crlf = in.find("\r\n\r\n");
  size_t lf = in.find("\n\n");
  return std::min(crlf == std::string::npos ? std::string::npos : crlf + 4,
                  lf == std::string::npos ? std::string::npos : lf + 2);
}

}  // namespace

std::string metrics_http_response(std::string_view request, const MetricsServer::Body& body) {
  constexpr std::string_view kText = "text/plain; charset=utf-8";
  size_t eol = request.find('\n');
  std::string_view line = request.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
    return response(400, "Bad Request", kText, "bad request\n", false);
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view path = target.substr(0, target.find('?'));
  const bool head = method == "HEAD";
  if (path != "/metrics") {
    return response(404, "Not Found", kText, "not found: flowc serves /metrics\n", head);
  }
  if (method != "GET" && !head) {
    return response(405, "Method Not Allowed", kText, "use GET\n", false, "Allow: GET, HEAD\r\n");
  }
  return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", body(), head);
}

std::unique_ptr<MetricsServer> MetricsServer::start(std::string_view address, Body body,
                                                    std::string* bound, std::string* error) {
  std::string host, port;
  if (!split_address(address, &host, &port)) {
    *error = "--metrics expects HOST:PORT, got '" + std::string(address) + "'";
    return nullptr;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    *error = "--metrics " + std::string(address) + ": " + ::gai_strerror(rc);
    return nullptr;
  }
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  int last_errno = 0;
  for (addrinfo* ai = found; ai != nullptr && server->listen_fd_ < 0; ai = ai->ai_next) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, kListenBacklog) != 0) {
      last_errno = errno;
      ::close(fd);
      continue;
    }
    server->listen_fd_ = fd;
  }
  ::freeaddrinfo(found);
  if (server->listen_fd_ < 0) {
    *error = "cannot serve metrics on " + std::string(address) + ": " + std::strerror(last_errno);
    return nullptr;
  }
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  ::getsockname(server->listen_fd_, reinterpret_cast<sockaddr*>(&local), &len);
  *bound = numeric_address(reinterpret_cast<sockaddr*>(&local), len);
  if (::pipe2(server->stop_fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
    *error = "cannot serve metrics: " + errno_text(errno);
    return nullptr;
  }
  server->body_ = std::move(body);
  server->thread_ = std::thread([s = server.get()] { s->serve(); });
  return server;
}

MetricsServer::~MetricsServer() {
  if (thread_.joinable()) {
    [[maybe_unused]] ssize_t n = ::write(stop_fds_[1], "s", 1);
    thread_.join();
  }
  for (int fd : {listen_fd_, stop_fds_[0], stop_fds_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void MetricsServer::serve() {
  std::vector<Client> clients;
  std::vector<pollfd> fds;
  auto close_client = [&](size_t i) {
    ::close(clients[i].fd);
    clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(i));
  };
  while (true) {
    fds.clear();
    fds.push_back({stop_fds_[0], POLLIN, 0});
    fds.push_back({clients.size() < kMaxClients ? listen_fd_ : -1, POLLIN, 0});
    Clock::time_point now = Clock::now();
    int timeout = -1;
    for (const Client& c : clients) {
      fds.push_back({c.fd, static_cast<short>(c.responding && !c.draining ? POLLOUT : POLLIN), 0});
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - now).count();
      int ms = static_cast<int>(std::max<int64_t>(left, 0) + 1);
      timeout = timeout < 0 ? ms : std::min(timeout, ms);
    }
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) return;
    if (fds[0].revents != 0) return;  // stop

    now = Clock::now();
    // Clients first (their pollfds follow the first two), newest last.
    for (size_t i = clients.size(); i-- > 0;) {
      Client& c = clients[i];
      short revents = fds[2 + i].revents;
      if (now >= c.deadline || (revents & (POLLERR | POLLNVAL))) {
        close_client(i);
        continue;
      }
      if (c.draining) {
        char buf[kReadChunk];
        ssize_t n = (revents & (POLLIN | POLLHUP)) ? ::recv(c.fd, buf, sizeof buf, 0) : -1;
        if (n == 0 || (n < 0 && revents != 0 && errno != EAGAIN && errno != EINTR)) close_client(i);
        continue;
      }
      if (!c.responding && (revents & (POLLIN | POLLHUP))) {
        char buf[kReadChunk];
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          close_client(i);  // gone before asking anything
          continue;
        }
        if (n > 0) c.in.append(buf, static_cast<size_t>(n));
        size_t end = headers_end(c.in);
        if (end != std::string::npos && end <= kMaxRequestBytes) {
          c.out = metrics_http_response(c.in, body_);
          c.responding = true;
        } else if (c.in.size() > kMaxRequestBytes) {
          c.out = response(431, "Request Header Fields Too Large", "text/plain; charset=utf-8",
                           "request too large\n", false);
          c.responding = true;
        }
      }
      if (c.responding) {
        ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
        if (n > 0) c.sent += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
          close_client(i);
        } else if (c.sent == c.out.size()) {
          ::shutdown(c.fd, SHUT_WR);
          c.draining = true;  // until the client closes, or its deadline
        }
      }
    }
    if (fds[1].revents & POLLIN) {
      while (clients.size() < kMaxClients) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        clients.push_back({fd, Clock::now() + kClientDeadline, {}, {}, 0, false});
      }
    }
  }
}

}  // namespace flowrt
