// compiler/codegen/byte_match.h — comparisons of input bytes with names and
// literals known at compile time, emitted as a few word loads and compares
// (no memcmp call): JSON key dispatch and raw filters.
#pragma once

#include <string>
#include <vector>

#include "codegen/cg_context.h"

namespace flowc::codegen {

// i1: the lit.size() bytes at `p` equal `lit` (the caller has checked that
// the input has that many bytes there). Loads overlap rather than read past
// the end: 13 bytes are two 8-byte loads at 0 and 5.
llvm::Value* emit_bytes_equal(CgContext& cg, llvm::Value* p, const std::string& lit);

// int64_t NAME(const char* key, int64_t len): the index of `key` in
// `names`, or -1. A switch on the length, then word compares against the
// names of that length; flow_json_scan calls it for every key of a record.
llvm::Function* emit_name_lookup(CgContext& cg, const std::string& name,
                                 const std::vector<std::string>& names);

}  // namespace flowc::codegen
