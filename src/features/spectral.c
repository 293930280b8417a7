#include "features/spectral.h"

#include <math.h>

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
