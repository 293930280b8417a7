#include "features/spectral.h"

#include <math.h>
#include <string.h>

#include "features/energy.h"

void vmc_band_init(VmcBand *b, const VmcSpectrum *s, double lo_hz, double hi_hz)
{
    double bin_hz = s->rate_hz / (double)s->nfft;
    double nyq = s->rate_hz / 2.0;
    if (hi_hz > nyq) hi_hz = nyq;
    b->k0 = (size_t)ceil(lo_hz / bin_hz);
    b->k1 = (size_t)floor(hi_hz / bin_hz) + 1;
    if (b->k1 > s->nbins) b->k1 = s->nbins;
    if (b->k0 > b->k1) b->k0 = b->k1;
    /* Parseval: sum over all bins of |X|^2 (one-sided, doubled) / nfft equals
     * sum(x*w)^2; divide by sum(w^2) = 3/8 win for Hann to get a mean square. */
    double wsum2 = 0.375 * (double)s->win;
    b->scale = 2.0 / ((double)s->nfft * wsum2);
}

float vmc_band_db(const VmcBand *b, const float *power)
{
    double acc = 0.0;
    for (size_t k = b->k0; k < b->k1; k++) acc += (double)power[k];
    return (float)vmc_db_from_power(acc * b->scale);
}

void vmc_shape_init(VmcShapeBands *b, const VmcSpectrum *s)
{
    const double lo = 250.0, nyq = s->rate_hz / 2.0, hi = nyq < 3600.0 ? nyq : 3600.0;
    const double bin_hz = s->rate_hz / (double)s->nfft;
    for (int q = 0; q <= VMC_SHAPE_BANDS; q++) {
        size_t k = (size_t)ceil(lo * pow(hi / lo, (double)q / VMC_SHAPE_BANDS) / bin_hz);
        b->k[q] = k < s->nbins ? k : s->nbins;
    }
}

void vmc_shape_db(const VmcShapeBands *b, const float *power, float out[VMC_SHAPE_BANDS])
{
    for (int q = 0; q < VMC_SHAPE_BANDS; q++) {
        double acc = 1e-12; /* about -120 dB: digital silence stays finite */
        for (size_t k = b->k[q]; k < b->k[q + 1]; k++) acc += (double)power[k];
        out[q] = (float)(10.0 * log10(acc));
    }
}

enum { RING = 2 * VMC_CHANGE_REACH + 1 };

/* The change at the ring's middle frame, all 2R+1 frames present. */
static float change_at(const VmcChange *c, size_t mid)
{
    double before[VMC_SHAPE_BANDS] = {0}, after[VMC_SHAPE_BANDS] = {0}, mb = 0.0, ma = 0.0;
    for (size_t d = 1; d <= VMC_CHANGE_REACH; d++) {
        const float *x = c->ring[(mid - d) % RING], *y = c->ring[(mid + d) % RING];
        for (int q = 0; q < VMC_SHAPE_BANDS; q++) {
            before[q] += (double)x[q];
            after[q] += (double)y[q];
        }
    }
    for (int q = 0; q < VMC_SHAPE_BANDS; q++) {
        mb += before[q];
        ma += after[q];
    }
    mb /= VMC_SHAPE_BANDS;
    ma /= VMC_SHAPE_BANDS;
    double acc = 0.0;
    for (int q = 0; q < VMC_SHAPE_BANDS; q++) {
        double diff = ((before[q] - mb) - (after[q] - ma)) / VMC_CHANGE_REACH;
        acc += diff * diff;
    }
    return (float)sqrt(acc / VMC_SHAPE_BANDS);
}

int vmc_change_push(VmcChange *c, VmcTrack *t, const float shape[VMC_SHAPE_BANDS])
{
    memcpy(c->ring[c->seen % RING], shape, sizeof(c->ring[0]));
    c->seen++;
    if (c->seen <= VMC_CHANGE_REACH) return 0;
    /* frame seen-1-R now has R frames after it */
    size_t mid = c->seen - 1 - VMC_CHANGE_REACH;
    return vmc_track_push(t, mid < VMC_CHANGE_REACH ? 0.0f : change_at(c, mid));
}

int vmc_change_flush(VmcChange *c, VmcTrack *t, size_t n_frames)
{
    (void)c;
    while (t->n < n_frames)
        if (vmc_track_push(t, 0.0f)) return -1;
    if (t->n > n_frames) t->n = n_frames;
    return 0;
}
