#include "dsp/decimate.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/common.h"
#if defined(VMC_HAVE_AVX)
#include "dsp/decimate_avx.h"
#endif

struct VmcDecimator {
    unsigned m;
    size_t half; /* filter half-length; taps = 2*half + 1 */
    float h0;    /* centre tap */
    float *h;    /* non-zero taps at offsets off[k] from the centre (both sides) */
    size_t *off;
    size_t nh;
    ptrdiff_t *ta, *tb; /* per tap, this block's right and left phase offsets into ph */
    int avx;            /* the CPU has AVX: eight outputs a register */
    float *buf;         /* pending input; buf[c] is the next output's centre */
    float *ph;          /* block scratch: the input's M phases */
    size_t lead;        /* phase samples needed either side of a block */
    size_t len, cap, c;
    size_t chunk;
    unsigned long long n_in, n_out;
};

VmcDecimator *vmc_decimator_create(unsigned factor, size_t chunk)
{
    if (factor < 1 || chunk < 1) return NULL;
    VmcDecimator *d = vmc_calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->m = factor;
    d->chunk = chunk;
#if defined(VMC_HAVE_AVX)
    d->avx = __builtin_cpu_supports("avx");
#endif
    /* A Blackman-windowed sinc with its cut-off at the output Nyquist
     * (cycles per input sample 0.5/M: a half-band filter for M = 2, whose
     * every other tap is zero) and 16 zero crossings each side: flat to
     * 0.85 of the output Nyquist, ~70 dB down beyond 1.15 of it.  What
     * aliases lands in the top 15 % of the new band, above every feature
     * (pitch under 1 kHz, band levels under 3.3 kHz).  Symmetric taps are
     * applied in pairs, zero taps skipped. */
    d->half = 16 * (size_t)factor;
    d->h = vmc_calloc(d->half, sizeof(float));
    d->off = vmc_calloc(d->half, sizeof(size_t));
    d->ta = vmc_calloc(d->half, sizeof(ptrdiff_t));
    d->tb = vmc_calloc(d->half, sizeof(ptrdiff_t));
    d->cap = 2 * d->half + 1 + chunk;
    d->buf = vmc_calloc(d->cap, sizeof(float));
    /* a tap reaches at most half/M phase samples beyond the block */
    d->lead = d->half / factor;
    d->ph = vmc_calloc(factor * (d->cap / factor + 2 + 2 * d->lead), sizeof(float));
    if (!d->h || !d->off || !d->ta || !d->tb || !d->buf || !d->ph) {
        vmc_decimator_destroy(&d);
        return NULL;
    }
    const double fc = 0.5 / factor, len = (double)(2 * d->half);
    double sum = 2.0 * fc;
    double taps[16 * 64 + 1];
    size_t count = 0;
    for (size_t j = 1; j <= d->half && j < sizeof(taps) / sizeof(taps[0]); j++) {
        double t = (double)j;
        double s = sin(2.0 * M_PI * fc * t) / (M_PI * t);
        double x = (t + len / 2.0) / len; /* window position 0..1 */
        double w = 0.42 - 0.5 * cos(2.0 * M_PI * x) + 0.08 * cos(4.0 * M_PI * x);
        taps[j] = s * w;
        sum += 2.0 * s * w;
    }
    d->h0 = (float)(2.0 * fc / sum);
    for (size_t j = 1; j <= d->half; j++) {
        double v = j < sizeof(taps) / sizeof(taps[0]) ? taps[j] / sum : 0.0;
        if (fabs(v) < 1e-9) continue; /* the sinc's zeros */
        d->h[count] = (float)v;
        d->off[count++] = j;
    }
    d->nh = count;
    /* history before the first sample is zero */
    d->len = d->half;
    d->c = d->half;
    return d;
}

void vmc_decimator_destroy(VmcDecimator **pd)
{
    if (!pd || !*pd) return;
    free((*pd)->h);
    free((*pd)->off);
    free((*pd)->ta);
    free((*pd)->tb);
    free((*pd)->buf);
    free((*pd)->ph);
    free(*pd);
    *pd = NULL;
}

size_t vmc_decimator_max_out(const VmcDecimator *d) { return d->cap / d->m + 2; }

/* Outputs for centres c, c+M, ... that the buffer can serve; at most
 * `limit` of them. */
static size_t count_outputs(const VmcDecimator *d, unsigned long long limit)
{
    if (d->c + d->half >= d->len) return 0;
    size_t k = (d->len - d->half - 1 - d->c) / d->m + 1;
    return k < limit ? k : (size_t)limit;
}

/* A block of k outputs at once, tap by tap: with the input split into its
 * M phases, ph_r[i] = x[c + iM + r], every tap is a vector operation across
 * the outputs (the compiler vectorises the inner loop; no indirect
 * offsets).  A tap at offset o = pM + r reads ph_r[q + p] on the right and,
 * on the left, x[c + qM - o] = ph_0[q - p] (r = 0) or ph_{M-r}[q - p - 1].
 * Each output still adds its taps in the same order, from the centre out,
 * so the result is the same, to the bit, as one output at a time. */
