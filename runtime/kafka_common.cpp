// runtime/kafka_common.cpp — connector options and what consumers and
// producers share: configuration, librdkafka's logs and errors.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "io_util.h"
#include "kafka_connector.h"

namespace flowrt {

KafkaOptions parse_kafka_options(const char* const* options, int32_t pairs) {
  KafkaOptions o;
  for (int32_t i = 0; options != nullptr && i < pairs; ++i) {
    const char* k = options[2 * i];
    const char* v = options[2 * i + 1];
    std::string name = k ? k : "";
    std::string value = v ? v : "";
    if (name == "brokers") o.brokers = value;
    else if (name == "topic") o.topic = value;
    else if (name == "topic_pattern") o.topic_pattern = value;
    else if (name == "group") o.group = value;
    else if (name == "start") o.start = value;
    else if (name == "stop_at_end") o.stop_at_end = value == "true";
    else if (name == "exactly_once") o.exactly_once = value == "true";
    else if (name == "changelog") o.changelog = value;
    else if (name.find('.') != std::string::npos) o.properties.emplace_back(name, value);
  }
  return o;
}

PartKey KafkaTopics::key(std::string_view topic, int32_t partition) {
  auto it = index_.find(topic);
  int64_t number;
  if (it != index_.end()) {
    number = it->second;
  } else {
    number = static_cast<int64_t>(names_.size());
    names_.emplace_back(topic);
    index_.emplace(names_.back(), number);
  }
  return (number << 32) | static_cast<uint32_t>(partition);
}

rd_kafka_conf_t* KafkaClient::make_conf(const KafkaOptions& opts, std::string* error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      *error = label_ + ": property \"" + name + "\": " + errstr;
      return false;
    }
    return true;
  };
  bool ok = set("bootstrap.servers", opts.brokers) && set("client.id", "flowc");
  // librdkafka's debug contexts (e.g. FLOWC_KAFKA_DEBUG=cgrp,fetch): a
  // property without a dot cannot be written in kafka(...).
  if (const char* debug = std::getenv("FLOWC_KAFKA_DEBUG"); ok && debug && *debug) {
    ok = set("debug", debug);
    debug_ = true;
  }
  for (const auto& [name, value] : opts.properties) {
    if (!ok) break;
    ok = set(name, value);
  }
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_log_cb(conf, on_log);
  rd_kafka_conf_set_error_cb(conf, on_error);
  return conf;
}

void KafkaClient::log(std::string_view text) const {
  std::string line = "flowc: " + label_ + ": ";
  line += text;
  line += '\n';
  write_all(stderr_fd_, line);
}

std::string KafkaClient::fatal_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fatal_;
}

// librdkafka's own log lines: warnings and errors only (syslog levels).
void KafkaClient::on_log(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto* self = static_cast<KafkaClient*>(rd_kafka_opaque(rk));
  if (self == nullptr) return;
  if (self->debug_) {
    self->log(std::string(fac ? fac : "") + ": " + (buf ? buf : ""));
    return;
  }
  if (level > 4) return;
  std::string f(fac ? fac : "");
  // A broker connection failure (facility FAIL) also reaches on_error,
  // which reports it: logging it here too said it twice.
  if (f == "FAIL") return;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    // Connection failures repeat every reconnect backoff: once per kind.
    if (std::find(self->seen_log_.begin(), self->seen_log_.end(), f) != self->seen_log_.end()) {
      return;
    }
    self->seen_log_.push_back(std::move(f));
  }
  self->log(std::string(fac ? fac : "") + ": " + (buf ? buf : ""));
}

void KafkaClient::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaClient*>(opaque);
  if (self == nullptr) return;
  std::string text = reason ? reason : rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err));
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
    std::lock_guard<std::mutex> lock(self->mu_);
    if (self->fatal_.empty()) {
      self->fatal_ = self->label_ + ": fatal error: " + buf + " (" + rd_kafka_err2name(orig) + ")";
    }
    return;
  }
  {
    // Transient errors (a broker down, all brokers down) are retried by
    // librdkafka; say each kind once.
    std::lock_guard<std::mutex> lock(self->mu_);
    if (std::find(self->seen_errors_.begin(), self->seen_errors_.end(), err) !=
        self->seen_errors_.end()) {
      return;
    }
    self->seen_errors_.push_back(err);
  }
  self->log("warning: " + text + " (retrying)");
}

}  // namespace flowrt
