// runtime/options.cpp — run options (LANGUAGE.md 11) and `--param` values.
#include "options.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <vector>

#include "flow_stdlib.h"
#include "json_text.h"
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
    case FLOW_TYPE_DURATION: return "duration";
  }
  return "?";
}

// The run options, for did-you-mean (`--parm` -> `--param`).
constexpr std::string_view kOptionNames[] = {
    "--param",    "--batch", "--max-batch-records", "--max-state-keys", "--checkpoint", "--quiet",
    "--progress", "--help",  "--threads",           "--metrics"};

// A suggestion is at most this many edits away (and at most a third of the
// misspelt name's length), as the compiler's did-you-mean.
constexpr size_t kMaxSuggestionDistance = 3;

// Edit distance: insert, delete or substitute a character, each costing 1.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// `; did you mean 'X'?` for the closest candidate, or "".
template <typename Names>
std::string did_you_mean(std::string_view name, const Names& candidates) {
  size_t limit = std::clamp<size_t>(name.size() / 3, 1, kMaxSuggestionDistance);
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    size_t d = edit_distance(name, candidate);
    if (d > 0 && d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : "; did you mean '" + std::string(best) + "'?";
}

// A param's value as `--param` would take it back (strings JSON-quoted),
// read from its slot: the default, or what `flowc build --param` set.
std::string param_value_text(const FlowParamDesc& d) {
  char buf[64];
  auto text = [&buf](int64_t len) { return std::string(buf, static_cast<size_t>(len)); };
  const void* slot = d.slot;
  switch (d.type) {
    case FLOW_TYPE_BOOL: return *static_cast<const int8_t*>(slot) ? "true" : "false";
    case FLOW_TYPE_INT: return text(flow_format_int(*static_cast<const int64_t*>(slot), buf));
    case FLOW_TYPE_FLOAT: return text(flow_format_float(*static_cast<const double*>(slot), buf));
    case FLOW_TYPE_TIMESTAMP:
      return text(flow_format_timestamp(*static_cast<const int64_t*>(slot), buf));
    case FLOW_TYPE_DURATION:
      return text(flow_format_duration(*static_cast<const int64_t*>(slot), buf));
    case FLOW_TYPE_STRING: {
      const FlowStr& s = *static_cast<const FlowStr*>(slot);
      std::string out;
      append_json_string(&out, std::string_view(s.ptr, static_cast<size_t>(s.len)));
      return out;
    }
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
    std::vector<std::string_view> names;
    for (int32_t i = 0; i < p->param_count; ++i) names.push_back(p->params[i].name);
    *error = "unknown param '" + std::string(name) + "'" + did_you_mean(name, names);
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
  if (desc->fixed != nullptr) {
    *error = "param '" + std::string(name) + "' is " + desc->fixed +
             "; rebuild with flowc build --param " + std::string(name) + "=... (or use flowc run)";
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
    case FLOW_TYPE_DURATION: {
      // 0 parses: where a duration must be positive, configure says so.
      int64_t v = 0;
      ok = parse_duration_ms(value, &v);
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
             (desc->type == FLOW_TYPE_INT ? "an " : "a ") + type_name(desc->type) +
             (desc->type == FLOW_TYPE_DURATION ? " such as 250ms, 10s or 5m" : "") + ", got '" +
             std::string(value) + "'";
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
  if (count > std::numeric_limits<int64_t>::max() / scale) return false;
  *out = count * scale;
  return true;
}

std::string usage_text(const FlowPipeline* p) {
  std::string s = "usage: ";
  s += p && p->name ? p->name : "pipeline";
  s += " [options]\n"
       "\n"
       "options:\n"
       "  --param NAME=VALUE       set a param (repeatable); a duration param takes\n"
       "                           a duration (250ms, 10s, 5m, 2h, 1d)\n"
       "  --batch D                micro-batch interval (250ms, 10s, 5m, 2h, 1d)\n"
       "  --max-batch-records N    end a batch after N records (default 1000000)\n"
       "  --max-state-keys N       fail (exit 3) when a keyed table would hold more\n"
       "                           than N keys (default: no limit)\n"
       "  --threads N              worker threads (default: every CPU this process may\n"
       "                           use); the output is the same for every N\n"
       "  --checkpoint DIR         checkpoint directory: resume from it, commit each batch\n"
       "  --quiet                  no summary line at the end\n"
       "  --progress               a live status line on stderr\n"
       "  --metrics HOST:PORT      serve Prometheus metrics on http://HOST:PORT/metrics\n"
       "                           (127.0.0.1:9100 for this machine only; port 0: any free)\n"
       "  -O0 .. -O3               optimization level (compile time only)\n"
       "  --help                   this text\n";
  if (p && p->param_count > 0) {
    s += "\nparams (--param NAME=VALUE):\n";
    for (int32_t i = 0; i < p->param_count; ++i) {
      const FlowParamDesc& d = p->params[i];
      s += std::string("  ") + d.name + ": " + type_name(d.type);
      if (d.slot != nullptr) s += " = " + param_value_text(d);
      if (d.fixed) s += "  (fixed when this program was built)";
      s += "\n";
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
      if (!parse_duration_ms(value, &opts->batch_ms) || opts->batch_ms <= 0) {
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
    } else if (name == "--threads") {
      if (!take_value(&value)) return OptionsStatus::kUsageError;
      int64_t n = 0;
      if (!parse_count(value, &n) || n <= 0 || n > FLOW_MAX_WORKERS) {
        *error = "--threads expects an integer from 1 to " + std::to_string(FLOW_MAX_WORKERS) +
                 ", got '" + std::string(value) + "'";
        return OptionsStatus::kUsageError;
      }
      opts->threads = static_cast<int32_t>(n);
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
                   ? "unknown option '" + std::string(name) + "'" + did_you_mean(name, kOptionNames)
                   : "unexpected argument '" + std::string(arg) + "'";
      *error += " (see --help)";
      return OptionsStatus::kUsageError;
    }
  }
  return OptionsStatus::kOk;
}

}  // namespace flowrt
