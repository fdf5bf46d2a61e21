// runtime/sink_format.cpp — CSV, JSON and table rows for every sink.
#include "sink_format.h"

#include <cmath>

#include "flow_stdlib.h"
#include "json_text.h"

namespace flowrt {

RowFormat::RowFormat(const FlowSinkDesc* desc, Framing framing) : desc_(desc), framing_(framing) {
  for (int32_t c = 0; c < desc_->column_count; ++c) {
    std::string key;
    append_json_string(&key, desc_->columns[c].name ? desc_->columns[c].name : "");
    key += ':';
    json_keys_.push_back(std::move(key));
  }
}

bool RowFormat::set_format(int32_t format) {
  if (format != FLOW_FORMAT_CSV && format != FLOW_FORMAT_JSON && format != FLOW_FORMAT_TABLE) {
    return false;
  }
  format_ = format;
  // Read when the sink opens: a built program's configure() may have set
  // it from a --param after the sink was made.
  delimiter_ = desc_->csv_delimiter > 0 ? static_cast<char>(desc_->csv_delimiter) : ',';
  return true;
}

void RowFormat::begin_row() {
  col_ = 0;
  row_start_ = rows_.text.size();
  if (format_ == FLOW_FORMAT_TABLE) cells_.emplace_back();
}

void RowFormat::value_prefix() {
  if (format_ == FLOW_FORMAT_CSV) {
    if (col_ > 0) rows_.text += delimiter_;
  } else {
    rows_.text += col_ == 0 ? '{' : ',';
    if (col_ < static_cast<int32_t>(json_keys_.size())) {
      rows_.text += json_keys_[static_cast<size_t>(col_)];
    } else {
      rows_.text += "\"_" + std::to_string(col_) + "\":";  // more values than columns
    }
  }
  ++col_;
}

void RowFormat::cell(std::string text, Align align) {
  if (cells_.empty()) cells_.emplace_back();
  if (align_.size() <= static_cast<size_t>(col_)) align_.resize(static_cast<size_t>(col_) + 1);
  align_[static_cast<size_t>(col_)] = align;
  cells_.back().push_back(std::move(text));
  ++col_;
}

void RowFormat::put_bool(bool v) {
  if (format_ == FLOW_FORMAT_TABLE) return cell(v ? "true" : "false", Align::kLeft);
  value_prefix();
  rows_.text += v ? "true" : "false";
}

void RowFormat::put_int(int64_t v) {
  char tmp[FLOW_FORMAT_BUF];
  int64_t n = flow_format_int(v, tmp);
  if (format_ == FLOW_FORMAT_TABLE) {
    return cell(std::string(tmp, static_cast<size_t>(n)), Align::kRight);
  }
  value_prefix();
  rows_.text.append(tmp, static_cast<size_t>(n));
}

void RowFormat::put_float(double v) {
  char tmp[FLOW_FORMAT_BUF];
  int64_t n = flow_format_float(v, tmp);
  if (format_ == FLOW_FORMAT_TABLE) {
    return cell(std::string(tmp, static_cast<size_t>(n)), Align::kRight);
  }
  value_prefix();
  // JSON has no nan or inf: they are written as strings (LANGUAGE.md 12).
  bool quote = format_ == FLOW_FORMAT_JSON && !std::isfinite(v);
  if (quote) rows_.text += '"';
  rows_.text.append(tmp, static_cast<size_t>(n));
  if (quote) rows_.text += '"';
}

void RowFormat::put_string(std::string_view v) {
  if (format_ == FLOW_FORMAT_TABLE) return cell(std::string(v), Align::kLeft);
  value_prefix();
  if (format_ == FLOW_FORMAT_CSV) {
    append_csv_field(&rows_.text, v, delimiter_);
  } else {
    append_json_string(&rows_.text, v);
  }
}

void RowFormat::put_timestamp(int64_t v) {
  char tmp[FLOW_FORMAT_BUF];
  int64_t n = flow_format_timestamp(v, tmp);
  if (format_ == FLOW_FORMAT_TABLE) {
    return cell(std::string(tmp, static_cast<size_t>(n)), Align::kLeft);
  }
  value_prefix();
  if (format_ == FLOW_FORMAT_JSON) rows_.text += '"';
  rows_.text.append(tmp, static_cast<size_t>(n));
  if (format_ == FLOW_FORMAT_JSON) rows_.text += '"';
}

void RowFormat::end_row() {
  if (format_ == FLOW_FORMAT_TABLE) return;
  if (framing_ == Framing::kLines) {
    rows_.text += format_ == FLOW_FORMAT_CSV ? "\n" : "}\n";
    return;
  }
  if (format_ == FLOW_FORMAT_JSON) rows_.text += '}';
  const size_t key_len = desc_->has_key ? key_.size() : 0;
  rows_.keys.append(key_, 0, key_len);
  rows_.messages.emplace_back(static_cast<uint32_t>(rows_.text.size() - row_start_),
                              static_cast<uint32_t>(key_len));
  key_.clear();
}

bool RowFormat::add_csv_header() {
  if (format_ != FLOW_FORMAT_CSV || !desc_->csv_header) return false;
  for (int32_t c = 0; c < desc_->column_count; ++c) {
    if (c > 0) rows_.text += delimiter_;
    append_csv_field(&rows_.text, desc_->columns[c].name ? desc_->columns[c].name : "", delimiter_);
  }
  rows_.text += '\n';
  return true;
}

void RowFormat::render_batch_table(int64_t batch_number) {
  if (format_ != FLOW_FORMAT_TABLE || cells_.empty()) return;
  std::vector<std::string> header;
  std::vector<bool> right;
  for (int32_t c = 0; c < desc_->column_count; ++c) {
    header.push_back(desc_->columns[c].name ? desc_->columns[c].name : "");
  }
  for (size_t c = 0; c < header.size(); ++c) {
    right.push_back(c < align_.size() && align_[c] == Align::kRight);
  }
  rows_.text += render_table(batch_number, header, right, cells_);
  cells_.clear();
}

void RowFormat::append(RowFormat& other) {
  SinkRows& from = other.rows_;
  rows_.text += from.text;
  rows_.keys += from.keys;
  rows_.messages.insert(rows_.messages.end(), from.messages.begin(), from.messages.end());
  for (auto& row : other.cells_) cells_.push_back(std::move(row));
  if (align_.size() < other.align_.size()) align_ = other.align_;
  other.clear();
}

void RowFormat::clear() {
  rows_.clear();
  cells_.clear();
  key_.clear();
}

}  // namespace flowrt
