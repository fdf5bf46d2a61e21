// compiler/plan/read_ahead.h — reading a source ahead for its join.
//
// A lookup join's probe (codegen/lookup_table.h) reads a slot, then the
// row's entry it points to: two dependent cache misses per record once the
// table outgrows L2, most of a YSB record's time. When the join key is a
// field of the source itself, the scan can know it records before the join
// runs: it scans each record ahead of its turn, hashes the key and starts
// fetching the slot, then the entry (codegen/lower_scan.cpp). The records
// still run one at a time and in order, with the same results and bad
// records; only the parsing of a record moves earlier.
//
// It applies to a JSON source (scanning yields the key's text, which for a
// JSON string is the field's value) read by one stream whose stages before
// a lookup join on a string field of the source are all `where` (which
// keeps the row as the source's).
// `flowc explain` prints it under the source.
#pragma once

#include <optional>
#include <string>

#include "plan/plan.h"

namespace flowc::plan {

struct ReadAhead {
  int field = -1;  // the join key, in the source's schema
  int table = -1;  // the joined table
};

std::optional<ReadAhead> read_ahead(const Pipeline& p, int source);
std::string read_ahead_text(const Pipeline& p, int source, const ReadAhead& r);

}  // namespace flowc::plan
