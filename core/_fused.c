/* One pass over a layer's float32 arrays for what NumPy needs several passes for.

   The frame's statistics are bound by memory, not arithmetic: NumPy reads an array once per
   sum (Σx, then Σx²), once more for φ', once for the saturation mask, and writes between. On a
   2-core VM that streams about 28 GB/s those reads were most of the frame's overhead over its
   matmuls. Each kernel here reads its arrays once and returns every sum the statistics need.

   Sums are exact in the same way everywhere: each row is cut in segments of at most SEG values,
   a segment is summed in float over LANES lanes, and the lanes are added to double accumulators
   segment by segment. The standalone sums() and the fused kernels share that order, so a moment
   is the same to the last bit whichever computed it. Non-finite values are not special-cased:
   they make a sum non-finite, and the caller then takes its slow, counting path.

   Built by setuptools (pyproject.toml); core/fused.py wraps it, and without it the core runs on
   NumPy alone. Arrays come in through the buffer protocol (C-contiguous float32), so no NumPy
   headers are needed to build it. Every kernel releases the GIL. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#define LANES 16
#define SEG 1024

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define INLINE __attribute__((always_inline)) /* compiled into each clone, for its target */
#else
#define CLONES
#define INLINE
#endif

enum { KIND_GIVEN = 0, KIND_TANH = 1, KIND_SIGMOID = 2, KIND_RELU = 3 };

/* Lanes are a vector type so that they stay in registers (as arrays GCC kept them in memory). */
typedef float lanes __attribute__((vector_size(LANES * sizeof(float))));
typedef int32_t masks __attribute__((vector_size(LANES * sizeof(int32_t))));

/* Σx and Σx² of one segment: lane k sums the segment's values k, k+LANES, ...; the tail (fewer
   than LANES values) goes to lanes 0.. ; then the lanes are added into s and q as doubles. Every
   kernel accumulates through these three, which is what makes their sums agree to the bit. */
typedef struct {
    lanes s, q;
} acc;

static inline INLINE void acc_add(acc *a, lanes v)
{
    a->s += v;
    a->q += v * v;
}

static inline INLINE void acc_fold(const acc *a, const float *tail, Py_ssize_t m, double *s,
                                   double *q)
{
    float ts[LANES] = {0}, tq[LANES] = {0};
    for (Py_ssize_t k = 0; k < m; k++) {
        ts[k] = tail[k];
        tq[k] = tail[k] * tail[k];
    }
    double x = 0, y = 0;
    for (int k = 0; k < LANES; k++) {
        x += (double)(a->s[k] + ts[k]);
        y += (double)(a->q[k] + tq[k]);
    }
    *s += x;
    *q += y;
}

