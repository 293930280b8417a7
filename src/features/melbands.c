#include "features/melbands.h"

#include <math.h>
#include <string.h>

#include "common/common.h"
#include "features/energy.h"

/* O'Shaughnessy's mel scale, as HTK. */
static double mel(double hz) { return 2595.0 * log10(1.0 + hz / 700.0); }
static double hz_of(double m) { return 700.0 * (pow(10.0, m / 2595.0) - 1.0); }

int vmc_melbands_init(VmcMelBands *m, const VmcSpectrum *s)
{
    memset(m, 0, sizeof(*m));
    const double bin_hz = s->rate_hz / (double)s->nfft;
    const double m_lo = mel(VMC_MEL_LO_HZ), m_hi = mel(VMC_MEL_HI_HZ);
    const double step = (m_hi - m_lo) / (VMC_MEL_BANDS + 1);
    size_t total = 0;
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        /* band b rises from edge b to its centre b + 1 and falls to b + 2 */
        const double lo = hz_of(m_lo + step * b), hi = hz_of(m_lo + step * (b + 2));
        size_t k0 = (size_t)floor(lo / bin_hz) + 1, k1 = (size_t)ceil(hi / bin_hz);
        if (k1 > s->nbins) k1 = s->nbins;
        if (k0 >= k1) k0 = k1 ? k1 - 1 : 0; /* never empty: at least the nearest bin */
        m->k0[b] = k0;
        m->k1[b] = k1;
        m->off[b] = total;
        total += k1 - k0;
    }
    m->w = vmc_calloc(total, sizeof(float));
    if (!m->w) return VMCHECK_ENOMEM;
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        const double lo = m_lo + step * b, c = lo + step, hi = c + step;
        for (size_t k = m->k0[b]; k < m->k1[b]; k++) {
            const double x = mel((double)k * bin_hz);
            const double v = x < c ? (x - lo) / step : (hi - x) / step;
            m->w[m->off[b] + k - m->k0[b]] = (float)(v > 0.0 ? v : 0.0);
        }
    }
    /* Parseval, as vmc_band_init: the weighted bin sum times 2 / (nfft *
     * sum w^2) is the mean square of the band's part of the signal, the
     * same at any analysis rate and FFT size. */
    const double wsum2 = 0.375 * (double)s->win;
    m->scale = 2.0 / ((double)s->nfft * wsum2);
    return VMCHECK_OK;
}

void vmc_melbands_free(VmcMelBands *m)
{
    free(m->w);
    memset(m, 0, sizeof(*m));
}

void vmc_melbands_process(const VmcMelBands *m, unsigned char out[VMC_MEL_BANDS], const float *power)
{
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        const float *w = m->w + m->off[b];
        const float *p = power + m->k0[b];
        const size_t n = m->k1[b] - m->k0[b];
        double acc = 0.0;
        for (size_t k = 0; k < n; k++) acc += (double)(w[k] * p[k]);
        const double db = vmc_db_from_power(acc * m->scale);
        double q = floor((db - VMC_MEL_BASE_DB) / VMC_MEL_STEP_DB + 0.5);
        if (q < 0.0) q = 0.0;
        if (q > 255.0) q = 255.0;
        out[b] = (unsigned char)q;
    }
}
