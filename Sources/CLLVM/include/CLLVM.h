// CLLVM: the subset of LLVM's C API that SwiftJIT uses, declared here (not included from LLVM's
// headers), so building needs neither LLVM's headers nor its library. In: LLVMFunctions.def (the
// functions) and the types and enums below, copied from llvm-c/*.h, with values that are the same
// in LLVM 14 and 19. Out: `LLVMFoo(...)` callable from Swift as usual; each is a trampoline into
// the libLLVM that sj_llvm_open loaded at run time (LLVMLoader.c). The sj_ helpers at the end hide
// the differences between LLVM versions, decided at run time from the loaded library.
#ifndef SWIFTJIT_CLLVM_H
#define SWIFTJIT_CLLVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- Types (llvm-c/Types.h, Error.h, Target.h, TargetMachine.h, Orc.h, LLJIT.h, PassBuilder.h)

typedef int LLVMBool;
typedef unsigned LLVMAttributeIndex;
typedef unsigned LLVMFastMathFlags;
typedef struct LLVMComdat *LLVMComdatRef;
typedef struct LLVMOpaqueAttributeRef *LLVMAttributeRef;
typedef struct LLVMOpaqueBasicBlock *LLVMBasicBlockRef;
typedef struct LLVMOpaqueBinary *LLVMBinaryRef;
typedef struct LLVMOpaqueBuilder *LLVMBuilderRef;
typedef struct LLVMOpaqueContext *LLVMContextRef;
typedef struct LLVMOpaqueDIBuilder *LLVMDIBuilderRef;
typedef struct LLVMOpaqueDiagnosticInfo *LLVMDiagnosticInfoRef;
typedef struct LLVMOpaqueJITEventListener *LLVMJITEventListenerRef;
typedef struct LLVMOpaqueMemoryBuffer *LLVMMemoryBufferRef;
typedef struct LLVMOpaqueMetadata *LLVMMetadataRef;
typedef struct LLVMOpaqueModule *LLVMModuleRef;
typedef struct LLVMOpaqueModuleProvider *LLVMModuleProviderRef;
typedef struct LLVMOpaqueNamedMDNode *LLVMNamedMDNodeRef;
typedef struct LLVMOpaquePassBuilderOptions *LLVMPassBuilderOptionsRef;
typedef struct LLVMOpaquePassManager *LLVMPassManagerRef;
typedef struct LLVMOpaqueTargetData *LLVMTargetDataRef;
typedef struct LLVMOpaqueTargetLibraryInfotData *LLVMTargetLibraryInfoRef;
typedef struct LLVMOpaqueTargetMachine *LLVMTargetMachineRef;
/// A diagnostic handler (llvm-c/Core.h).
typedef void (*LLVMDiagnosticHandler)(LLVMDiagnosticInfoRef, void *);
typedef struct LLVMOpaqueType *LLVMTypeRef;
typedef struct LLVMOpaqueUse *LLVMUseRef;
typedef struct LLVMOpaqueValue *LLVMValueRef;
typedef struct LLVMTarget *LLVMTargetRef;
typedef struct LLVMOpaqueError *LLVMErrorRef;
typedef struct LLVMOrcOpaqueDumpObjects *LLVMOrcDumpObjectsRef;
typedef struct LLVMOrcOpaqueExecutionSession *LLVMOrcExecutionSessionRef;
typedef struct LLVMOrcOpaqueIRTransformLayer *LLVMOrcIRTransformLayerRef;
typedef struct LLVMOrcOpaqueJITDylib *LLVMOrcJITDylibRef;
typedef struct LLVMOrcOpaqueLLJIT *LLVMOrcLLJITRef;
typedef struct LLVMOrcOpaqueLLJITBuilder *LLVMOrcLLJITBuilderRef;
typedef struct LLVMOrcOpaqueLookupState *LLVMOrcLookupStateRef;
typedef struct LLVMOrcOpaqueMaterializationUnit *LLVMOrcMaterializationUnitRef;
typedef struct LLVMOrcOpaqueObjectLayer *LLVMOrcObjectLayerRef;
typedef struct LLVMOrcOpaqueObjectLinkingLayer *LLVMOrcObjectLinkingLayerRef;
typedef struct LLVMOrcOpaqueResourceTracker *LLVMOrcResourceTrackerRef;
typedef struct LLVMOrcOpaqueSymbolStringPool *LLVMOrcSymbolStringPoolRef;
typedef struct LLVMOrcOpaqueThreadSafeContext *LLVMOrcThreadSafeContextRef;
typedef struct LLVMOrcOpaqueThreadSafeModule *LLVMOrcThreadSafeModuleRef;
typedef struct LLVMOrcOpaqueJITTargetMachineBuilder *LLVMOrcJITTargetMachineBuilderRef;
typedef struct LLVMOrcOpaqueDefinitionGenerator *LLVMOrcDefinitionGeneratorRef;
typedef struct LLVMOrcOpaqueMaterializationResponsibility *LLVMOrcMaterializationResponsibilityRef;
typedef struct LLVMOrcOpaqueSymbolStringPoolEntry *LLVMOrcSymbolStringPoolEntryRef;

