// runtime/json_text.h — JSON string text for sinks and dead letters.
#ifndef FLOWC_RUNTIME_JSON_TEXT_H
#define FLOWC_RUNTIME_JSON_TEXT_H

#include <string>
#include <string_view>

namespace flowrt {

// Appends `s` as a JSON string (with quotes): `"` and `\` escaped, control
// characters as \n \r \t or \u00XX, other bytes copied as they are.
void append_json_string(std::string* out, std::string_view s);

// As append_json_string, but invalid UTF-8 sequences become U+FFFD
// (dead-letter `record` fields, LANGUAGE.md 12).
void append_json_string_utf8(std::string* out, std::string_view s);

// Appends `s` as a CSV field: quoted (RFC 4180, quotes doubled) when it
// contains the delimiter, a quote, CR or LF.
void append_csv_field(std::string* out, std::string_view s, char delimiter);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_JSON_TEXT_H