static inline INLINE lanes load(const float *p)
{
    lanes v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline INLINE void store(float *p, lanes v) { memcpy(p, &v, sizeof v); }

static inline INLINE void seg_sums(const float *x, Py_ssize_t n, double *s, double *q)
{
    acc a = {{0}, {0}};
    Py_ssize_t i = 0;
    for (; i + LANES <= n; i += LANES) acc_add(&a, load(x + i));
    acc_fold(&a, x + i, n - i, s, q);
}

#define SEGMENTS(rows, cols, BODY)                                                              \
    for (Py_ssize_t r = 0; r < (rows); r++)                                                     \
        for (Py_ssize_t c = 0; c < (cols); c += SEG) {                                          \
            Py_ssize_t n = (cols) - c < SEG ? (cols) - c : SEG, o = r * (cols) + c;             \
            BODY                                                                                \
        }

CLONES static void sums_rows(const float *x, Py_ssize_t rows, Py_ssize_t cols, double *out)
{
    double s = 0, q = 0;
    SEGMENTS(rows, cols, seg_sums(x + o, n, &s, &q);)
    out[0] = s;
    out[1] = q;
}

/* F(kind, ...) with kind a constant in each call, so that the switches in dphi_lanes fold away */
#define BY_KIND(kind, F, ...)                                                                   \
    switch (kind) {                                                                             \
    case KIND_TANH:                                                                             \
        F(KIND_TANH, __VA_ARGS__);                                                              \
        break;                                                                                  \
    case KIND_SIGMOID:                                                                          \
        F(KIND_SIGMOID, __VA_ARGS__);                                                           \
        break;                                                                                  \
    case KIND_RELU:                                                                             \
        F(KIND_RELU, __VA_ARGS__);                                                              \
        break;                                                                                  \
    default:                                                                                    \
        F(KIND_GIVEN, __VA_ARGS__);                                                             \
    }

/* φ' from h and a as the activation's df computes it in NumPy (same operations, same order). */
static inline INLINE lanes dphi_lanes(int kind, lanes h, lanes a, lanes given)
{
    lanes one = {0}, zero = {0};
    one += 1.0f;
    switch (kind) {
    case KIND_TANH:
        return one - a * a;
    case KIND_SIGMOID:
        return (one - a) * a;
    case KIND_RELU:
        return (lanes)((masks)(h > zero) & (masks)one);
    default:
        return given;
    }
}

static inline INLINE float dphi_one(int kind, float h, float a, float given)
{
    switch (kind) {
    case KIND_TANH:
        return 1.0f - a * a;
    case KIND_SIGMOID:
        return (1.0f - a) * a;
    case KIND_RELU:
        return h > 0.0f ? 1.0f : 0.0f;
    default:
        return given;
    }
}

/* One segment of activate_rows, in one pass. */
static inline INLINE int64_t seg_activate(int kind, const float *h, const float *a,
                                          const float *d,
                                          Py_ssize_t n, float thr, int32_t *colsat, double *sh,
                                          double *qh, double *sa, double *qa)
{
    acc H = {{0}, {0}}, A = {{0}, {0}};
    masks count = {0};
    lanes t = {0};
    t += thr;
    Py_ssize_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        lanes hv = load(h + i), av = load(a + i);
        lanes dv = dphi_lanes(kind, hv, av, kind ? hv : load(d + i));
        acc_add(&H, hv);
        acc_add(&A, av);
        masks below = dv < t, c;
        count -= below;
        memcpy(&c, colsat + i, sizeof c);
        c &= below;
        memcpy(colsat + i, &c, sizeof c);
    }
    int64_t total = 0;
    for (Py_ssize_t j = i; j < n; j++) {
        float dv = dphi_one(kind, h[j], a[j], kind ? 0.0f : d[j]);
        int32_t below = dv < thr ? -1 : 0;
        total -= below;
        colsat[j] &= below;
    }
    acc_fold(&H, h + i, n - i, sh, qh);
    acc_fold(&A, a + i, n - i, sa, qa);
    for (int k = 0; k < LANES; k++) total += count[k];
    return total;
}

/* φ' is not stored where the kernel knows it (product_rows computes it again from h or a: one
   2 MB array a layer less to write and read back); d is read only for KIND_GIVEN.
   out: Σh, Σh², Σa, Σa², then the count of φ' < thr; colsat[c] (-1 before the first row) stays
   nonzero only if φ' < thr in every row of column c. */
static inline INLINE void activate_kind(int kind, const float *h, const float *a, const float *d,
                                        Py_ssize_t rows, Py_ssize_t cols, float thr, double *out,
                                        int32_t *colsat)
{
    double sh = 0, qh = 0, sa = 0, qa = 0;
    int64_t nsat = 0;
    SEGMENTS(rows, cols,
             nsat += seg_activate(kind, h + o, a + o, d + o, n, thr, colsat + c, &sh, &qh, &sa,
                                  &qa);)
    out[0] = sh;
    out[1] = qh;
    out[2] = sa;
    out[3] = qa;
    out[4] = (double)nsat;
}

CLONES static void activate_rows(int kind, const float *h, const float *a, const float *d,
                                 Py_ssize_t rows, Py_ssize_t cols, float thr, double *out,
                                 int32_t *colsat)
{
    BY_KIND(kind, activate_kind, h, a, d, rows, cols, thr, out, colsat);
}

/* delta = g·φ' (φ' from h or a as activate_rows has it, from d for KIND_GIVEN);
   out: Σg, Σg², Σdelta, Σdelta². */
static inline INLINE void seg_product(int kind, const float *g, const float *h, const float *a,
                                      const float *d, float *o, Py_ssize_t n, double *out)
{
    acc G = {{0}, {0}}, P = {{0}, {0}};
    Py_ssize_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        lanes gv = load(g + i);
        lanes dv = kind == KIND_RELU      ? dphi_lanes(kind, load(h + i), gv, gv)
                   : kind != KIND_GIVEN ? dphi_lanes(kind, gv, load(a + i), gv)
                                        : load(d + i);
        lanes pv = gv * dv;
        store(o + i, pv);
        acc_add(&G, gv);
        acc_add(&P, pv);
    }
    for (Py_ssize_t j = i; j < n; j++)
        o[j] = g[j] * dphi_one(kind, kind == KIND_RELU ? h[j] : 0.0f,
                               kind == KIND_TANH || kind == KIND_SIGMOID ? a[j] : 0.0f,
                               kind ? 0.0f : d[j]);
    acc_fold(&G, g + i, n - i, out, out + 1);
    acc_fold(&P, o + i, n - i, out + 2, out + 3);
}

