// Complex functions for JITted code, following NumPy's npymath (numpy/_core/src/npymath and
// umath/funcs.inc.src): where NumPy calls the C99 function (cexp, clog, csqrt, csin, ...), so do
// we, so branch cuts and special values are the same; where NumPy has its own formula (log1p,
// expm1, log2, log10, pow with small integer exponents, division) we use NumPy's formula.
// The sj_c* helpers are external symbols: the JIT resolves them through sj_support_symbols(), and
// objects exported for a system linker (`swiftjit compile --emit-object`) link them from
// scripts/build-runtime's libswiftjit_runtime.a.
#include <complex.h>
#include <math.h>
#include <stddef.h>
#include "jit_support.h"
#include "kernel_support.h"
#include "stream_copy.h"
#include "runtime_settings.h"

#ifndef CMPLX
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif
#ifndef CMPLXF
#define CMPLXF(x, y) __builtin_complex((float)(x), (float)(y))
#endif

#define UNARY(name, expr)                                                              \
    void sj_##name(double re, double im, double *ore, double *oim) {                  \
        double complex z = CMPLX(re, im), r = expr;                                    \
        *ore = creal(r); *oim = cimag(r);                                              \
    }                                                                                  \
    void sj_##name##f(float re, float im, float *ore, float *oim) {                   \
        float complex z = CMPLXF(re, im);                                              \
        float complex r = name##_f(z);                                                 \
        *ore = crealf(r); *oim = cimagf(r);                                            \
    }

static inline float complex cexp_f(float complex z) { return cexpf(z); }
static inline float complex clog_f(float complex z) { return clogf(z); }
static inline float complex csqrt_f(float complex z) { return csqrtf(z); }
static inline float complex csin_f(float complex z) { return csinf(z); }
static inline float complex ccos_f(float complex z) { return ccosf(z); }
static inline float complex ctan_f(float complex z) { return ctanf(z); }
static inline float complex casin_f(float complex z) { return casinf(z); }
static inline float complex cacos_f(float complex z) { return cacosf(z); }
static inline float complex catan_f(float complex z) { return catanf(z); }
static inline float complex csinh_f(float complex z) { return csinhf(z); }
static inline float complex ccosh_f(float complex z) { return ccoshf(z); }
static inline float complex ctanh_f(float complex z) { return ctanhf(z); }
static inline float complex casinh_f(float complex z) { return casinhf(z); }
static inline float complex cacosh_f(float complex z) { return cacoshf(z); }
static inline float complex catanh_f(float complex z) { return catanhf(z); }

UNARY(cexp, cexp(z))
UNARY(clog, clog(z))
UNARY(csqrt, csqrt(z))
UNARY(csin, csin(z))
UNARY(ccos, ccos(z))
UNARY(ctan, ctan(z))
UNARY(casin, casin(z))
UNARY(cacos, cacos(z))
UNARY(catan, catan(z))
UNARY(csinh, csinh(z))
UNARY(ccosh, ccosh(z))
UNARY(ctanh, ctanh(z))
UNARY(casinh, casinh(z))
UNARY(cacosh, cacosh(z))
UNARY(catanh, catanh(z))

// NumPy's nc_log1p: log|1+z| + i arg(1+z).
void sj_clog1p(double re, double im, double *ore, double *oim) {
    double l = hypot(re + 1, im);
    *oim = atan2(im, re + 1);
    *ore = log(l);
}
void sj_clog1pf(float re, float im, float *ore, float *oim) {
    float l = hypotf(re + 1, im);
    *oim = atan2f(im, re + 1);
    *ore = logf(l);
}

// NumPy's nc_expm1.
void sj_cexpm1(double re, double im, double *ore, double *oim) {
    double a = sin(im / 2);
    *ore = expm1(re) * cos(im) - 2 * a * a;
    *oim = exp(re) * sin(im);
}
void sj_cexpm1f(float re, float im, float *ore, float *oim) {
    float a = sinf(im / 2);
    *ore = expm1f(re) * cosf(im) - 2 * a * a;
    *oim = expf(re) * sinf(im);
}

// NumPy's nc_log10 and nc_log2: clog scaled.
void sj_clog10(double re, double im, double *ore, double *oim) {
    double complex r = clog(CMPLX(re, im));
    *ore = creal(r) * 0.434294481903251827651128918916605082;
    *oim = cimag(r) * 0.434294481903251827651128918916605082;
}
void sj_clog10f(float re, float im, float *ore, float *oim) {
    float complex r = clogf(CMPLXF(re, im));
    *ore = crealf(r) * 0.434294481903251827651128918916605082f;
    *oim = cimagf(r) * 0.434294481903251827651128918916605082f;
}
void sj_clog2(double re, double im, double *ore, double *oim) {
    double complex r = clog(CMPLX(re, im));
    *ore = creal(r) * 1.442695040888963407359924681001892137;
    *oim = cimag(r) * 1.442695040888963407359924681001892137;
}
void sj_clog2f(float re, float im, float *ore, float *oim) {
    float complex r = clogf(CMPLXF(re, im));
    *ore = crealf(r) * 1.442695040888963407359924681001892137f;
    *oim = cimagf(r) * 1.442695040888963407359924681001892137f;
}

