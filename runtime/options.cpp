// runtime/options.cpp — run options (LANGUAGE.md 11) and `--param` values.
#include "options.h"

#include <cstring>
#include <deque>
#include <limits>
#include <mutex>

#include "flow_stdlib.h"
#include "metrics.h"

namespace flowrt {
namespace {

const char* type_name(int32_t type) {
  switch (type) {
    case FLOW_TYPE_BOOL: return "bool";
    case FLOW_TYPE_INT: return "int";
    case FLOW_TYPE_FLOAT: return "float";
    case FLOW_TYPE_STRING: return "string";
    case FLOW_TYPE_TIMESTAMP: return "timestamp";
  }
  return "?";
}

// Digits with optional `_` separators, as integer literals in .flow files.
bool parse_count(std::string_view text, int64_t* out) {
  if (text.empty() || text.front() == '_' || text.back() == '_') return false;
  int64_t v = 0;
  for (char c : text) {
    if (c == '_') continue;
    if (c < '0' || c > '9') return false;
    if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// String param values, kept (and reachable) until the process exits.
const std::string& keep_string(std::string_view value) {
  static std::mutex mu;
  static auto* kept = new std::deque<std::string>;  // never destroyed
  std::lock_guard<std::mutex> lock(mu);
  return kept->emplace_back(value);
}

bool set_param(const FlowPipeline* p, std::string_view arg, std::string* error) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    *error = "--param expects NAME=VALUE, got '" + std::string(arg) + "'";
    return false;
  }
  std::string_view name = arg.substr(0, eq);
  std::string_view value = arg.substr(eq + 1);
  const FlowParamDesc* desc = nullptr;
  for (int32_t i = 0; i < p->param_count; ++i) {
    if (name == p->params[i].name) desc = &p->params[i];
  }
  if (desc == nullptr) {
    *error = "unknown param '" + std::string(name) + "'";
    if (p->param_count == 0) {
      *error += " (this pipeline declares no params)";
    } else {
      *error += " (params:";
      for (int32_t i = 0; i < p->param_count; ++i) {
        *error += std::string(i ? ", " : " ") + p->params[i].name;
      }
      *error += ")";
    }
    return false;
  }
  if (desc->fixed) {
    *error = "param '" + std::string(name) +
             "' was fixed when this program was built (it sets a connector argument "
             "or a regex pattern); rebuild with flowc build --param " + std::string(name) + "=...";
    return false;
  }
  bool ok = false;
  const char* s = value.data();
  int64_t n = static_cast<int64_t>(value.size());
  switch (desc->type) {
    case FLOW_TYPE_BOOL: {
      int32_t b = 0;
      ok = flow_parse_bool(s, n, &b) != 0;
      if (ok && desc->slot) *static_cast<int8_t*>(desc->slot) = b ? 1 : 0;
      break;
    }
    case FLOW_TYPE_INT: {
      int64_t v = 0;
      ok = flow_parse_int(s, n, &v) != 0;
      if (ok && desc->slot) *static_cast<int64_t*>(desc->slot) = v;
      break;
    }
    case FLOW_TYPE_FLOAT: {
      double v = 0;
      ok = flow_parse_float(s, n, &v) != 0;
      if (ok && desc->slot) *static_cast<double*>(desc->slot) = v;
      break;
    }
    case FLOW_TYPE_TIMESTAMP: {
      int64_t v = 0;
      ok = flow_parse_timestamp(s, n, 0, &v) != 0;
      if (ok && desc->slot) *static_cast<int64_t*>(desc->slot) = v;
      break;
    }
    case FLOW_TYPE_STRING: {
      // Generated code may read the slot for as long as its module lives,
      // which can outlast argv (a JIT host, tests): keep a copy for the rest
      // of the process. Params are few and small.
      ok = true;
      const std::string& copy = keep_string(value);
      if (desc->slot) *static_cast<FlowStr*>(desc->slot) = FlowStr{copy.data(), n};
      break;
    }
  }
  if (!ok) {
    *error = "param '" + std::string(name) + "' expects " +
             (desc->type == FLOW_TYPE_INT ? "an " : "a ") +
             type_name(desc->type) + ", got '" + std::string(value) + "'";
  }
  return ok;
}

}  // namespace

bool parse_duration_ms(std::string_view text, int64_t* out) {
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '_')) ++i;
  int64_t count = 0;
  if (!parse_count(text.substr(0, i), &count)) return false;
  std::string_view unit = text.substr(i);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else return false;
  if (count == 0 || count > std::numeric_limits<int64_t>::max() / scale) return false;
  *out = count * scale;
  return true;
}

