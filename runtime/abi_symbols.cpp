// runtime/abi_symbols.cpp — every function of runtime/abi.h, once, by name.
//
// Compiled twice (runtime/CMakeLists.txt, stdlib/CMakeLists.txt):
//   natively, into the runtime: the table the JIT hands to ORC as absolute
//     symbols (compiler/engine/jit.cpp);
//   to bitcode, into the stdlib module every pipeline module starts from:
//     the table's references keep each function's declaration, and
//     flow_abi_types keeps each struct's type, exactly as clang reads
//     abi.h; codegen takes them from there (compiler/codegen/cg_context.h).
// A test checks that every declaration of abi.h is in the table.
#include "abi_symbols.h"

#include "abi.h"

#define FLOW_SYMBOL(fn) {#fn, reinterpret_cast<void*>(&fn)}

extern "C" {

const FlowAbiSymbol flow_abi_symbols[] = {
    // rows
    FLOW_SYMBOL(flow_sink_begin_row),
    FLOW_SYMBOL(flow_sink_bool),
    FLOW_SYMBOL(flow_sink_int),
    FLOW_SYMBOL(flow_sink_float),
    FLOW_SYMBOL(flow_sink_string),
    FLOW_SYMBOL(flow_sink_timestamp),
    FLOW_SYMBOL(flow_sink_end_row),
    FLOW_SYMBOL(flow_sink_key),
    // bad records, parsing support
    FLOW_SYMBOL(flow_bad_record),
    FLOW_SYMBOL(flow_bad_field),
    FLOW_SYMBOL(flow_csv_column_map),
    FLOW_SYMBOL(flow_scratch),
    FLOW_SYMBOL(flow_regex_fields),
    FLOW_SYMBOL(flow_regex_compile),
    FLOW_SYMBOL(flow_regex_match),
    FLOW_SYMBOL(flow_regex_extract),
    // C++ functions' memory for string results (udf.h)
    FLOW_SYMBOL(flow_udf_alloc),
    // time and metrics
    FLOW_SYMBOL(flow_count_late),
    FLOW_SYMBOL(flow_set_watermark),
    FLOW_SYMBOL(flow_source_ended),
    FLOW_SYMBOL(flow_state_grew),
    FLOW_SYMBOL(flow_state_grew_to),
    FLOW_SYMBOL(flow_key_in_two_partitions),
    FLOW_SYMBOL(flow_worker_index),
    FLOW_SYMBOL(flow_sort_parallel),
    FLOW_SYMBOL(flow_emit_parallel),
    FLOW_SYMBOL(flow_state_parts),
    FLOW_SYMBOL(flow_morsel_seq),
    FLOW_SYMBOL(flow_arrival_first),
    FLOW_SYMBOL(flow_arrivals),
    FLOW_SYMBOL(flow_xchg_append),
    FLOW_SYMBOL(flow_xchg_copy),
    FLOW_SYMBOL(flow_xchg_replay_one),
    FLOW_SYMBOL(flow_xchg_replay),
    FLOW_SYMBOL(flow_xchg_next),
    FLOW_SYMBOL(flow_xchg_arrival),
    FLOW_SYMBOL(flow_ht_reserve_parallel),
    FLOW_SYMBOL(flow_merge_parts),
    FLOW_SYMBOL(flow_collect_parallel),
    FLOW_SYMBOL(flow_ht_clear_parallel),
    // checkpoints
    FLOW_SYMBOL(flow_ckpt_put_i64),
    FLOW_SYMBOL(flow_ckpt_put_bytes),
    FLOW_SYMBOL(flow_ckpt_get_i64),
    FLOW_SYMBOL(flow_ckpt_get_bytes),
    FLOW_SYMBOL(flow_ckpt_ok),
    FLOW_SYMBOL(flow_ckpt_put_distinct),
    FLOW_SYMBOL(flow_ckpt_get_distinct),
    // built programs' configure
    FLOW_SYMBOL(flow_param_error),
    FLOW_SYMBOL(flow_param_check_duration),
    // entry point
    FLOW_SYMBOL(flow_runtime_main),
};

const size_t flow_abi_symbol_count = sizeof flow_abi_symbols / sizeof flow_abi_symbols[0];

// One member of every struct of abi.h (and the stdlib's FlowStr that they
// embed), for the bitcode's sake: nothing reads it.
struct FlowAbiTypes {
  FlowStr str;
  FlowRecord record;
  FlowBatch batch;
  FlowColumn column;
  FlowSourceDesc source;
  FlowSinkDesc sink;
  FlowParamDesc param;
  FlowStateTable state_table;
  FlowPipeline pipeline;
};
extern const FlowAbiTypes flow_abi_types = {};

}  // extern "C"
