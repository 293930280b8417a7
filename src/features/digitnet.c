#include "features/digitnet.h"

#include <math.h>
#include <string.h>

#include "common/common.h"
#include "features/digitnet_kernels.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

size_t vmc_digitnet_reach(const VmcDigitNet *net)
{
    size_t r = 0;
    for (int l = 1; l < net->n_layers; l++) r += (size_t)(net->layer[l].kernel / 2) * (size_t)net->layer[l].dilation;
    return r;
}

int vmc_dn_scratch_init(VmcDnScratch *s, const VmcDigitNet *net, size_t max_steps)
{
    memset(s, 0, sizeof(*s));
    s->max_steps = max_steps;
    s->reach = vmc_digitnet_reach(net);
    const size_t rows = max_steps + 2 * s->reach;
    const size_t half = (size_t)(net->layer[0].kernel / 2);
    s->buf[0] = vmc_calloc(rows, VMC_DN_MAX_WIDTH * sizeof(float));
    s->buf[1] = vmc_calloc(rows, VMC_DN_MAX_WIDTH * sizeof(float));
    s->in = vmc_calloc(2 * rows + 2 * half + 2, VMC_DN_INPUTS * sizeof(float));
    s->mask = vmc_calloc(rows, VMC_DN_MASK_WORDS * sizeof(unsigned long long));
    if (!s->buf[0] || !s->buf[1] || !s->in || !s->mask) {
        vmc_dn_scratch_free(s);
        return VMCHECK_ENOMEM;
    }
    return VMCHECK_OK;
}

void vmc_dn_scratch_free(VmcDnScratch *s)
{
    free(s->buf[0]);
    free(s->buf[1]);
    free(s->in);
    free(s->mask);
    memset(s, 0, sizeof(*s));
}

/* Output rows computed together, and outputs per tile: a tile's 4 x 8
 * accumulators stay in registers while the weights of each input are loaded
 * once for all four rows (a small matrix product; a row at a time would
 * load and store the accumulators for every input).  Every output is summed
 * in the same order (bias, then tap by tap, input by input) on every path,
 * so the rows grouped into a tile, hence blocks and threads, never change a
 * result. */
#define TILE_R VMC_DN_TILE_R
#define TILE_O 8

#if defined(__SSE2__)
/* x86-64 always has SSE2: four lanes, multiply then add (no fused
 * multiply-add, so the same rounding as the plain C below). */