static inline INLINE void product_kind(int kind, const float *g, const float *h, const float *a,
                                       const float *d, float *delta, Py_ssize_t rows,
                                       Py_ssize_t cols, double *out)
{
    out[0] = out[1] = out[2] = out[3] = 0;
    SEGMENTS(rows, cols, seg_product(kind, g + o, h + o, a + o, d + o, delta + o, n, out);)
}

CLONES static void product_rows(int kind, const float *g, const float *h, const float *a,
                                const float *d, float *delta, Py_ssize_t rows, Py_ssize_t cols,
                                double *out)
{
    BY_KIND(kind, product_kind, g, h, a, d, delta, rows, cols, out);
}

/* y = x·k (x read, y written); out: Σy, Σy² in sums_rows' order (a scaled draw's weights) */
static inline INLINE void seg_scale_into(const float *x, float *y, Py_ssize_t n, float k,
                                         double *out)
{
    acc Y = {{0}, {0}};
    lanes kv = {0};
    kv += k;
    Py_ssize_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        lanes v = load(x + i) * kv;
        store(y + i, v);
        acc_add(&Y, v);
    }
    for (Py_ssize_t j = i; j < n; j++) y[j] = x[j] * k;
    acc_fold(&Y, y + i, n - i, out, out + 1);
}

/* x *= k in place; out: Σx, Σx² of the result. */
static inline INLINE void seg_scale(float *x, Py_ssize_t n, float k, double *out)
{
    seg_scale_into(x, x, n, k, out);
}

CLONES static void scale_into_rows(const float *x, float *y, Py_ssize_t rows, Py_ssize_t cols,
                                   float k, double *out)
{
    out[0] = out[1] = 0;
    SEGMENTS(rows, cols, seg_scale_into(x + o, y + o, n, k, out);)
}

CLONES static void scale_rows(float *x, Py_ssize_t rows, Py_ssize_t cols, float k, double *out)
{
    out[0] = out[1] = 0;
    SEGMENTS(rows, cols, seg_scale(x + o, n, k, out);)
}

/* Counts of every step-th row's values in bins+2 bins (0: below lo, bins+1: above hi), binned
   as core/stats.py's NumPy path does: t = x·scale + offset in float, clipped to [0, bins+1]
   (NaN to 0), truncated. Non-finite values go to a bin of their own and are not counted; *kept is how many
   were. A row's indices are computed first (a loop the compiler vectorizes), then counted into
   WAYS interleaved arrays so that increments of one bin do not wait on one another. */
CLONES static void histogram_rows(const float *x, Py_ssize_t rows, Py_ssize_t cols,
                                  Py_ssize_t step, float scale, float offset, int bins,
                                  int64_t *counts, int64_t *kept, int32_t *idx)
{
    enum { WAYS = 4 };
    const int width = bins + 3, trash = bins + 2;
    int64_t *part = calloc((size_t)WAYS * (size_t)width, sizeof(int64_t));
    if (!part) {
        *kept = -1;
        return;
    }
    const float top = (float)bins + 1.0f;
    for (Py_ssize_t r = 0; r < rows; r += step) {
        const float *row = x + r * cols;
        for (Py_ssize_t c = 0; c < cols; c++) {
            float v = row[c];
            int finite = (v - v) == 0.0f; /* false for inf and NaN */
            float t = v * scale;
            t = t + offset;
            /* NaN (0·∞, when a range is too narrow for float's scale) goes to 0, as NumPy's
               fmax does: every index below is in [0, bins + 1], whatever the values */
            t = t >= 0.0f ? t : 0.0f;
            t = t <= top ? t : top;
            t = finite ? t : 0.0f;
            idx[c] = finite ? (int32_t)t : trash;
        }
        Py_ssize_t c = 0;
        for (; c + WAYS <= cols; c += WAYS)
            for (int w = 0; w < WAYS; w++) part[w * width + idx[c + w]]++;
        for (; c < cols; c++) part[idx[c]]++;
    }
    int64_t n = 0;
    for (int b = 0; b < width; b++) {
        int64_t total = 0;
        for (int w = 0; w < WAYS; w++) total += part[w * width + b];
        if (b < trash) {
            counts[b] = total;
            n += total;
        }
    }
    free(part);
    *kept = n;
}


/* ------------------------------------------------------------------ small-batch matmuls

   A drag frame runs a few examples (8 at depth 200) through the net: a matmul of B rows against
   a weight matrix it reads once. OpenBLAS packs the matrix first, costing more than the product
   at such B; these read it in place. Each output is a float sum in a fixed order (forward: over
   k in turn; backward: LANES partial sums over j, then added in lane order, then the tail), the
   same whatever the batch, so a frame's numbers do not depend on which rows went together. */
