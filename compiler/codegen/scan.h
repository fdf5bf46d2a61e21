// compiler/codegen/scan.h — a source's batch function (lower_scan.cpp).
#pragma once

#include "codegen/operator.h"

namespace flowc::codegen {

// A `where` that is the first stage of the only stream reading a source:
// the scan evaluates it as soon as the fields it reads are converted and
// hands surviving records to `next` (the stage after it).
struct EarlyFilter {
  const plan::Expr* predicate = nullptr;
  Operator* next = nullptr;
};

class LookupTable;

// The join a source's scan reads records ahead for (plan/read_ahead.h):
// it starts fetching their probe's slot and entry (LookupTable::prefetch_*)
// so that the probe, which misses the cache when the table outgrows L2,
// finds them there.
struct ProbeAhead {
  int field = -1;  // in the source's schema
  LookupTable* table = nullptr;
};

// Emits `flow_source_<index>`: the loop over a batch's records (or the
// generate() range) that parses each record and pushes it into `out`.
llvm::Function* lower_source(CgContext& cg, const plan::Source& source, int index, Operator* out,
                             const EarlyFilter& early = {}, const ProbeAhead& ahead = {});

}  // namespace flowc::codegen