static size_t tiles_sse2(const VmcDnLayer *L, float *const out[TILE_R],
                         const float *const rows[TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu, size_t o0)
{
    const size_t O = (size_t)L->outputs, I = (size_t)L->inputs;
    const __m128 zero = _mm_setzero_ps();
    for (; o0 + TILE_O <= O; o0 += TILE_O) {
        const __m128 b0 = _mm_loadu_ps(L->b + o0), b1 = _mm_loadu_ps(L->b + o0 + 4);
        __m128 a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
        for (int j = 0; j < L->kernel; j++) {
            const float *wj = L->w + (size_t)j * I * O + o0;
            const float *x0 = rows[0][j], *x1 = rows[1][j], *x2 = rows[2][j], *x3 = rows[3][j];
            for (int wd = 0; wd < VMC_DN_MASK_WORDS; wd++)
                for (unsigned long long bits = u->m[j][wd]; bits; bits &= bits - 1) {
                    const size_t i = 64 * (size_t)wd + (size_t)__builtin_ctzll(bits);
                    const float *w = wj + i * O;
                    const __m128 w0 = _mm_loadu_ps(w), w1 = _mm_loadu_ps(w + 4);
                    __m128 v = _mm_set1_ps(x0[i]);
                    a00 = _mm_add_ps(a00, _mm_mul_ps(w0, v));
                    a01 = _mm_add_ps(a01, _mm_mul_ps(w1, v));
                    v = _mm_set1_ps(x1[i]);
                    a10 = _mm_add_ps(a10, _mm_mul_ps(w0, v));
                    a11 = _mm_add_ps(a11, _mm_mul_ps(w1, v));
                    v = _mm_set1_ps(x2[i]);
                    a20 = _mm_add_ps(a20, _mm_mul_ps(w0, v));
                    a21 = _mm_add_ps(a21, _mm_mul_ps(w1, v));
                    v = _mm_set1_ps(x3[i]);
                    a30 = _mm_add_ps(a30, _mm_mul_ps(w0, v));
                    a31 = _mm_add_ps(a31, _mm_mul_ps(w1, v));
                }
        }
        if (relu) {
            a00 = _mm_max_ps(a00, zero), a01 = _mm_max_ps(a01, zero), a10 = _mm_max_ps(a10, zero);
            a11 = _mm_max_ps(a11, zero), a20 = _mm_max_ps(a20, zero), a21 = _mm_max_ps(a21, zero);
            a30 = _mm_max_ps(a30, zero), a31 = _mm_max_ps(a31, zero);
        }
        _mm_storeu_ps(out[0] + o0, a00), _mm_storeu_ps(out[0] + o0 + 4, a01);
        _mm_storeu_ps(out[1] + o0, a10), _mm_storeu_ps(out[1] + o0 + 4, a11);
        _mm_storeu_ps(out[2] + o0, a20), _mm_storeu_ps(out[2] + o0 + 4, a21);
        _mm_storeu_ps(out[3] + o0, a30), _mm_storeu_ps(out[3] + o0 + 4, a31);
    }
    return o0;
}
#endif

/* Which inputs of each of n rows (stride apart) are not zero, as bits
 * (VmcDnUsed's words).  An input that is zero in all four rows of a tile
 * adds w * 0 = +-0 to each of its sums, which leaves them as they were (a
 * sum is never -0: it starts from a bias that is not -0, checked by
 * tests/unit/test_digitnet.c, and x + -x is +0), so the kernels leave it
 * out and give the same bits; after a ReLU most are (on 25 minutes of read
 * speech, 60 to 65 % of the inputs of the middle layers in all four rows). */
static void row_masks(unsigned long long *m, const float *x, size_t n_rows, size_t stride, int inputs)
{
    for (size_t r = 0; r < n_rows; r++, x += stride, m += VMC_DN_MASK_WORDS)
        for (int wd = 0; wd < VMC_DN_MASK_WORDS; wd++) {
            /* each word in a register (through memory, its ORs waited on each other) */
            unsigned long long bits = 0;
            const int end = inputs < 64 * (wd + 1) ? inputs : 64 * (wd + 1);
            int i = 64 * wd;
#if defined(__SSE2__)
            const __m128 zero = _mm_setzero_ps();
            for (; i + 4 <= end; i += 4) {
                const unsigned nz = ~(unsigned)_mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(x + i), zero)) & 15u;
                bits |= (unsigned long long)nz << (i % 64);
            }
#endif
            for (; i < end; i++) bits |= (unsigned long long)(x[i] != 0.0f) << (i % 64);
            m[wd] = bits;
        }
}

/* TILE_R output rows of layer L: row r is bias plus, for each tap j, the
 * weights of tap j times the input row rows[r][j]; the widest kernel `path`
 * allows does what it can and the narrower ones the rest. */
