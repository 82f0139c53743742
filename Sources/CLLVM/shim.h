// The LLVM C API as one module, plus the few helpers that hide the differences
// between the LLVM versions we support (14 and 19). Only current, non-deprecated
// C APIs are used. Everything version-specific lives here, so the Swift code
// compiles unchanged against either version.
#ifndef SWIFTJIT_CLLVM_SHIM_H
#define SWIFTJIT_CLLVM_SHIM_H

#include <llvm-c/Core.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Error.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Support.h>
#include <llvm-c/BitWriter.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <llvm/Config/llvm-config.h>

/// Major version of the LLVM headers this build sees.
static inline int sj_llvm_version_major(void) { return LLVM_VERSION_MAJOR; }
/// Minor version of the LLVM headers this build sees (part of object-cache keys).
static inline int sj_llvm_version_minor(void) { return LLVM_VERSION_MINOR; }

/// Initialises the native target, its asm printer and parser (idempotent).
static inline int sj_initialize_native(void) {
    if (LLVMInitializeNativeTarget()) return 1;
    if (LLVMInitializeNativeAsmPrinter()) return 1;
    if (LLVMInitializeNativeAsmParser()) return 1;
    return 0;
}

/// One (name, symbol) pair for LLVMOrcAbsoluteSymbols: `LLVMJITCSymbolMapPair` in LLVM 14,
/// `LLVMOrcCSymbolMapPair` later; the pointer typedef has kept its name.
typedef __typeof__(*(LLVMOrcCSymbolMapPairs)0) sj_symbol_map_pair;

/// Fast-math flag bits, as in LLVMFastMathFlags of LLVM 18+.
enum {
    SJ_FMF_ALLOW_REASSOC = 1 << 0,
    SJ_FMF_NO_NANS = 1 << 1,
    SJ_FMF_NO_INFS = 1 << 2,
    SJ_FMF_NO_SIGNED_ZEROS = 1 << 3,
    SJ_FMF_ALLOW_RECIPROCAL = 1 << 4,
    SJ_FMF_ALLOW_CONTRACT = 1 << 5,
    SJ_FMF_APPROX_FUNC = 1 << 6
};

/// Whether per-instruction fast-math flags can be set through the C API.
static inline int sj_has_instruction_fmf(void) { return LLVM_VERSION_MAJOR >= 18; }

/// Sets per-instruction fast-math flags where the C API has them (LLVM 18+);
/// a no-op before, where function attributes and explicit llvm.fmuladd calls
/// carry the math mode instead. Returns 1 when the flags were applied.
static inline int sj_set_fast_math_flags(LLVMValueRef inst, unsigned flags) {
#if LLVM_VERSION_MAJOR >= 18
    if (LLVMCanValueUseFastMathFlags(inst)) {
        LLVMSetFastMathFlags(inst, flags);
        return 1;
    }
    return 0;
#else
    (void)inst; (void)flags;
    return 0;
#endif
}

/// The pointer type used for all memory: opaque `ptr` on LLVM 15+, `i8*` on 14.
static inline LLVMTypeRef sj_pointer_type(LLVMContextRef ctx) {
#if LLVM_VERSION_MAJOR >= 15
    return LLVMPointerTypeInContext(ctx, 0);
#else
    return LLVMPointerType(LLVMInt8TypeInContext(ctx), 0);
#endif
}

/// A pointer to `elem` (typed on 14, opaque on 15+).
static inline LLVMTypeRef sj_pointer_to(LLVMTypeRef elem) {
#if LLVM_VERSION_MAJOR >= 15
    return LLVMPointerTypeInContext(LLVMGetTypeContext(elem), 0);
#else
    return LLVMPointerType(elem, 0);
#endif
}

/// Ignores LLVM's warnings and remarks (a loop that a vectorization hint could not vectorize
/// reports a warning, which the default handler would print to the user's stderr); errors are
/// reported through the C API's return values.
static void sj_quiet_diagnostic_handler(LLVMDiagnosticInfoRef info, void *context) {
    (void)info; (void)context;
}

/// Installs `sj_quiet_diagnostic_handler` on a context.
static inline void sj_silence_diagnostics(LLVMContextRef ctx) {
    LLVMContextSetDiagnosticHandler(ctx, sj_quiet_diagnostic_handler, 0);
}

#endif
