#include "dsp/decimate.h"

#include <math.h>
#include <string.h>

#include "common/common.h"

struct VmcDecimator {
    unsigned m;
    size_t half;         /* filter half-length; taps = 2*half + 1 */
    float *h;
    float *buf;          /* pending input; buf[c] is the next output's centre */
    size_t len, cap, c;
    size_t chunk;
    unsigned long long n_in, n_out;
    size_t flushed;      /* zeros appended by flush() */
};

VmcDecimator *vmc_decimator_create(unsigned factor, size_t chunk)
{
    if (factor < 1 || chunk < 1) return NULL;
    VmcDecimator *d = vmc_calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->m = factor;
    d->chunk = chunk;
    /* 16 zero crossings each side: a Blackman-windowed sinc with its cut-off
     * at 0.45 of the output rate keeps everything speech analysis needs
     * (pitch under 500 Hz, band levels under 4 kHz) and attenuates aliases
     * by ~70 dB. */
    d->half = 16 * (size_t)factor;
    size_t taps = 2 * d->half + 1;
    d->h = vmc_calloc(taps, sizeof(float));
    d->cap = taps + chunk + d->half;
    d->buf = vmc_calloc(d->cap, sizeof(float));
    if (!d->h || !d->buf) {
        vmc_decimator_destroy(&d);
        return NULL;
    }
    const double fc = 0.45 / factor; /* cycles per input sample */
    double sum = 0.0;
    for (size_t j = 0; j < taps; j++) {
        double t = (double)j - (double)d->half;
        double s = t == 0.0 ? 2.0 * fc : sin(2.0 * M_PI * fc * t) / (M_PI * t);
        double w = 0.42 - 0.5 * cos(2.0 * M_PI * (double)j / (double)(taps - 1)) +
                   0.08 * cos(4.0 * M_PI * (double)j / (double)(taps - 1));
        d->h[j] = (float)(s * w);
        sum += s * w;
    }
    for (size_t j = 0; j < taps; j++) d->h[j] = (float)((double)d->h[j] / sum);
    /* history before the first sample is zero */
    d->len = d->half;
    d->c = d->half;
    return d;
}

void vmc_decimator_destroy(VmcDecimator **pd)
{
    if (!pd || !*pd) return;
    free((*pd)->h);
    free((*pd)->buf);
    free(*pd);
    *pd = NULL;
}

size_t vmc_decimator_max_out(const VmcDecimator *d) { return d->cap / d->m + 2; }

static size_t run(VmcDecimator *d, float *out, int final)
{
    size_t k = 0;
    const size_t taps = 2 * d->half + 1;
    while (d->c + d->half < d->len) {
        if (final && d->n_out * d->m >= d->n_in) break;
        const float *x = d->buf + d->c - d->half;
        double acc = 0.0;
        for (size_t j = 0; j < taps; j++) acc += (double)d->h[j] * (double)x[j];
        out[k++] = (float)acc;
        d->n_out++;
        d->c += d->m;
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
    d->flushed += z;
    return run(d, out, 1);
}