static void layer_rows(const VmcDnLayer *L, float *const out[TILE_R],
                       const float *const rows[TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu, int path)
{
    const size_t O = (size_t)L->outputs, I = (size_t)L->inputs;
    size_t o0 = 0;
#if defined(VMC_HAVE_AVX512)
    if (path >= VMC_DN_PATH_AVX512) o0 = vmc_dn_tiles_avx512(L, out, rows, u, relu);
#endif
#if defined(VMC_HAVE_AVX)
    if (path >= VMC_DN_PATH_AVX && o0 == 0) o0 = vmc_dn_tiles_avx(L, out, rows, u, relu);
#endif
#if defined(__SSE2__)
    if (path >= VMC_DN_PATH_SSE2) o0 = tiles_sse2(L, out, rows, u, relu, o0);
#endif
    (void)path;
    for (; o0 < O; o0++) /* one output at a time (what the vectors left over, or all) */
        for (int r = 0; r < TILE_R; r++) {
            float acc = L->b[o0];
            for (int j = 0; j < L->kernel; j++) {
                const float *w = L->w + (size_t)j * I * O + o0;
                const float *x = rows[r][j];
                for (int wd = 0; wd < VMC_DN_MASK_WORDS; wd++)
                    for (unsigned long long bits = u->m[j][wd]; bits; bits &= bits - 1) {
                        const size_t i = 64 * (size_t)wd + (size_t)__builtin_ctzll(bits);
                        acc += w[i * O] * x[i];
                    }
            }
            /* max(acc, 0) as the vectors' maxps: acc > 0 ? acc : 0 (also for -0 and NaN) */
            out[r][o0] = relu && !(acc > 0.0f) ? 0.0f : acc;
        }
}

/* The widest kernel the build and the CPU have, at most `cap` (0: no cap);
 * the CPU's features are read from the runtime's table (no state of ours). */
static int kernel_path(int cap)
{
    int p = VMC_DN_PATH_C;
#if defined(__SSE2__)
    p = VMC_DN_PATH_SSE2;
#endif
#if defined(VMC_HAVE_AVX)
    if (__builtin_cpu_supports("avx")) p = VMC_DN_PATH_AVX;
#endif
#if defined(VMC_HAVE_AVX512)
    if (__builtin_cpu_supports("avx512f")) p = VMC_DN_PATH_AVX512;
#endif
    return cap > 0 && cap < p ? cap : p;
}

int vmc_dn_path_best(void) { return kernel_path(0); }

static void log_softmax(float *v, int n)
{
    float m = v[0];
    for (int c = 1; c < n; c++) m = v[c] > m ? v[c] : m;
    double sum = 0.0;
    for (int c = 0; c < n; c++) sum += exp((double)(v[c] - m));
    const float lse = m + (float)log(sum);
    for (int c = 0; c < n; c++) v[c] -= lse;
}

/* The receptive field of steps [t0, t1) (net->n_layers >= 1): steps
 * [t0 - R[l], t1 + R[l]) of layer l's output, and the input rows of frames
 * [*f_lo, *f_hi) (may lie outside the recording). */
static void field(const VmcDigitNet *net, size_t t0, size_t t1, long R[VMC_DN_MAX_LAYERS], long *f_lo, long *f_hi)
{
    const int L = net->n_layers;
    R[L - 1] = 0;
    for (int l = L - 2; l >= 0; l--)
        R[l] = R[l + 1] + (long)(net->layer[l + 1].kernel / 2) * (long)net->layer[l + 1].dilation;
    const long half = net->layer[0].kernel / 2;
    *f_lo = 2 * ((long)t0 - R[0]) - half;
    *f_hi = 2 * ((long)t1 + R[0] - 1) + half + 1;
}

void vmc_digitnet_frames(const VmcDigitNet *net, const VmcDnNorm *norm, size_t t0, size_t t1, size_t *f_lo,
                         size_t *f_hi)
{
    *f_lo = *f_hi = 0;
    if (net->n_layers < 1 || t1 <= t0) return;
    long R[VMC_DN_MAX_LAYERS], lo, hi;
    field(net, t0, t1, R, &lo, &hi);
    /* vmc_digitnet_inputs reads frames [lo, hi) of the recording and each
     * one's window of half frames either side */
    const long n = (long)norm->n_frames, h = (long)norm->half;
    if (lo < 0) lo = 0;
    if (hi > n) hi = n;
    if (lo >= hi) return;
    *f_lo = (size_t)(lo - h > 0 ? lo - h : 0);
    *f_hi = (size_t)(hi + h < n ? hi + h : n);
}

/* Layer l's rows [lo, hi) from its input, for tile_at. */
typedef struct LayerRun {
    const VmcDnLayer *Ly;
    int l;
    long lo, hi, plo, half, f_lo; /* plo: the first row of prev; f_lo: the first frame of in */
    const float *in, *prev;       /* layer 0's input rows; layer l - 1's output */
    const unsigned long long *mask;
    float *nxt;
    float (*spare)[VMC_DN_MAX_WIDTH]; /* outputs of rows past the end of a block */
} LayerRun;

/* The tile of rows [st, st + TILE_R): its input row of each tap (a row past
 * the end recomputes row st), where it goes, the inputs it needs. */
static void tile_at(const LayerRun *g, long st, const float *rows[TILE_R][VMC_DN_MAX_KERNEL], float *dst[TILE_R],
                    VmcDnUsed *u)
{
    const VmcDnLayer *Ly = g->Ly;
    for (int r = 0; r < TILE_R; r++) {
        const long q = st + r < g->hi ? st + r : st;
        for (int j = 0; j < Ly->kernel; j++) {
            if (g->l == 0) {
                rows[r][j] = g->in + (size_t)(2 * q + (j - g->half) - g->f_lo) * VMC_DN_INPUTS;
                continue;
            }
            const size_t p = (size_t)(q + (long)(j - Ly->kernel / 2) * Ly->dilation - g->plo);
            rows[r][j] = g->prev + p * VMC_DN_MAX_WIDTH;
            for (int k = 0; k < VMC_DN_MASK_WORDS; k++)
                u->m[j][k] = (r ? u->m[j][k] : 0) | g->mask[p * VMC_DN_MASK_WORDS + (size_t)k];
        }
        dst[r] = st + r < g->hi ? g->nxt + (size_t)(st + r - g->lo) * VMC_DN_MAX_WIDTH : g->spare[r];
    }
}

void vmc_digitnet_eval(const VmcDigitNet *net, VmcDnScratch *s, float *out, const VmcDnNorm *norm, size_t t0, size_t t1)
{
    const int L = net->n_layers;
    if (L < 1 || t1 <= t0) return;
    long R[VMC_DN_MAX_LAYERS], f_lo, f_hi;
    field(net, t0, t1, R, &f_lo, &f_hi);
    vmc_digitnet_inputs(norm, s->in, f_lo, f_hi);
    float spare[TILE_R][VMC_DN_MAX_WIDTH];
    const int path = kernel_path(s->path);
    const float *rows[TILE_R][VMC_DN_MAX_KERNEL];
    float *dst[TILE_R];
    for (int l = 0; l < L; l++) {
        const VmcDnLayer *Ly = &net->layer[l];
        const int last = l == L - 1;
        const LayerRun g = {.Ly = Ly,
                            .l = l,
                            .lo = (long)t0 - R[l],
                            .hi = (long)t1 + R[l],
                            .plo = l ? (long)t0 - R[l - 1] : 0,
                            .half = net->layer[0].kernel / 2,
                            .f_lo = f_lo,
                            .in = s->in,
                            .prev = s->buf[(l + 1) & 1],
                            .mask = s->mask,
                            .nxt = s->buf[l & 1],
                            .spare = spare};
        /* layer 0's inputs are hardly ever zero: all of them; the others'
         * from the rows of layer l - 1 */
        VmcDnUsed u;
        memset(&u, 0, sizeof(u));
        if (l == 0)
            for (int j = 0; j < Ly->kernel; j++)
                for (int i = 0; i < Ly->inputs; i++) u.m[j][i / 64] |= 1ull << (i % 64);
        else
            row_masks(s->mask, g.prev, (size_t)(g.hi - g.lo) + 2 * (size_t)(g.lo - g.plo), VMC_DN_MAX_WIDTH,
                      Ly->inputs);
        for (long st = g.lo; st < g.hi; st += TILE_R) {
            tile_at(&g, st, rows, dst, &u);
            layer_rows(Ly, dst, rows, &u, !last, path);
        }
        if (last)
            for (long st = g.lo; st < g.hi; st++) {
                float *o = g.nxt + (size_t)(st - g.lo) * VMC_DN_MAX_WIDTH;
                log_softmax(o, VMC_DN_CLASSES);
                memcpy(out + (size_t)(st - g.lo) * VMC_DN_CLASSES, o, VMC_DN_CLASSES * sizeof(float));
            }
    }
}

void vmc_digitnet_norm_add(unsigned long long sum_speech[VMC_MEL_BANDS], size_t *n_speech,
                           unsigned long long sum_all[VMC_MEL_BANDS], const unsigned char *codes,
                           const unsigned char *speech, size_t f0, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        const unsigned char *c = codes + i * VMC_MEL_BANDS;
        for (int b = 0; b < VMC_MEL_BANDS; b++) sum_all[b] += c[b];
        if (!speech || !speech[f0 + i]) continue;
        for (int b = 0; b < VMC_MEL_BANDS; b++) sum_speech[b] += c[b];
        (*n_speech)++;
    }
}

