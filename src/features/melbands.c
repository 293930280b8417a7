#include "features/melbands.h"

#include <math.h>
#include <stdint.h>
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
    /* code c = floor((dB - base) / step + 1/2), clamped to 0..255, is the
     * number of these levels a mean square reaches (dB = 10 log10 of it,
     * the track floor under 1e-12: code 0, under every level) */
    for (int c = 0; c < 255; c++) m->up[c] = pow(10.0, (VMC_MEL_BASE_DB + ((double)c + 0.5) * VMC_MEL_STEP_DB) / 10.0);
    return VMCHECK_OK;
}

void vmc_melbands_free(VmcMelBands *m)
{
    free(m->w);
    memset(m, 0, sizeof(*m));
}

/* The code of mean square p: as floor((10 log10 p - base) / step + 1/2),
 * without the logarithm: a first guess from p's binary exponent and
 * mantissa (log2 p within 0.09, so the guess is off by at most one code),
 * then the levels either side decide. */
unsigned char vmc_mel_code(const VmcMelBands *m, double p)
{
    if (!(p >= m->up[0])) return 0;
    uint64_t bits;
    memcpy(&bits, &p, sizeof(bits));
    const double lg2 =
        (double)((int)((bits >> 52) & 0x7ff) - 1023) + (double)(bits & 0xfffffffffffffull) * (1.0 / 4503599627370496.0);
    /* 10 log10(2) / step = 6.0206 codes per octave */
    double g = (lg2 * (10.0 * 0.30102999566398120) - VMC_MEL_BASE_DB) / VMC_MEL_STEP_DB + 0.5;
    int c = g < 1.0 ? 1 : g > 255.0 ? 255 : (int)g;
    while (c < 255 && p >= m->up[c]) c++;
    while (c > 0 && p < m->up[c - 1]) c--;
    return (unsigned char)c;
}

void vmc_melbands_process(const VmcMelBands *m, unsigned char out[VMC_MEL_BANDS], const float *power)
{
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        const float *w = m->w + m->off[b];
        const float *p = power + m->k0[b];
        const size_t n = m->k1[b] - m->k0[b];
        /* four running sums: one would be a chain of dependent adds */
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        size_t k = 0;
        for (; k + 4 <= n; k += 4) {
            a0 += (double)(w[k] * p[k]);
            a1 += (double)(w[k + 1] * p[k + 1]);
            a2 += (double)(w[k + 2] * p[k + 2]);
            a3 += (double)(w[k + 3] * p[k + 3]);
        }
        for (; k < n; k++) a0 += (double)(w[k] * p[k]);
        out[b] = vmc_mel_code(m, ((a0 + a1) + (a2 + a3)) * m->scale);
    }
}