#define MM_ROWS 8 /* batch rows sharing one read of W */
/* the products may fuse into FMAs here (the build turns contraction off for the kernels above,
   whose δ must be NumPy's bits; a matmul's rounding is its own, as BLAS's is) */
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
/* W's rows prefetched this far ahead, into L2 (prefetcht2): measured at n = 500-2048 on 8 rows,
   read from memory, against 4-8 rows into L1 (1.1-1.7x the W-read rate of the backward pass) */
#define MM_PF_ROWS 16
#define MM_PF_LOCALITY 1
#define MM_KB 8   /* forward: W's rows per block, their partial sums kept in out between */

static inline INLINE void mm_rows(int RB, const float *x, Py_ssize_t ldx, const float *W,
                                  float *out, Py_ssize_t n, Py_ssize_t m, float s)
{
    lanes sv = {0};
    sv += s;
    for (Py_ssize_t k0 = 0; k0 < n; k0 += MM_KB) {
        Py_ssize_t k1 = k0 + MM_KB < n ? k0 + MM_KB : n, j = 0;
        int last = k1 == n; /* the sums are whole: scaled as they are stored */
        for (; j + 2 * LANES <= m; j += 2 * LANES) {
            lanes a[MM_ROWS][2];
            for (int b = 0; b < RB; b++) {
                a[b][0] = k0 ? load(out + b * m + j) : (lanes){0};
                a[b][1] = k0 ? load(out + b * m + j + LANES) : (lanes){0};
            }
            for (Py_ssize_t k = k0; k < k1; k++) {
                /* the next block's rows, these columns: a pattern the prefetcher does not see */
                __builtin_prefetch(W + (k + MM_PF_ROWS) * m + j, 0, MM_PF_LOCALITY);
                __builtin_prefetch(W + (k + MM_PF_ROWS) * m + j + LANES, 0, MM_PF_LOCALITY);
                lanes w0 = load(W + k * m + j), w1 = load(W + k * m + j + LANES);
                for (int b = 0; b < RB; b++) {
                    float xv = x[b * ldx + k];
                    a[b][0] += xv * w0;
                    a[b][1] += xv * w1;
                }
            }
            for (int b = 0; b < RB; b++) {
                store(out + b * m + j, last ? a[b][0] * sv : a[b][0]);
                store(out + b * m + j + LANES, last ? a[b][1] * sv : a[b][1]);
            }
        }
        for (; j + LANES <= m; j += LANES) {
            lanes a[MM_ROWS];
            for (int b = 0; b < RB; b++) a[b] = k0 ? load(out + b * m + j) : (lanes){0};
            for (Py_ssize_t k = k0; k < k1; k++) {
                lanes w0 = load(W + k * m + j);
                for (int b = 0; b < RB; b++) a[b] += x[b * ldx + k] * w0;
            }
            for (int b = 0; b < RB; b++) store(out + b * m + j, last ? a[b] * sv : a[b]);
        }
        for (; j < m; j++)
            for (int b = 0; b < RB; b++) {
                float a = k0 ? out[b * m + j] : 0.0f;
                for (Py_ssize_t k = k0; k < k1; k++) a += x[b * ldx + k] * W[k * m + j];
                out[b * m + j] = last ? a * s : a;
            }
    }
}

/* Σ of a vector's lanes in a fixed tree order (halves added, then halves of those) */
static inline INLINE float hsum(lanes v)
{
    typedef float half __attribute__((vector_size(LANES * sizeof(float) / 2)));
    typedef float quarter __attribute__((vector_size(LANES * sizeof(float) / 4)));
    half lo, hi;
    memcpy(&lo, &v, sizeof lo);
    memcpy(&hi, (char *)&v + sizeof lo, sizeof hi);
    lo += hi;
    quarter l4, h4;
    memcpy(&l4, &lo, sizeof l4);
    memcpy(&h4, (char *)&lo + sizeof l4, sizeof h4);
    l4 += h4;
    return (l4[0] + l4[2]) + (l4[1] + l4[3]);
}

/* backward: W's rows per pass, sharing each load of d (2 was 0.6-0.9x as fast at n = 500-2048,
   6 and 8 spill accumulators: 0.6-0.8x) */
#define MM_KT 4

/* out[b, k] = s·Σ_j d[b, j]·W[k, j] for RB rows of d and KT rows of W from k: W read a few rows
   at a time (each row's sums: LANES partial sums over j, added in hsum's order, then the tail) */