std::string usage_text(const FlowPipeline* p) {
  std::string s = "usage: ";
  s += p && p->name ? p->name : "pipeline";
  s += " [options]\n"
       "\n"
       "options:\n"
       "  --param NAME=VALUE       set a param (repeatable)\n"
       "  --batch D                micro-batch interval (250ms, 10s, 5m, 2h, 1d)\n"
       "  --max-batch-records N    end a batch after N records (default 1000000)\n"
       "  --max-state-keys N       fail (exit 3) when a keyed table would hold more\n"
       "                           than N keys (default: no limit)\n"
       "  --checkpoint DIR         checkpoint directory: resume from it, commit each batch\n"
       "  --quiet                  no summary line at the end\n"
       "  --progress               a live status line on stderr\n"
       "  --metrics HOST:PORT      serve Prometheus metrics on http://HOST:PORT/metrics\n"
       "                           (127.0.0.1:9100 for this machine only; port 0: any free)\n"
       "  -O0 .. -O3               optimization level (compile time only)\n"
       "  --help                   this text\n";
  if (p && p->param_count > 0) {
    s += "\nparams:\n";
    for (int32_t i = 0; i < p->param_count; ++i) {
      s += std::string("  ") + p->params[i].name + ": " +
           type_name(p->params[i].type) + "\n";
    }
  }
  return s;
}

OptionsStatus parse_run_options(const FlowPipeline* pipeline, int argc,
                                char** argv, RunOptions* opts,
                                std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    // `--name=value` and `--name value` are both accepted.
    std::string_view name = arg;
    std::string_view inline_value;
    bool has_inline = false;
    if (arg.starts_with("--")) {
      size_t eq = arg.find('=');
      if (eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
        has_inline = true;
      }
    }
    auto take_value = [&](std::string_view* out) {
      if (has_inline) {
        *out = inline_value;
        return true;
      }
      if (i + 1 >= argc) {
        *error = "option '" + std::string(name) + "' needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    auto no_value = [&]() {
      if (!has_inline) return true;
      *error = "option '" + std::string(name) + "' takes no value";
      return false;
    };
    std::string_view value;
    if (name == "--help" || name == "-h") {
      if (!no_value()) return OptionsStatus::kUsageError;
      opts->help = true;
      return OptionsStatus::kHelp;
    } else if (name == "--quiet") {
      if (!no_value()) return OptionsStatus::kUsageError;
      opts->quiet = true;
    } else if (name == "--progress") {
      if (!no_value()) return OptionsStatus::kUsageError;
      opts->progress = true;
    } else if (name == "-O0" || name == "-O1" || name == "-O2" || name == "-O3") {
      // Compile-time only; accepted so that `flowc run` can pass them through.
    } else if (name == "--param") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      if (!set_param(pipeline, value, error)) return OptionsStatus::kUsageError;
    } else if (name == "--batch") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      if (!parse_duration_ms(value, &opts->batch_ms)) {
        *error = "--batch expects a duration such as 250ms, 10s, 5m, 2h or 1d, got '" +
                 std::string(value) + "'";
        return OptionsStatus::kUsageError;
      }
    } else if (name == "--max-batch-records") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      if (!parse_count(value, &opts->max_batch_records) || opts->max_batch_records <= 0) {
        *error = "--max-batch-records expects a positive integer, got '" +
                 std::string(value) + "'";
        return OptionsStatus::kUsageError;
      }
    } else if (name == "--max-state-keys") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      if (!parse_count(value, &opts->max_state_keys) || opts->max_state_keys <= 0) {
        *error = "--max-state-keys expects a positive integer, got '" + std::string(value) + "'";
        return OptionsStatus::kUsageError;
      }
    } else if (name == "--checkpoint") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      if (value.empty()) {
        *error = "--checkpoint expects a directory";
        return OptionsStatus::kUsageError;
      }
      opts->checkpoint_dir = std::string(value);
    } else if (name == "--metrics") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      if (!valid_metrics_address(value)) {
        *error = "--metrics expects HOST:PORT (127.0.0.1:9100, :9100, [::1]:9100), got '" +
                 std::string(value) + "'";
        return OptionsStatus::kUsageError;
      }
      opts->metrics_address = std::string(value);
    } else {
      *error = arg.starts_with("-")
                   ? "unknown option '" + std::string(name) + "'"
                   : "unexpected argument '" + std::string(arg) + "'";
      *error += " (see --help)";
      return OptionsStatus::kUsageError;
    }
  }
  return OptionsStatus::kOk;
}

}  // namespace flowrt
