// stdlib/stdlib_bitcode.h — the stdlib compiled to LLVM bitcode and
// embedded in the flowc binary (target flowc_stdlib_bitcode), so that the
// engine can link it into every pipeline module without finding files at
// run time. Load it with llvm::MemoryBufferRef over these bytes.
#ifndef FLOWC_STDLIB_STDLIB_BITCODE_H
#define FLOWC_STDLIB_STDLIB_BITCODE_H

#ifdef __cplusplus
extern "C" {
#endif

extern const unsigned char flow_stdlib_bc[];
extern const unsigned long flow_stdlib_bc_size;

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_STDLIB_STDLIB_BITCODE_H