void vmc_digitnet_norm_sums(VmcDnNorm *nm, const unsigned long long sum_speech[VMC_MEL_BANDS], size_t n_speech,
                            const unsigned long long sum_all[VMC_MEL_BANDS], const unsigned char *speech,
                            size_t n_frames, double hop_s)
{
    memset(nm, 0, sizeof(*nm));
    nm->n_frames = n_frames;
    nm->half = (size_t)floor(VMC_DN_NORM_S / hop_s + 0.5);
    nm->min_frames = (size_t)floor(VMC_DN_NORM_MIN_S / hop_s + 0.5);
    nm->speech = n_speech ? speech : NULL; /* no speech marked: every frame is */
    const unsigned long long *sum = n_speech ? sum_speech : sum_all;
    const size_t used = n_speech ? n_speech : n_frames;
    for (int b = 0; b < VMC_MEL_BANDS; b++) nm->global[b] = used ? (double)sum[b] / (double)used : 0.0;
}

void vmc_digitnet_norm(VmcDnNorm *nm, const unsigned char *codes, const unsigned char *speech, size_t n_frames,
                       double hop_s)
{
    unsigned long long sum_speech[VMC_MEL_BANDS] = {0}, sum_all[VMC_MEL_BANDS] = {0};
    size_t n_speech = 0;
    vmc_digitnet_norm_add(sum_speech, &n_speech, sum_all, codes, speech, 0, n_frames);
    vmc_digitnet_norm_sums(nm, sum_speech, n_speech, sum_all, speech, n_frames, hop_s);
    nm->codes = codes;
}

