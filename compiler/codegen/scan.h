// compiler/codegen/scan.h — a source's batch function (lower_scan.cpp).
#pragma once

#include "codegen/operator.h"

namespace flowc::codegen {

// Emits `flow_source_<index>`: the loop over a batch's records (or the
// generate() range) that parses each record and pushes it into `out`.
llvm::Function* lower_source(CgContext& cg, const plan::Source& source, int index, Operator* out);

}  // namespace flowc::codegen
