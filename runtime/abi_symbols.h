// runtime/abi_symbols.h — every runtime function generated code may call
// (runtime/abi.h), by name, for the JIT's
// absoluteSymbols table.
#ifndef FLOWC_RUNTIME_ABI_SYMBOLS_H
#define FLOWC_RUNTIME_ABI_SYMBOLS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FlowAbiSymbol {
  const char* name;
  void* address;
} FlowAbiSymbol;

extern const FlowAbiSymbol flow_abi_symbols[];
extern const size_t flow_abi_symbol_count;

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_RUNTIME_ABI_SYMBOLS_H
