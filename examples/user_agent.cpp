// user_agent.cpp — C++ functions for user_agents.flow: what a User-Agent
// header says about the browser, the platform and whether a bot sent it.
// flowc compiles this file with clang and inlines the functions into the
// pipeline (LANGUAGE.md 13, docs/udf.md).
//
// The rules look for the tokens browsers put in the header. Order matters:
// Edge, Opera and Samsung Internet also send "Chrome/" and "Safari/", Chrome
// sends "Safari/", iOS sends "like Mac OS X" and Android sends "Linux".
#include <flowc/udf.h>

#include <string_view>

namespace {

std::string_view view(FlowStr s) { return {s.ptr, static_cast<size_t>(s.len)}; }

FlowStr str(std::string_view s) { return {s.data(), static_cast<int64_t>(s.size())}; }

bool has(std::string_view s, std::string_view token) {
  return s.find(token) != std::string_view::npos;
}

// Whether `token` (lowercase ASCII) occurs in `s`, ignoring ASCII case.
bool has_nocase(std::string_view s, std::string_view token) {
  for (size_t i = 0; i + token.size() <= s.size(); ++i) {
    size_t j = 0;
    while (j < token.size()) {
      char c = s[i + j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != token[j]) break;
      ++j;
    }
    if (j == token.size()) return true;
  }
  return false;
}

}  // namespace

// function browser(ua: string): string
// The result is a static string: no allocation needed.
extern "C" FlowStr browser(FlowStr ua) {
  std::string_view s = view(ua);
  if (has(s, "Edg/")) return str("Edge");
  if (has(s, "OPR/")) return str("Opera");
  if (has(s, "SamsungBrowser/")) return str("Samsung Internet");
  if (has(s, "Firefox/") || has(s, "FxiOS/")) return str("Firefox");
  if (has(s, "Chrome/") || has(s, "CriOS/")) return str("Chrome");
  if (has(s, "Safari/")) return str("Safari");
  return str("other");
}

// function platform(ua: string): string
extern "C" FlowStr platform(FlowStr ua) {
  std::string_view s = view(ua);
  if (has(s, "Android")) return str("Android");
  if (has(s, "iPhone") || has(s, "iPad")) return str("iOS");
  if (has(s, "Windows")) return str("Windows");
  if (has(s, "Macintosh")) return str("macOS");
  if (has(s, "Linux")) return str("Linux");
  return str("other");
}

// function is_bot(ua: string): bool
// Crawlers name themselves ("Googlebot", "bingbot", "AhrefsBot"); scripts
// send their tool's name first; a request without a User-Agent is a bot too.
extern "C" bool is_bot(FlowStr ua) {
  std::string_view s = view(ua);
  if (s.empty()) return true;
  for (std::string_view word : {"bot", "crawl", "spider"}) {
    if (has_nocase(s, word)) return true;
  }
  for (std::string_view tool : {"curl/", "Wget/", "python-requests/"}) {
    if (s.substr(0, tool.size()) == tool) return true;
  }
  return false;
}
