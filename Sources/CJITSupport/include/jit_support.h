// Runtime helpers that JITted code calls: complex functions with NumPy's semantics, written in
// C so the C99 complex ABI is the compiler's business. Each takes the parts of its arguments and
// writes the parts of its result through two pointers. The JIT is given their addresses as
// absolute symbols (see Engine), so nothing depends on the executable exporting them.
#ifndef SWIFTJIT_JIT_SUPPORT_H
#define SWIFTJIT_JIT_SUPPORT_H

/// One function of a complex argument: `f(re, im, &out_re, &out_im)`.
typedef void (*sj_complex_fn)(double, double, double *, double *);
typedef void (*sj_complexf_fn)(float, float, float *, float *);

/// A helper's name as the JIT sees it and its address.
typedef struct { const char *name; void *address; } sj_symbol;

/// The table of helpers (terminated by a null name).
const sj_symbol *sj_support_symbols(void);

#endif
