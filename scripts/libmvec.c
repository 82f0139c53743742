// glibc's libmvec (the vector variants the loop vectoriser would call with
// -vector-library=LIBMVEC-X86, and GCC with -ffast-math -fopenmp-simd), for comparison with our
// vector math: the AVX-512 variants _ZGVeN8v_exp, _ZGVeN16v_expf, _ZGVeN8vv_pow, ... found with
// dlsym in libmvec.so.1. Built by scripts/throughput and scripts/accuracy:
//     gcc -O2 -mavx512f scripts/libmvec.c -ldl -o /tmp/libmvec
//     /tmp/libmvec rate N exp,log,pow,...     # throughput, 1 thread: "name type elements/ns"
//                                             # (median of 15; "name type -" if missing)
//     /tmp/libmvec eval NAME TYPE IN OUT      # IN: raw float64 x values (then y for pow and
//                                             # arctan2); OUT: raw float64 results
#include <dlfcn.h>
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef __m512d (*F64x1)(__m512d);
typedef __m512d (*F64x2)(__m512d, __m512d);
typedef __m512 (*F32x1)(__m512);
typedef __m512 (*F32x2)(__m512, __m512);

/* Argument ranges, as VectorMathThroughputTests.domain and scripts/throughput_numpy.py. */
static void domain(const char *name, double *lo, double *hi) {
    *lo = -10; *hi = 10;
    if (!strcmp(name, "log") || !strcmp(name, "log2") || !strcmp(name, "log10")) { *lo = 1e-3; *hi = 1e3; }
    else if (!strcmp(name, "log1p")) { *lo = -0.9; *hi = 10; }
    else if (!strcmp(name, "arcsin") || !strcmp(name, "arccos") || !strcmp(name, "arctanh")) { *lo = -0.99; *hi = 0.99; }
    else if (!strcmp(name, "arccosh")) { *lo = 1; *hi = 100; }
    else if (!strcmp(name, "exp") || !strcmp(name, "exp2") || !strcmp(name, "exp10") || !strcmp(name, "expm1")
             || !strcmp(name, "sinh") || !strcmp(name, "cosh")) { *lo = -20; *hi = 20; }
    else if (!strcmp(name, "pow")) { *lo = 0.1; *hi = 10; }
}