static void run_block(VmcDecimator *d, float *restrict out, size_t k)
{
    const size_t m = d->m, lead = d->lead, len = k + 2 * lead;
    const float *x = d->buf + d->c;
    /* ph_r[i] for i in [-lead, k + lead), stored at ph[r * len + i + lead],
     * as far as the taps reach: x[c - half .. c + (k-1)M + half] */
    for (size_t r = 0; r < m; r++) {
        float *restrict o = d->ph + r * len;
        const ptrdiff_t first = (ptrdiff_t)r - (ptrdiff_t)(lead * m);
        const size_t fill = r ? len - 1 : len;
        for (size_t i = 0; i < fill; i++) o[i] = x[first + (ptrdiff_t)(i * m)];
    }
    const size_t nh = d->nh;
    for (size_t j = 0; j < nh; j++) {
        const size_t off = d->off[j], p = off / m, r = off % m;
        d->ta[j] = (ptrdiff_t)(r * len + lead + p);
        d->tb[j] = r ? (ptrdiff_t)((m - r) * len + lead) - (ptrdiff_t)p - 1 : (ptrdiff_t)lead - (ptrdiff_t)p;
    }
    const float *ph = d->ph, *h = d->h, *ph0 = d->ph + lead; /* ph0[q] = x[qM] */
    const ptrdiff_t *ta = d->ta, *tb = d->tb;
    size_t q = 0;
#if defined(VMC_HAVE_AVX)
    if (d->avx) q = vmc_decimate_taps_avx(out, ph, ph0, ta, tb, h, nh, d->h0, k);
#endif
#if defined(__SSE2__)
    /* sixteen outputs in registers through every tap (one store each, four
     * independent sums in flight); each output adds its taps in the same
     * order as the scalar code below, so the same bits */
    const __m128 h0 = _mm_set1_ps(d->h0);
    for (; q + 16 <= k; q += 16) {
        __m128 c0 = _mm_mul_ps(h0, _mm_loadu_ps(ph0 + q)), c1 = _mm_mul_ps(h0, _mm_loadu_ps(ph0 + q + 4));
        __m128 c2 = _mm_mul_ps(h0, _mm_loadu_ps(ph0 + q + 8)), c3 = _mm_mul_ps(h0, _mm_loadu_ps(ph0 + q + 12));
        for (size_t j = 0; j < nh; j++) {
            const __m128 hj = _mm_set1_ps(h[j]);
            const float *a = ph + ta[j] + q, *b = ph + tb[j] + q;
            c0 = _mm_add_ps(c0, _mm_mul_ps(hj, _mm_add_ps(_mm_loadu_ps(a), _mm_loadu_ps(b))));
            c1 = _mm_add_ps(c1, _mm_mul_ps(hj, _mm_add_ps(_mm_loadu_ps(a + 4), _mm_loadu_ps(b + 4))));
            c2 = _mm_add_ps(c2, _mm_mul_ps(hj, _mm_add_ps(_mm_loadu_ps(a + 8), _mm_loadu_ps(b + 8))));
            c3 = _mm_add_ps(c3, _mm_mul_ps(hj, _mm_add_ps(_mm_loadu_ps(a + 12), _mm_loadu_ps(b + 12))));
        }
        _mm_storeu_ps(out + q, c0);
        _mm_storeu_ps(out + q + 4, c1);
        _mm_storeu_ps(out + q + 8, c2);
        _mm_storeu_ps(out + q + 12, c3);
    }
#endif
    for (; q < k; q++) {
        float acc = d->h0 * ph0[q];
        for (size_t j = 0; j < nh; j++) acc += h[j] * (ph[ta[j] + (ptrdiff_t)q] + ph[tb[j] + (ptrdiff_t)q]);
        out[q] = acc;
    }
}

static size_t run(VmcDecimator *d, float *out, int final)
{
    unsigned long long limit = final ? (d->n_in + d->m - 1) / d->m - d->n_out : ~0ull;
    size_t k = count_outputs(d, limit);
    if (k) {
        run_block(d, out, k);
        d->n_out += k;
        d->c += k * d->m;
    }
    /* keep only what later outputs need */
    size_t drop = d->c - d->half;
    if (drop > 0) {
        memmove(d->buf, d->buf + drop, (d->len - drop) * sizeof(float));
        d->len -= drop;
        d->c -= drop;
    }
    return k;
}

size_t vmc_decimator_push(VmcDecimator *d, float *out, const float *in, size_t n)
{
    if (n > d->chunk) n = d->chunk;
    memcpy(d->buf + d->len, in, n * sizeof(float));
    d->len += n;
    d->n_in += n;
    return run(d, out, 0);
}

size_t vmc_decimator_flush(VmcDecimator *d, float *out)
{
    if (d->n_out * d->m >= d->n_in) return 0;
    size_t z = d->cap - d->len;
    if (z > d->chunk) z = d->chunk;
    memset(d->buf + d->len, 0, z * sizeof(float));
    d->len += z;
    return run(d, out, 1);
}