// NumPy's npy_cpow: exact special cases, repeated multiplication for small integer exponents,
// C's cpow otherwise.
#define CPOW(name, T, SUF, CT, MK, RE, IM, POWF)                                         \
    void name(T ar, T ai, T br, T bi, T *ore, T *oim) {                                  \
        if (br == 0. && bi == 0.) { *ore = 1; *oim = 0; return; }                        \
        if (ar == 0. && ai == 0.) {                                                      \
            /* NumPy 2: 0**b is 0 when real(b) > 0, whatever imag(b) is */                \
            if (br > 0) { *ore = 0; *oim = 0; }                                          \
            else { *ore = NAN; *oim = NAN; }                                             \
            return;                                                                      \
        }                                                                                \
        if (bi == 0 && br == (T)(long)br && br < 100 && br > -100) {                     \
            long n = (long)br;                                                           \
            if (n == 1) { *ore = ar; *oim = ai; return; }                                \
            if (n == 2) { *ore = ar * ar - ai * ai; *oim = ar * ai + ai * ar; return; }  \
            if (n == 3) {                                                                \
                T sr = ar * ar - ai * ai, si = ar * ai + ai * ar;                        \
                *ore = sr * ar - si * ai; *oim = sr * ai + si * ar; return;              \
            }                                                                            \
            if (n > -100 && n < 100) {                                                   \
                T rr = 1, ri = 0, pr = ar, pi = ai, t;                                   \
                long mask = 1, m = n < 0 ? -n : n;                                       \
                for (;;) {                                                               \
                    if (m & mask) { t = rr * pr - ri * pi; ri = rr * pi + ri * pr; rr = t; } \
                    mask <<= 1;                                                          \
                    if (m < mask || mask <= 0) break;                                    \
                    t = pr * pr - pi * pi; pi = pr * pi + pi * pr; pr = t;               \
                }                                                                        \
                if (n < 0) {                                                             \
                    /* 1 / r with Smith's division, as NumPy does */                     \
                    T den_abs_r = fabs##SUF(rr), den_abs_i = fabs##SUF(ri);              \
                    if (den_abs_r == 0 && den_abs_i == 0) {                              \
                        /* an underflowed power: NumPy's 1/(0+0j) is inf + nan j */       \
                        *ore = (T)1 / den_abs_r; *oim = (T)0 / den_abs_r; return;        \
                    }                                                                    \
                    if (den_abs_r >= den_abs_i) {                                        \
                        T rat = ri / rr, scl = (T)1 / (rr + ri * rat);                   \
                        *ore = scl; *oim = -rat * scl;                                   \
                    } else {                                                             \
                        T rat = rr / ri, scl = (T)1 / (ri + rr * rat);                   \
                        *ore = rat * scl; *oim = -scl;                                   \
                    }                                                                    \
                } else { *ore = rr; *oim = ri; }                                         \
                return;                                                                  \
            }                                                                            \
        }                                                                                \
        CT r = POWF(MK(ar, ai), MK(br, bi));                                             \
        *ore = RE(r); *oim = IM(r);                                                      \
    }
CPOW(sj_cpow, double, , double complex, CMPLX, creal, cimag, cpow)
CPOW(sj_cpowf, float, f, float complex, CMPLXF, crealf, cimagf, cpowf)

static const sj_symbol table[] = {
#define ENTRY(n) {"sj_" #n, (void *)sj_##n}, {"sj_" #n "f", (void *)sj_##n##f}
    ENTRY(cexp), ENTRY(clog), ENTRY(csqrt), ENTRY(csin), ENTRY(ccos), ENTRY(ctan), ENTRY(casin),
    ENTRY(cacos), ENTRY(catan), ENTRY(csinh), ENTRY(ccosh), ENTRY(ctanh), ENTRY(casinh),
    ENTRY(cacosh), ENTRY(catanh), ENTRY(clog1p), ENTRY(cexpm1), ENTRY(clog10), ENTRY(clog2),
    ENTRY(cpow),
    {"sj_kernel_alloc", (void *)sj_kernel_alloc}, {"sj_kernel_alloc_uninitialized", (void *)sj_kernel_alloc_uninitialized}, {"sj_seed", (void *)sj_seed},
    {"sj_random", (void *)sj_random}, {"sj_normal", (void *)sj_normal},
    {"sj_raise_expression_error", (void *)sj_raise_expression_error},
    {"sj_parallel_for", (void *)sj_parallel_for}, {"sj_parallel_serial", (void *)sj_parallel_serial},
    {"sj_cancelled", (void *)sj_cancelled},
#if defined(__x86_64__) && defined(__ELF__)
    {"sj_cancelled_preserving", (void *)sj_cancelled_preserving},
#endif
    {"sj_cancel_pending", (void *)&sj_cancel_pending},
    {"sj_runtime_settings", (void *)sj_runtime_settings},
    {"sj_stream_copy", (void *)sj_stream_copy}, {"sj_stream_fence", (void *)sj_stream_fence},
    {NULL, NULL},
};

const sj_symbol *sj_support_symbols(void) { return table; }
