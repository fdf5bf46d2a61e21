// runtime/abi_symbols.cpp — the table behind abi_symbols.h. One line per
// function of abi.h and abi_ext.h; a test checks the count against the
// headers' declarations.
#include "abi_symbols.h"

#include "abi.h"
#include "abi_ext.h"

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
    // metrics
    FLOW_SYMBOL(flow_count_late),
    FLOW_SYMBOL(flow_count_out),
    FLOW_SYMBOL(flow_state_grew),
    // checkpoints
    FLOW_SYMBOL(flow_ckpt_put_i64),
    FLOW_SYMBOL(flow_ckpt_put_bytes),
    FLOW_SYMBOL(flow_ckpt_get_i64),
    FLOW_SYMBOL(flow_ckpt_get_bytes),
    FLOW_SYMBOL(flow_ckpt_ok),
    FLOW_SYMBOL(flow_ckpt_put_distinct),
    FLOW_SYMBOL(flow_ckpt_get_distinct),
    // entry point
    FLOW_SYMBOL(flow_runtime_main),
    // abi_ext.h
    FLOW_SYMBOL(flow_set_watermark),
};

const size_t flow_abi_symbol_count = sizeof flow_abi_symbols / sizeof flow_abi_symbols[0];

}  // extern "C"