static inline INLINE void mm_rows_tk(int RB, int KT, const float *d, const float *W, float *out,
                                     Py_ssize_t k, Py_ssize_t n, Py_ssize_t m, float s)
{
    const float *w = W + k * m;
    lanes a[MM_ROWS][MM_KT];
    for (int b = 0; b < RB; b++)
        for (int r = 0; r < KT; r++) a[b][r] = (lanes){0};
    Py_ssize_t j = 0;
    for (; j + LANES <= m; j += LANES) {
        lanes wv[MM_KT];
        for (int r = 0; r < KT; r++) {
            __builtin_prefetch(w + (MM_PF_ROWS + r) * m + j, 0, MM_PF_LOCALITY);
            wv[r] = load(w + r * m + j);
        }
        for (int b = 0; b < RB; b++) {
            lanes dv = load(d + b * m + j);
            for (int r = 0; r < KT; r++) a[b][r] += dv * wv[r];
        }
    }
    for (int b = 0; b < RB; b++)
        for (int r = 0; r < KT; r++) {
            float t = hsum(a[b][r]);
            for (Py_ssize_t i = j; i < m; i++) t += d[b * m + i] * w[r * m + i];
            out[b * n + k + r] = t * s;
        }
}

static inline INLINE void mm_rows_t(int RB, const float *d, const float *W, float *out,
                                    Py_ssize_t n, Py_ssize_t m, float s)
{
    Py_ssize_t k = 0;
    for (; k + MM_KT <= n; k += MM_KT) mm_rows_tk(RB, MM_KT, d, W, out, k, n, m, s);
    for (; k < n; k++) mm_rows_tk(RB, 1, d, W, out, k, n, m, s);
}

#define MM_BY_ROWS(F, left, ...)                                                                \
    switch (left) {                                                                             \
    case 1: F(1, __VA_ARGS__); break;                                                           \
    case 2: F(2, __VA_ARGS__); break;                                                           \
    case 3: F(3, __VA_ARGS__); break;                                                           \
    case 4: F(4, __VA_ARGS__); break;                                                           \
    case 5: F(5, __VA_ARGS__); break;                                                           \
    case 6: F(6, __VA_ARGS__); break;                                                           \
    case 7: F(7, __VA_ARGS__); break;                                                           \
    default: F(MM_ROWS, __VA_ARGS__);                                                           \
    }

/* out (B × m) = s·(x (B × n) @ W (n × m)); transposed: out (B × n) = s·(x (B × m) @ Wᵀ). s
   multiplies each finished sum once (a layer's W = s·base, left unwritten: core/network.py) */
CLONES static void matmul_small(int transposed, const float *x, const float *W, float *out,
                                Py_ssize_t B, Py_ssize_t n, Py_ssize_t m, float s)
{
    for (Py_ssize_t b = 0; b < B; b += MM_ROWS) {
        int left = B - b < MM_ROWS ? (int)(B - b) : MM_ROWS;
        if (transposed) {
            MM_BY_ROWS(mm_rows_t, left, x + b * m, W, out + b * n, n, m, s);
        } else {
            MM_BY_ROWS(mm_rows, left, x + b * n, n, W, out + b * m, n, m, s);
        }
    }
}
#pragma GCC pop_options

/* ------------------------------------------------------------------ ∂L/∂W's moments, unformed

   ∂L/∂W = k·xᵀd's Σ and Σ² from the batch (core/fused.py gram_moments): s = Σ_b (Σ_i x[b,i])·
   (Σ_j d[b,j]) and q = Σ_bc (x xᵀ)_bc·(d dᵀ)_bc, in double; also the largest diagonal entries of
   x xᵀ and d dᵀ (Σx² of a row: NaN or inf if a value is), which bound every product x·d. For a
   small batch (B ≤ MM_ROWS): NumPy's dozen calls cost 60 µs a layer, 12 ms of a depth-200 drag
   frame, for a few thousand multiply-adds. */
typedef double dlanes __attribute__((vector_size(8 * sizeof(double))));
typedef float flanes8 __attribute__((vector_size(8 * sizeof(float))));

static inline INLINE dlanes widen(const float *p)
{
    flanes8 f;
    memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, dlanes);
}

static inline INLINE double dsum(dlanes v)
{
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

/* Σ_i a[i]·b[i] in double (b == NULL: Σ_i a[i]) */
static inline INLINE double ddot(const float *a, const float *b, Py_ssize_t n)
{
    dlanes acc = {0};
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) acc += b ? widen(a + i) * widen(b + i) : widen(a + i);
    double t = dsum(acc);
    for (; i < n; i++) t += b ? (double)a[i] * (double)b[i] : (double)a[i];
    return t;
}