/* A frame's input from its codes and the window's (exact) code sums over n
 * speech frames: (code - mean) * 0.5 dB / VMC_DN_IN_SCALE_DB, clamped. */
static void input_row(const VmcDnNorm *nm, float *x, const unsigned char *code, const unsigned sum[VMC_MEL_BANDS],
                      size_t n)
{
    const double per_db = VMC_MEL_STEP_DB / (double)VMC_DN_IN_SCALE_DB;
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        double mean = nm->global[b];
        if (!nm->fixed)
            mean = n >= nm->min_frames
                       ? (double)sum[b] / (double)n
                       : ((double)sum[b] + (double)(nm->min_frames - n) * nm->global[b]) / (double)nm->min_frames;
        const float v = (float)(((double)code[b] - mean) * per_db);
        x[b] = v < VMC_DN_IN_LO ? VMC_DN_IN_LO : v > VMC_DN_IN_HI ? VMC_DN_IN_HI : v;
    }
}

void vmc_digitnet_inputs(const VmcDnNorm *nm, float *x, long f_lo, long f_hi)
{
    const long n = (long)nm->n_frames, h = (long)nm->half, base = (long)nm->base;
    unsigned sum[VMC_MEL_BANDS] = {0};
    size_t cnt = 0;
    long have_lo = 0, have_hi = 0; /* the window sums cover frames [have_lo, have_hi) */
    int started = 0;
    for (long f = f_lo; f < f_hi; f++) {
        float *row = x + (size_t)(f - f_lo) * VMC_DN_INPUTS;
        if (f < 0 || f >= n) {
            for (int b = 0; b < VMC_DN_INPUTS; b++) row[b] = VMC_DN_IN_LO;
            continue;
        }
        const long lo = f - h > 0 ? f - h : 0, hi = f + h + 1 < n ? f + h + 1 : n;
        if (!started) {
            have_lo = have_hi = lo;
            started = 1;
        }
        /* slide the window: integer sums, so the same whatever frame it started from */
        for (; have_hi < hi; have_hi++)
            if (!nm->speech || nm->speech[have_hi]) {
                for (int b = 0; b < VMC_MEL_BANDS; b++)
                    sum[b] += nm->codes[(size_t)(have_hi - base) * VMC_MEL_BANDS + (size_t)b];
                cnt++;
            }
        for (; have_lo < lo; have_lo++)
            if (!nm->speech || nm->speech[have_lo]) {
                for (int b = 0; b < VMC_MEL_BANDS; b++)
                    sum[b] -= nm->codes[(size_t)(have_lo - base) * VMC_MEL_BANDS + (size_t)b];
                cnt--;
            }
        input_row(nm, row, nm->codes + (size_t)(f - base) * VMC_MEL_BANDS, sum, cnt);
    }
}
