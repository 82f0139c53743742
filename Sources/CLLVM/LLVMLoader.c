// The run-time link to libLLVM. In: a library path (chosen by LLVMKit's LLVMLibrary). Out: a table
// of function pointers resolved with dlsym, one trampoline per function of LLVMFunctions.def
// (so `LLVMFoo(...)` works as if linked), the library's version, and the native target initialised.
// Calling a function before loading, or one the loaded version lacks, is a bug in SwiftJIT: it
// stops the process with the function's name instead of jumping to null.
#define _GNU_SOURCE
#include "CLLVM.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *functions[SJ_LLVM_FUNCTION_COUNT];
static void *library;
static unsigned version_major, version_minor, version_patch;

static const struct {
    const char *name;
    unsigned since;
} entries[SJ_LLVM_FUNCTION_COUNT] = {
#define LLVM_FUNCTION(since, ret, name, params, args) {#name, since},
#define LLVM_VOID_FUNCTION(since, name, params, args) {#name, since},
#include "LLVMFunctions.def"
#undef LLVM_FUNCTION
#undef LLVM_VOID_FUNCTION
};

/// Stops the process: function `id` was called but is not loaded.
__attribute__((noreturn, cold)) static void unavailable(int id) {
    if (library)
        fprintf(stderr, "SwiftJIT bug: %s is not in the loaded LLVM %u; check sj_llvm_has first\n",
                entries[id].name, version_major);
    else
        fprintf(stderr, "SwiftJIT bug: %s called before LLVM was loaded (LLVMLibrary.load())\n", entries[id].name);
    abort();
}

static inline void *entry(int id) {
    void *f = functions[id];
    if (__builtin_expect(f == NULL, 0)) unavailable(id);
    return f;
}

#define LLVM_FUNCTION(since, ret, name, params, args) \
    ret name params { return ((ret(*) params)entry(SJ_LLVM_FN_##name))args; }
#define LLVM_VOID_FUNCTION(since, name, params, args) \
    void name params { ((void(*) params)entry(SJ_LLVM_FN_##name))args; }
#include "LLVMFunctions.def"
#undef LLVM_FUNCTION
#undef LLVM_VOID_FUNCTION

/// The LLVM target name of this machine (the `X86` of LLVMInitializeX86Target).
static const char *native_target(void) {
#if defined(__x86_64__) || defined(__i386__)
    return "X86";
#elif defined(__aarch64__)
    return "AArch64";
#elif defined(__arm__)
    return "ARM";
#elif defined(__powerpc64__)
    return "PowerPC";
#elif defined(__riscv)
    return "RISCV";
#elif defined(__s390x__)
    return "SystemZ";
#else
    return NULL;
#endif
}

/// LLVMInitializeNativeTarget, ...AsmPrinter and ...AsmParser: static inline in LLVM's headers,
/// so done here through the target's exported LLVMInitialize<Target><Part> functions.
static int initialize_native(void *handle, char *error, size_t size) {
    const char *target = native_target();
    if (!target) {
        snprintf(error, size, "SwiftJIT does not know this machine's LLVM target");
        return 1;
    }
    static const char *const parts[] = {"TargetInfo", "Target", "TargetMC", "AsmPrinter", "AsmParser"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char name[96];
        snprintf(name, sizeof name, "LLVMInitialize%s%s", target, parts[i]);
        void (*init)(void) = (void (*)(void))dlsym(handle, name);
        if (!init) {
            snprintf(error, size, "the library has no %s (built without the %s target?)", name, target);
            return 1;
        }
        init();
    }
    return 0;
}

int sj_llvm_open(const char *path, unsigned major, char *error, size_t size) {
    if (library) {
        snprintf(error, size, "an LLVM library is already loaded");
        return 1;
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(error, size, "%s", why ? why : "dlopen failed");
        return 1;
    }
    unsigned vmajor = major, vminor = 0, vpatch = 0;
    void (*get_version)(unsigned *, unsigned *, unsigned *) =
        (void (*)(unsigned *, unsigned *, unsigned *))dlsym(handle, "LLVMGetVersion");
    if (get_version) get_version(&vmajor, &vminor, &vpatch);
    if (vmajor == 0) {
        snprintf(error, size, "cannot tell which LLVM version %s is (name a file such as libLLVM-14.so)", path);
        dlclose(handle);
        return 1;
    }
    if (vmajor < SJ_LLVM_OLDEST_SUPPORTED || vmajor > SJ_LLVM_NEWEST_SUPPORTED) {
        snprintf(error, size, "%s is LLVM %u; SwiftJIT supports LLVM %d to %d", path, vmajor,
                 SJ_LLVM_OLDEST_SUPPORTED, SJ_LLVM_NEWEST_SUPPORTED);
        dlclose(handle);
        return 1;
    }
    void *found[SJ_LLVM_FUNCTION_COUNT];
    for (int i = 0; i < SJ_LLVM_FUNCTION_COUNT; i++) {
        found[i] = dlsym(handle, entries[i].name);
        if (!found[i] && entries[i].since <= vmajor) {
            snprintf(error, size, "%s (LLVM %u) has no %s: not a complete LLVM C API library", path, vmajor,
                     entries[i].name);
            dlclose(handle);
            return 1;
        }
    }
    if (initialize_native(handle, error, size)) {
        dlclose(handle);
        return 1;
    }
    memcpy(functions, found, sizeof functions);
    version_major = vmajor;
    version_minor = vminor;
    version_patch = vpatch;
    library = handle;
    return 0;
}

int sj_llvm_loaded(void) { return library != NULL; }

void sj_llvm_version(unsigned *major, unsigned *minor, unsigned *patch) {
    *major = version_major;
    *minor = version_minor;
    *patch = version_patch;
}

int sj_llvm_has(int id) { return id >= 0 && id < SJ_LLVM_FUNCTION_COUNT && functions[id] != NULL; }

const char *sj_llvm_function_name(int id) {
    return id >= 0 && id < SJ_LLVM_FUNCTION_COUNT ? entries[id].name : "?";
}