/* G (B × B, upper triangle and diagonal) = rows of a (B × n) against each other; sums[b] = Σ row b */
static inline INLINE void gram(const float *a, Py_ssize_t B, Py_ssize_t n, double *G, double *sums)
{
    for (Py_ssize_t b = 0; b < B; b++) {
        sums[b] = ddot(a + b * n, NULL, n);
        for (Py_ssize_t c = b; c < B; c++) G[b * MM_ROWS + c] = ddot(a + b * n, a + c * n, n);
    }
}

CLONES static void gram_sums(const float *x, const float *d, Py_ssize_t B, Py_ssize_t n,
                             Py_ssize_t m, double *out)
{
    double gx[MM_ROWS * MM_ROWS], gd[MM_ROWS * MM_ROWS], sx[MM_ROWS], sd[MM_ROWS];
    gram(x, B, n, gx, sx);
    gram(d, B, m, gd, sd);
    double s = 0, q = 0, top_x = 0, top_d = 0;
    for (Py_ssize_t b = 0; b < B; b++) {
        s += sx[b] * sd[b];
        q += gx[b * MM_ROWS + b] * gd[b * MM_ROWS + b];
        for (Py_ssize_t c = b + 1; c < B; c++) q += 2 * gx[b * MM_ROWS + c] * gd[b * MM_ROWS + c];
        double vx = gx[b * MM_ROWS + b], vd = gd[b * MM_ROWS + b];
        top_x = vx > top_x || vx != vx ? vx : top_x; /* (a NaN stays) */
        top_d = vd > top_d || vd != vd ? vd : top_d;
    }
    out[0] = s, out[1] = q, out[2] = top_x, out[3] = top_d;
}

/* ------------------------------------------------------------------ Python glue */

/* A C-contiguous float32 buffer of rows·cols values (writable if asked). */
static int get(PyObject *obj, Py_buffer *v, int writable, Py_ssize_t rows, Py_ssize_t cols,
               const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, v, flags) < 0) return -1;
    if (v->itemsize != 4 || !v->format || (v->format[0] != 'f' || v->format[1] != 0)) {
        PyErr_Format(PyExc_TypeError, "%s: float32 expected", name);
        PyBuffer_Release(v);
        return -1;
    }
    if (v->len / 4 != rows * cols) {
        PyErr_Format(PyExc_ValueError, "%s: %zd values, %zd expected", name, v->len / 4,
                     rows * cols);
        PyBuffer_Release(v);
        return -1;
    }
    return 0;
}

static int shape(Py_ssize_t rows, Py_ssize_t cols)
{
    if (rows < 0 || cols < 0) {
        PyErr_SetString(PyExc_ValueError, "negative shape");
        return -1;
    }
    return 0;
}

static PyObject *tuple_of(const double *v, int n)
{
    PyObject *t = PyTuple_New(n);
    if (!t) return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *f = PyFloat_FromDouble(v[i]);
        if (!f) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, f);
    }
    return t;
}

static PyObject *py_sums(PyObject *self, PyObject *args)
{
    PyObject *xo;
    Py_ssize_t rows, cols;
    if (!PyArg_ParseTuple(args, "Onn", &xo, &rows, &cols) || shape(rows, cols)) return NULL;
    Py_buffer x;
    if (get(xo, &x, 0, rows, cols, "x")) return NULL;
    double out[2];
    Py_BEGIN_ALLOW_THREADS sums_rows(x.buf, rows, cols, out);
    Py_END_ALLOW_THREADS PyBuffer_Release(&x);
    return tuple_of(out, 2);
}

static void release(Py_buffer *v, int n)
{
    while (n--) PyBuffer_Release(&v[n]);
}

/* get() for each of n arrays (writable where the name starts with '>'); all or none are held. */
static int get_all(PyObject *const *objs, Py_buffer *v, const char *const *names, int n,
                   Py_ssize_t rows, Py_ssize_t cols)
{
    for (int i = 0; i < n; i++) {
        int out = names[i][0] == '>';
        if (get(objs[i], &v[i], out, rows, cols, names[i] + out)) {
            release(v, i);
            return -1;
        }
    }
    return 0;
}

/* get() of x (rows × cx) and y (rows × cy, writable if y_out); both or neither are held. */
static int get_pair(PyObject *xo, PyObject *yo, Py_buffer *x, Py_buffer *y, Py_ssize_t rows,
                    Py_ssize_t cx, Py_ssize_t cy, int y_out)
{
    if (get(xo, x, 0, rows, cx, "x")) return -1;
    if (get(yo, y, y_out, rows, cy, y_out ? "y" : "d")) {
        PyBuffer_Release(x);
        return -1;
    }
    return 0;
}

