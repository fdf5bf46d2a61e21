// compiler/plan/raw_filter.h — raw filters (Sparser, VLDB 2018): a leading
// `where f == "literal"` tested on a record's bytes before it is parsed. A
// record without the literal's bytes anywhere cannot have f equal to it, so
// it is dropped unparsed; a record with them is parsed and checked for real.
//
// Semantics may not change, so the filter applies only where dropping a
// record unparsed is exactly what the `where` would have done
// (LANGUAGE.md 9 and 12):
//   - CSV records cut by the runtime (quotes balanced), not JSON (a record
//     must be valid JSON anywhere, ignored fields included, so it is read
//     whole in any case), not regex (the record must match) and not lines
//     (the comparison costs what the search costs);
//   - no event time on the source (every parsed record moves the
//     watermark, so every record is parsed anyway);
//   - every field the `where` reads (before it drops a record they are
//     converted, and a failure makes the record bad) is a string that is
//     surely there: it has a default (for f, one other than the literal),
//     or it is the record's first column (CSV without a header: field 0; with
//     one, checked per record through the header's column map);
//   - the literal is not empty and holds no `"` (a quoted CSV field doubles
//     it, so its bytes would not appear as written).
// `flowc explain` prints the decision for every source with such a where.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace flowc::plan {

struct RawFilter {
  const Expr* where = nullptr;  // the leading where's predicate
  int field = -1;               // the source field compared with the literal
  std::string literal;
  bool applies = false;
  std::string why_not;  // when it does not apply, e.g. "json records are validated whole"
  // With a CSV header: fields without a default that must be the record's
  // first column for the filter to apply to a record (checked at run time).
  std::vector<int> first_column;
};

// The raw filter of source `index`: nullopt when no `where f == "literal"`
// (or a conjunction starting with one) is the first stage of the only
// stream reading the source.
std::optional<RawFilter> raw_filter(const Pipeline& p, int index);

// One line for `flowc explain` about source `index` (no indentation, no
// newline).
std::string raw_filter_text(const Pipeline& p, int index, const RawFilter& f);

}  // namespace flowc::plan