typedef uint64_t LLVMOrcJITTargetAddress;
typedef uint64_t LLVMOrcExecutorAddress;
typedef uint8_t LLVMJITSymbolTargetFlags;
typedef struct {
    uint8_t GenericFlags;
    uint8_t TargetFlags;
} LLVMJITSymbolFlags;
typedef struct {
    LLVMOrcExecutorAddress Address;
    LLVMJITSymbolFlags Flags;
} LLVMJITEvaluatedSymbol;
/// `LLVMJITCSymbolMapPair` in LLVM 14, `LLVMOrcCSymbolMapPair` later; same layout.
typedef struct {
    LLVMOrcSymbolStringPoolEntryRef Name;
    LLVMJITEvaluatedSymbol Sym;
} LLVMOrcCSymbolMapPair;
typedef LLVMOrcCSymbolMapPair *LLVMOrcCSymbolMapPairs;
typedef int (*LLVMOrcSymbolPredicate)(void *Ctx, LLVMOrcSymbolStringPoolEntryRef Sym);

// ---- Enums (values identical in LLVM 14 and 19; add members only after checking both headers)

typedef enum {
    LLVMExternalLinkage, LLVMAvailableExternallyLinkage, LLVMLinkOnceAnyLinkage, LLVMLinkOnceODRLinkage,
    LLVMLinkOnceODRAutoHideLinkage, LLVMWeakAnyLinkage, LLVMWeakODRLinkage, LLVMAppendingLinkage,
    LLVMInternalLinkage, LLVMPrivateLinkage, LLVMDLLImportLinkage, LLVMDLLExportLinkage,
    LLVMExternalWeakLinkage, LLVMGhostLinkage, LLVMCommonLinkage, LLVMLinkerPrivateLinkage,
    LLVMLinkerPrivateWeakLinkage
} LLVMLinkage;

typedef enum { LLVMDefaultVisibility, LLVMHiddenVisibility, LLVMProtectedVisibility } LLVMVisibility;

/// LLVM 17 appends LLVMTargetExtTypeKind; the members below are the same in 14 and 19.
typedef enum {
    LLVMVoidTypeKind, LLVMHalfTypeKind, LLVMFloatTypeKind, LLVMDoubleTypeKind, LLVMX86_FP80TypeKind,
    LLVMFP128TypeKind, LLVMPPC_FP128TypeKind, LLVMLabelTypeKind, LLVMIntegerTypeKind, LLVMFunctionTypeKind,
    LLVMStructTypeKind, LLVMArrayTypeKind, LLVMPointerTypeKind, LLVMVectorTypeKind, LLVMMetadataTypeKind,
    LLVMX86_MMXTypeKind, LLVMTokenTypeKind, LLVMScalableVectorTypeKind, LLVMBFloatTypeKind, LLVMX86_AMXTypeKind
} LLVMTypeKind;

typedef enum {
    LLVMIntEQ = 32, LLVMIntNE, LLVMIntUGT, LLVMIntUGE, LLVMIntULT, LLVMIntULE, LLVMIntSGT, LLVMIntSGE,
    LLVMIntSLT, LLVMIntSLE
} LLVMIntPredicate;

typedef enum {
    LLVMRealPredicateFalse, LLVMRealOEQ, LLVMRealOGT, LLVMRealOGE, LLVMRealOLT, LLVMRealOLE, LLVMRealONE,
    LLVMRealORD, LLVMRealUNO, LLVMRealUEQ, LLVMRealUGT, LLVMRealUGE, LLVMRealULT, LLVMRealULE, LLVMRealUNE,
    LLVMRealPredicateTrue
} LLVMRealPredicate;

typedef enum {
    LLVMCodeGenLevelNone, LLVMCodeGenLevelLess, LLVMCodeGenLevelDefault, LLVMCodeGenLevelAggressive
} LLVMCodeGenOptLevel;

typedef enum {
    LLVMRelocDefault, LLVMRelocStatic, LLVMRelocPIC, LLVMRelocDynamicNoPic, LLVMRelocROPI, LLVMRelocRWPI,
    LLVMRelocROPI_RWPI
} LLVMRelocMode;

typedef enum {
    LLVMCodeModelDefault, LLVMCodeModelJITDefault, LLVMCodeModelTiny, LLVMCodeModelSmall, LLVMCodeModelKernel,
    LLVMCodeModelMedium, LLVMCodeModelLarge
} LLVMCodeModel;