/* NumPy's names -> C's. */
static const char *cname(const char *name) {
    static const char *map[][2] = {{"arcsin", "asin"}, {"arccos", "acos"}, {"arctan", "atan"}, {"arcsinh", "asinh"},
                                   {"arccosh", "acosh"}, {"arctanh", "atanh"}, {"arctan2", "atan2"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(name, map[i][0])) return map[i][1];
    return name;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);  /* CPU time: robust on a busy machine */
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* NAME is NumPy's (scripts/throughput) or C's (scripts/accuracy passes the table's libm name). */
static int is_binary(const char *name) { return !strcmp(name, "pow") || !strcmp(name, "arctan2") || !strcmp(name, "atan2"); }

static void *variant(void *lib, const char *name, int wide) {
    char sym[64];
    snprintf(sym, sizeof sym, "_ZGVeN%d%s_%s%s", wide ? 8 : 16, is_binary(name) ? "vv" : "v", cname(name), wide ? "" : "f");
    return dlsym(lib, sym);
}

/* eval NAME TYPE IN OUT: the function on every argument of IN (padded to whole vectors). */
static int eval(void *lib, const char *name, const char *type, const char *in, const char *outp) {
    int wide = !strcmp(type, "f64"), arity = is_binary(name) ? 2 : 1;
    void *f = variant(lib, name, wide);
    FILE *fi = fopen(in, "rb");
    if (!f || !fi) { fprintf(stderr, "no %s %s or no %s\n", name, type, in); return 1; }
    fseek(fi, 0, SEEK_END);
    long n = ftell(fi) / 8 / arity;
    rewind(fi);
    long padded = (n + 15) / 16 * 16;
    double *a = calloc(padded * 2, 8), *r = calloc(padded, 8);
    if (fread(a, 8, n, fi) != (size_t)n || (arity == 2 && fread(a + padded, 8, n, fi) != (size_t)n)) return 1;
    fclose(fi);
    for (long i = 0; i < padded; i += 16) {
        if (wide) {
            for (int h = 0; h < 16; h += 8) {
                __m512d x = _mm512_loadu_pd(a + i + h), y = _mm512_loadu_pd(a + padded + i + h);
                _mm512_storeu_pd(r + i + h, arity == 2 ? ((F64x2)f)(x, y) : ((F64x1)f)(x));
            }
        } else {
            float xf[16], yf[16], rf[16];
            for (int k = 0; k < 16; k++) { xf[k] = (float)a[i + k]; yf[k] = (float)a[padded + i + k]; }
            __m512 x = _mm512_loadu_ps(xf), y = _mm512_loadu_ps(yf);
            _mm512_storeu_ps(rf, arity == 2 ? ((F32x2)f)(x, y) : ((F32x1)f)(x));
            for (int k = 0; k < 16; k++) r[i + k] = rf[k];
        }
    }
    FILE *fo = fopen(outp, "wb");
    if (!fo || fwrite(r, 8, n, fo) != (size_t)n) return 1;
    return fclose(fo) != 0;
}

int main(int argc, char **argv) {
    void *lib = dlopen("libmvec.so.1", RTLD_NOW);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    if (argc == 6 && !strcmp(argv[1], "eval")) return eval(lib, argv[2], argv[3], argv[4], argv[5]);
    if (argc != 4 || strcmp(argv[1], "rate")) { fprintf(stderr, "usage: see the top of libmvec.c\n"); return 2; }
    long n = atol(argv[2]);
    n -= n % 16;
    double *x = aligned_alloc(64, n * 8), *y = aligned_alloc(64, n * 8), *out = aligned_alloc(64, n * 8);
    float *xf = aligned_alloc(64, n * 4), *yf = aligned_alloc(64, n * 4), *outf = aligned_alloc(64, n * 4);
    char *list = strdup(argv[3]);
    for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
        int binary = is_binary(name);
        double lo, hi;
        domain(name, &lo, &hi);
        for (long i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * (double)i / n;
            y[i] = !strcmp(name, "pow") ? -5 + 10.0 * (double)i / n : -10 + 20.0 * (double)(n - 1 - i) / n;
            xf[i] = (float)x[i];
            yf[i] = (float)y[i];
        }
        for (int wide = 1; wide >= 0; wide--) {
            void *f = variant(lib, name, wide);
            if (!f) { printf("%s %s -\n", name, wide ? "f64" : "f32"); continue; }
            double ts[16];
            for (int r = 0; r < 16; r++) {
                double t0 = now();
                if (wide && binary)
                    for (long i = 0; i < n; i += 8)
                        _mm512_store_pd(out + i, ((F64x2)f)(_mm512_load_pd(x + i), _mm512_load_pd(y + i)));
                else if (wide)
                    for (long i = 0; i < n; i += 8) _mm512_store_pd(out + i, ((F64x1)f)(_mm512_load_pd(x + i)));
                else if (binary)
                    for (long i = 0; i < n; i += 16)
                        _mm512_store_ps(outf + i, ((F32x2)f)(_mm512_load_ps(xf + i), _mm512_load_ps(yf + i)));
                else
                    for (long i = 0; i < n; i += 16) _mm512_store_ps(outf + i, ((F32x1)f)(_mm512_load_ps(xf + i)));
                ts[r] = now() - t0;
            }
            qsort(ts + 1, 15, sizeof(double), cmp);  /* the first run warms up */
            printf("%s %s %.3f\n", name, wide ? "f64" : "f32", n / ts[8]);
        }
    }
    return 0;
}
