// The helpers that hide differences between LLVM versions (declared at the end of CLLVM.h). They
// were compile-time #if LLVM_VERSION_MAJOR branches; now they ask the library loaded at run time.
#include "CLLVM.h"

int sj_llvm_version_major(void) {
    unsigned major, minor, patch;
    sj_llvm_version(&major, &minor, &patch);
    return (int)major;
}

int sj_llvm_version_minor(void) {
    unsigned major, minor, patch;
    sj_llvm_version(&major, &minor, &patch);
    return (int)minor;
}

int sj_has_instruction_fmf(void) {
    return sj_llvm_has(SJ_LLVM_FN_LLVMSetFastMathFlags) && sj_llvm_has(SJ_LLVM_FN_LLVMCanValueUseFastMathFlags);
}

int sj_set_fast_math_flags(LLVMValueRef inst, unsigned flags) {
    if (!sj_has_instruction_fmf() || !LLVMCanValueUseFastMathFlags(inst)) return 0;
    LLVMSetFastMathFlags(inst, flags);
    return 1;
}

LLVMTypeRef sj_pointer_type(LLVMContextRef ctx) {
    if (sj_llvm_version_major() >= 15) return LLVMPointerTypeInContext(ctx, 0);
    return LLVMPointerType(LLVMInt8TypeInContext(ctx), 0);
}

LLVMTypeRef sj_pointer_to(LLVMTypeRef elem) {
    if (sj_llvm_version_major() >= 15) return LLVMPointerTypeInContext(LLVMGetTypeContext(elem), 0);
    return LLVMPointerType(elem, 0);
}

static void sj_quiet_diagnostic_handler(LLVMDiagnosticInfoRef info, void *context) {
    (void)info;
    (void)context;
}

void sj_silence_diagnostics(LLVMContextRef ctx) {
    LLVMContextSetDiagnosticHandler(ctx, sj_quiet_diagnostic_handler, 0);
}

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int sj_release_free_heap(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