static int known_kind(int kind)
{
    if (kind < KIND_GIVEN || kind > KIND_RELU) {
        PyErr_SetString(PyExc_ValueError, "unknown kind");
        return 0;
    }
    return 1;
}

static PyObject *py_activate(PyObject *self, PyObject *args)
{
    static const char *const names[] = {"h", "a", "d"};
    PyObject *objs[3], *co;
    int kind;
    Py_ssize_t rows, cols;
    float thr;
    if (!PyArg_ParseTuple(args, "iOOOnnfO", &kind, &objs[0], &objs[1], &objs[2], &rows, &cols,
                          &thr, &co) ||
        shape(rows, cols) || !known_kind(kind))
        return NULL;
    Py_buffer v[3], cs;
    if (get_all(objs, v, names, 3, rows, cols)) return NULL;
    if (PyObject_GetBuffer(co, &cs, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) {
        release(v, 3);
        return NULL;
    }
    if (cs.len != cols * (Py_ssize_t)sizeof(int32_t) || cs.itemsize != sizeof(int32_t)) {
        PyErr_SetString(PyExc_ValueError, "colsat: one int32 per column expected");
        PyBuffer_Release(&cs);
        release(v, 3);
        return NULL;
    }
    double out[5];
    Py_BEGIN_ALLOW_THREADS activate_rows(kind, v[0].buf, v[1].buf, v[2].buf, rows, cols, thr,
                                         out, cs.buf);
    Py_END_ALLOW_THREADS PyBuffer_Release(&cs);
    release(v, 3);
    return tuple_of(out, 5);
}

static PyObject *py_product(PyObject *self, PyObject *args)
{
    static const char *const names[] = {"g", "h", "a", "d", ">out"};
    PyObject *objs[5];
    int kind;
    Py_ssize_t rows, cols;
    if (!PyArg_ParseTuple(args, "iOOOOOnn", &kind, &objs[0], &objs[1], &objs[2], &objs[3],
                          &objs[4], &rows, &cols) ||
        shape(rows, cols) || !known_kind(kind))
        return NULL;
    Py_buffer v[5];
    if (get_all(objs, v, names, 5, rows, cols)) return NULL;
    double out[4];
    Py_BEGIN_ALLOW_THREADS product_rows(kind, v[0].buf, v[1].buf, v[2].buf, v[3].buf, v[4].buf,
                                        rows, cols, out);
    Py_END_ALLOW_THREADS release(v, 5);
    return tuple_of(out, 4);
}

static PyObject *py_scale(PyObject *self, PyObject *args)
{
    PyObject *xo;
    Py_ssize_t rows, cols;
    float k;
    if (!PyArg_ParseTuple(args, "Onnf", &xo, &rows, &cols, &k) || shape(rows, cols)) return NULL;
    Py_buffer x;
    if (get(xo, &x, 1, rows, cols, "x")) return NULL;
    double out[2];
    Py_BEGIN_ALLOW_THREADS scale_rows(x.buf, rows, cols, k, out);
    Py_END_ALLOW_THREADS PyBuffer_Release(&x);
    return tuple_of(out, 2);
}

static PyObject *py_scale_into(PyObject *self, PyObject *args)
{
    PyObject *xo, *yo;
    Py_ssize_t rows, cols;
    float k;
    if (!PyArg_ParseTuple(args, "OOnnf", &xo, &yo, &rows, &cols, &k) || shape(rows, cols))
        return NULL;
    Py_buffer x, y;
    if (get_pair(xo, yo, &x, &y, rows, cols, cols, 1)) return NULL;
    double out[2];
    Py_BEGIN_ALLOW_THREADS scale_into_rows(x.buf, y.buf, rows, cols, k, out);
    Py_END_ALLOW_THREADS PyBuffer_Release(&y);
    PyBuffer_Release(&x);
    return tuple_of(out, 2);
}

static PyObject *py_histogram(PyObject *self, PyObject *args)
{
    PyObject *xo, *co;
    Py_ssize_t rows, cols, step;
    float scale, offset;
    int bins;
    if (!PyArg_ParseTuple(args, "OnnnffiO", &xo, &rows, &cols, &step, &scale, &offset, &bins,
                          &co) ||
        shape(rows, cols))
        return NULL;
    if (step < 1 || bins < 1 || bins > (1 << 20)) {
        PyErr_SetString(PyExc_ValueError, "step must be positive, bins in 1..2^20");
        return NULL;
    }
    Py_buffer x, c;
    if (get(xo, &x, 0, rows, cols, "x")) return NULL;
    if (PyObject_GetBuffer(co, &c, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&x);
        return NULL;
    }
    if (c.itemsize != 8 || c.len != (Py_ssize_t)(bins + 2) * 8) {
        PyErr_SetString(PyExc_ValueError, "counts: bins + 2 int64 expected");
        PyBuffer_Release(&c);
        PyBuffer_Release(&x);
        return NULL;
    }
    int32_t *idx = malloc((size_t)(cols > 0 ? cols : 1) * sizeof(int32_t));
    if (!idx) {
        PyBuffer_Release(&c);
        PyBuffer_Release(&x);
        return PyErr_NoMemory();
    }
    int64_t kept = 0;
    Py_BEGIN_ALLOW_THREADS histogram_rows(x.buf, rows, cols, step, scale, offset, bins, c.buf,
                                          &kept, idx);
    Py_END_ALLOW_THREADS free(idx);
    PyBuffer_Release(&c);
    PyBuffer_Release(&x);
    if (kept < 0) return PyErr_NoMemory();
    return PyLong_FromLongLong(kept);
}

static PyObject *py_matmul(PyObject *self, PyObject *args)
{
    PyObject *xo, *wo, *oo;
    int transposed;
    Py_ssize_t B, n, m;
    float s = 1.0f;
    if (!PyArg_ParseTuple(args, "iOOOnnn|f", &transposed, &xo, &wo, &oo, &B, &n, &m, &s) ||
        shape(B, n) || shape(n, m))
        return NULL;
    Py_buffer x, w, o;
    if (get(xo, &x, 0, B, transposed ? m : n, "x")) return NULL;
    if (get(wo, &w, 0, n, m, "W")) {
        PyBuffer_Release(&x);
        return NULL;
    }
    if (get(oo, &o, 1, B, transposed ? n : m, "out")) {
        PyBuffer_Release(&w);
        PyBuffer_Release(&x);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS matmul_small(transposed, x.buf, w.buf, o.buf, B, n, m, s);
    Py_END_ALLOW_THREADS PyBuffer_Release(&o);
    PyBuffer_Release(&w);
    PyBuffer_Release(&x);
    Py_RETURN_NONE;
}

static PyObject *py_gram(PyObject *self, PyObject *args)
{
    PyObject *xo, *dobj;
    Py_ssize_t B, n, m;
    if (!PyArg_ParseTuple(args, "OOnnn", &xo, &dobj, &B, &n, &m) || shape(B, n) || shape(B, m))
        return NULL;
    if (B > MM_ROWS) {
        PyErr_SetString(PyExc_ValueError, "gram: at most 8 rows");
        return NULL;
    }
    Py_buffer x, d;
    if (get_pair(xo, dobj, &x, &d, B, n, m, 0)) return NULL;
    double out[4];
    Py_BEGIN_ALLOW_THREADS gram_sums(x.buf, d.buf, B, n, m, out);
    Py_END_ALLOW_THREADS PyBuffer_Release(&d);
    PyBuffer_Release(&x);
    return tuple_of(out, 4);
}

static PyMethodDef methods[] = {
    {"sums", py_sums, METH_VARARGS, "sums(x, rows, cols) -> (Σx, Σx²)"},
    {"activate", py_activate, METH_VARARGS,
     "activate(kind, h, a, d, rows, cols, thr, colsat) -> (Σh, Σh², Σa, Σa², n(φ' < thr))"},
    {"product", py_product, METH_VARARGS,
     "product(kind, g, h, a, d, out, rows, cols) -> (Σg, Σg², Σout, Σout²), out = g·φ'"},
    {"scale", py_scale, METH_VARARGS, "scale(x, rows, cols, k) -> (Σx, Σx²) after x *= k"},
    {"scale_into", py_scale_into, METH_VARARGS,
     "scale_into(x, y, rows, cols, k) -> (Σy, Σy²) after y = x·k"},
    {"matmul", py_matmul, METH_VARARGS,
     "matmul(transposed, x, W, out, B, n, m, s=1): out = s·(x @ W) (B × n, n × m), or s·(x @ W.T) "
     "(B × m)"},
    {"gram", py_gram, METH_VARARGS,
     "gram(x, d, B, n, m) -> (Σ xᵀd, Σ (xᵀd)², max Σ_row x², max Σ_row d²) in double, B ≤ 8"},
    {"histogram", py_histogram, METH_VARARGS,
     "histogram(x, rows, cols, step, scale, offset, bins, counts) -> finite values counted"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fused", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fused(void) { return PyModule_Create(&module); }