typedef enum { LLVMAssemblyFile, LLVMObjectFile } LLVMCodeGenFileType;

typedef enum { LLVMAbortProcessAction, LLVMPrintMessageAction, LLVMReturnStatusAction } LLVMVerifierFailureAction;

/// LLVM 19 adds `LLVMJITSymbolGenericFlagsNone = 0`; the others are the same in 14.
typedef enum {
    LLVMJITSymbolGenericFlagsExported = 1U << 0,
    LLVMJITSymbolGenericFlagsWeak = 1U << 1,
    LLVMJITSymbolGenericFlagsCallable = 1U << 2,
    LLVMJITSymbolGenericFlagsMaterializationSideEffectsOnly = 1U << 3
} LLVMJITSymbolGenericFlags;

// ---- The functions (declarations from LLVMFunctions.def)

#define LLVM_FUNCTION(since, ret, name, params, args) ret name params;
#define LLVM_VOID_FUNCTION(since, name, params, args) void name params;
#include "LLVMFunctions.def"
#undef LLVM_FUNCTION
#undef LLVM_VOID_FUNCTION

/// One id per function of LLVMFunctions.def: `SJ_LLVM_FN_LLVMSetFastMathFlags`, ...
enum {
#define LLVM_FUNCTION(since, ret, name, params, args) SJ_LLVM_FN_##name,
#define LLVM_VOID_FUNCTION(since, name, params, args) SJ_LLVM_FN_##name,
#include "LLVMFunctions.def"
#undef LLVM_FUNCTION
#undef LLVM_VOID_FUNCTION
    SJ_LLVM_FUNCTION_COUNT
};

// ---- Loading (LLVMLoader.c)

/// The oldest and newest LLVM major versions SwiftJIT supports.
enum { SJ_LLVM_OLDEST_SUPPORTED = 14, SJ_LLVM_NEWEST_SUPPORTED = 19 };

/// Opens the libLLVM at `path` (RTLD_LOCAL, never closed), resolves every function of
/// LLVMFunctions.def and initialises the native target. `major` is the version the file name
/// says (0 when unknown); LLVMGetVersion (LLVM 16+) is believed over it. Returns 0 on success;
/// else nonzero with a message in `error` (at most `size` bytes) and nothing loaded. Not
/// thread-safe and only once per process: the caller (LLVMKit's LLVMLibrary) serialises.
int sj_llvm_open(const char *path, unsigned major, char *error, size_t size);
/// Whether a library is loaded.
int sj_llvm_loaded(void);
/// The loaded library's version (0.0.0 before loading; patch 0 when the library cannot tell).
void sj_llvm_version(unsigned *major, unsigned *minor, unsigned *patch);
/// Whether the loaded library has function `id` (an SJ_LLVM_FN_ value).
int sj_llvm_has(int id);
/// The name of function `id`, for messages.
const char *sj_llvm_function_name(int id);

// ---- Helpers hiding version differences, decided at run time (LLVMShim.c)

/// Major version of the loaded LLVM.
int sj_llvm_version_major(void);
/// Minor version of the loaded LLVM (part of object-cache keys).
int sj_llvm_version_minor(void);

/// One (name, symbol) pair for LLVMOrcAbsoluteSymbols.
typedef LLVMOrcCSymbolMapPair sj_symbol_map_pair;

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

/// Whether per-instruction fast-math flags can be set through the C API (LLVM 18+).
int sj_has_instruction_fmf(void);
/// Sets per-instruction fast-math flags where the C API has them (LLVM 18+); a no-op before,
/// where function attributes and explicit llvm.fmuladd calls carry the math mode instead.
/// Returns 1 when the flags were applied.
int sj_set_fast_math_flags(LLVMValueRef inst, unsigned flags);
/// Installs a handler that ignores LLVM's warnings and remarks on a context (a loop that a
/// vectorization hint could not vectorize reports a warning, which the default handler would
/// print to the user's stderr); errors are reported through the C API's return values.
void sj_silence_diagnostics(LLVMContextRef ctx);
/// Returns memory that malloc holds free (inside its arenas as well as at their top) to the
/// system (glibc's malloc_trim(0)); 1 if any was released, 0 otherwise or without glibc.
int sj_release_free_heap(void);
/// The pointer type used for all memory: opaque `ptr` on LLVM 15+, `i8*` on 14.
LLVMTypeRef sj_pointer_type(LLVMContextRef ctx);
/// A pointer to `elem` (typed on 14, opaque on 15+).
LLVMTypeRef sj_pointer_to(LLVMTypeRef elem);

#ifdef __cplusplus
}
#endif

#endif
