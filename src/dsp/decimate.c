#include "dsp/decimate.h"

#include <math.h>
#include <string.h>

#include "common/common.h"

struct VmcDecimator {
    unsigned m;
    size_t half; /* filter half-length; taps = 2*half + 1 */
    float h0;    /* centre tap */
    float *h;    /* non-zero taps at offsets off[k] from the centre (both sides) */
    size_t *off;
    size_t nh;
    float *buf;       /* pending input; buf[c] is the next output's centre */
    float *odd, *acc; /* M = 2 block scratch: odd samples, outputs */
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
    d->cap = 2 * d->half + 1 + chunk;
    d->buf = vmc_calloc(d->cap, sizeof(float));
    d->odd = vmc_calloc(d->cap / 2 + 2, sizeof(float));
    d->acc = vmc_calloc(d->cap / 2 + 2, sizeof(float));
    if (!d->h || !d->off || !d->buf || !d->odd || !d->acc) {
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
    free((*pd)->buf);
    free((*pd)->odd);
    free((*pd)->acc);
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

/* M = 2, a block of k outputs at once, tap by tap: with the odd samples
 * gathered into one contiguous array every tap is a vector operation
 * across outputs.  Output q (centre x[c + 2q]) is
 * h0 x[c+2q] + sum_j h_j (o[q + j] + o[q - 1 - j]), o[i] = x[c + 2i + 1]. */
static void run_half_band(VmcDecimator *d, float *restrict out, size_t k)
{
    const size_t nh = d->nh; /* taps at offsets 1, 3, ..., 2nh-1 */
    const float *x = d->buf + d->c;
    float *restrict o = d->odd;
    /* o[i] for i in [-nh, k + nh): stored at odd[i + nh] */
    for (size_t i = 0; i < k + 2 * nh; i++) o[i] = x[2 * ((ptrdiff_t)i - (ptrdiff_t)nh) + 1];
    float *restrict acc = d->acc;
    for (size_t q = 0; q < k; q++) acc[q] = d->h0 * x[2 * q];
    for (size_t j = 0; j < nh; j++) {
        const float hj = d->h[j];
        const float *a = o + nh + j, *b = o + nh - 1 - j;
        for (size_t q = 0; q < k; q++) acc[q] += hj * (a[q] + b[q]);
    }
    memcpy(out, acc, k * sizeof(float));
}

static size_t run(VmcDecimator *d, float *out, int final)
{
    unsigned long long limit = final ? (d->n_in + d->m - 1) / d->m - d->n_out : ~0ull;
    size_t k = count_outputs(d, limit);
    if (k) {
        if (d->m == 2) {
            run_half_band(d, out, k);
        } else {
            for (size_t q = 0; q < k; q++) {
                const float *x = d->buf + d->c + q * d->m;
                float acc = d->h0 * x[0];
                for (size_t j = 0; j < d->nh; j++) {
                    size_t o = d->off[j];
                    acc += d->h[j] * (x[o] + x[-(ptrdiff_t)o]);
                }
                out[q] = acc;
            }
        }
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
