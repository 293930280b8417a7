#include "features/melbands.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/common.h"
#include "features/energy.h"
#if defined(VMC_HAVE_AVX512)
#include "features/melbands_avx512.h"
#endif
#if defined(VMC_HAVE_AVX)
#include "features/melbands_avx.h"
#endif
#if defined(VMC_HAVE_AVX2)
#include "features/melbands_avx2.h"
#endif

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
    for (int c = 255; c < 260; c++) m->up[c] = HUGE_VAL;
#if defined(VMC_HAVE_AVX512)
    m->avx512 = __builtin_cpu_supports("avx512f") != 0;
#endif
#if defined(VMC_HAVE_AVX)
    m->avx = __builtin_cpu_supports("avx") != 0;
#endif
#if defined(VMC_HAVE_AVX2)
    m->avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
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
 * then the levels either side decide.  The code is the number of levels at
 * or under p, so the four levels from two under the guess are counted
 * without a branch (the walk it replaces mispredicted about once a band:
 * six tenths of the bands' time); were the guess ever further off, the
 * levels either side of the count would show it and the walk decides. */
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
    const int base = c < 2 ? 0 : c - 2;
    const double *u = m->up + base;
    const int k = base + (u[0] <= p) + (u[1] <= p) + (u[2] <= p) + (u[3] <= p);
    if ((base > 0 && p < m->up[base - 1]) || p >= u[4]) {
        while (c < 255 && p >= m->up[c]) c++;
        while (c > 0 && p < m->up[c - 1]) c--;
        return (unsigned char)c;
    }
    return (unsigned char)k;
}

void vmc_melbands_sums(const VmcMelBands *m, double t[VMC_MEL_BANDS], const float *power)
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
        t[b] = ((a0 + a1) + (a2 + a3)) * m->scale;
    }
}

void vmc_melbands_process(const VmcMelBands *m, unsigned char out[VMC_MEL_BANDS], const float *power)
{
    double t[VMC_MEL_BANDS];
    vmc_melbands_sums(m, t, power);
    for (int b = 0; b < VMC_MEL_BANDS; b++) out[b] = vmc_mel_code(m, t[b]);
}

/* Four frames' bands at once: the same sums as vmc_melbands_sums, each
 * frame in its own lane (float product, four running double sums per band,
 * added in the same order), so every code is the same bit for bit.  The
 * bins the bands cover are first laid out side by side, [bin][frame], so a
 * bin of all four frames is one load; the scalar code's time went to one
 * bin of one frame at a time (a tenth of the whole analysis). */
void vmc_melbands_sums4(const VmcMelBands *m, double t[VMC_MEL_BANDS][4], const float *const power[4])
{
#if defined(__SSE2__)
    enum { MAX_BINS = 1024 };
    const size_t lo = m->k0[0], hi = m->k1[VMC_MEL_BANDS - 1];
    if (hi > lo && hi - lo <= MAX_BINS) {
        float il[4 * MAX_BINS + 4];
        const size_t nb = hi - lo;
        size_t k = 0;
        for (; k + 4 <= nb; k += 4) {
            __m128 r0 = _mm_loadu_ps(power[0] + lo + k), r1 = _mm_loadu_ps(power[1] + lo + k);
            __m128 r2 = _mm_loadu_ps(power[2] + lo + k), r3 = _mm_loadu_ps(power[3] + lo + k);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            _mm_storeu_ps(il + 4 * k, r0);
            _mm_storeu_ps(il + 4 * k + 4, r1);
            _mm_storeu_ps(il + 4 * k + 8, r2);
            _mm_storeu_ps(il + 4 * k + 12, r3);
        }
        for (; k < nb; k++)
            for (int l = 0; l < 4; l++) il[4 * k + (size_t)l] = power[l][lo + k];
#if defined(VMC_HAVE_AVX512)
        if (m->avx512) {
            vmc_mel_sums4_avx512(m, il, lo, t);
            return;
        }
#endif
#if defined(VMC_HAVE_AVX)
        if (m->avx) {
            vmc_mel_sums4_avx(m, il, lo, t);
            return;
        }
#endif
        for (int b = 0; b < VMC_MEL_BANDS; b++) {
            const float *w = m->w + m->off[b];
            const float *p = il + 4 * (m->k0[b] - lo);
            const size_t n = m->k1[b] - m->k0[b];
            /* lanes 0-1 and 2-3 of each of the four running sums */
            __m128d a0l = _mm_setzero_pd(), a0h = a0l, a1l = a0l, a1h = a0l, a2l = a0l, a2h = a0l, a3l = a0l, a3h = a0l;
#define VMC_MEL_ACC(lo_, hi_, j)                                                                                       \
    do {                                                                                                               \
        const __m128 q_ = _mm_mul_ps(_mm_set1_ps(w[k + (j)]), _mm_loadu_ps(p + 4 * (k + (j))));                        \
        lo_ = _mm_add_pd(lo_, _mm_cvtps_pd(q_));                                                                       \
        hi_ = _mm_add_pd(hi_, _mm_cvtps_pd(_mm_movehl_ps(q_, q_)));                                                    \
    } while (0)
            k = 0;
            for (; k + 4 <= n; k += 4) {
                VMC_MEL_ACC(a0l, a0h, 0);
                VMC_MEL_ACC(a1l, a1h, 1);
                VMC_MEL_ACC(a2l, a2h, 2);
                VMC_MEL_ACC(a3l, a3h, 3);
            }
            for (; k < n; k++) VMC_MEL_ACC(a0l, a0h, 0);
#undef VMC_MEL_ACC
            const __m128d sc = _mm_set1_pd(m->scale);
            const __m128d tl = _mm_mul_pd(_mm_add_pd(_mm_add_pd(a0l, a1l), _mm_add_pd(a2l, a3l)), sc);
            const __m128d th = _mm_mul_pd(_mm_add_pd(_mm_add_pd(a0h, a1h), _mm_add_pd(a2h, a3h)), sc);
            _mm_storeu_pd(t[b], tl);
            _mm_storeu_pd(t[b] + 2, th);
        }
        return;
    }
#endif
    for (int l = 0; l < 4; l++) {
        double one[VMC_MEL_BANDS];
        vmc_melbands_sums(m, one, power[l]);
        for (int b = 0; b < VMC_MEL_BANDS; b++) t[b][l] = one[b];
    }
}

void vmc_melbands_process4(const VmcMelBands *m, unsigned char *const out[4], const float *const power[4])
{
    double t[VMC_MEL_BANDS][4];
    vmc_melbands_sums4(m, t, power);
    vmc_melbands_codes4(m, out, t);
}

void vmc_melbands_codes4(const VmcMelBands *m, unsigned char *const out[4], const double t[VMC_MEL_BANDS][4])
{
#if defined(VMC_HAVE_AVX512)
    if (m->avx512) {
        vmc_mel_codes4_avx512(m, out, t);
        return;
    }
#endif
#if defined(VMC_HAVE_AVX2)
    if (m->avx2) {
        vmc_mel_codes4_avx2(m, out, t);
        return;
    }
#endif
    for (int b = 0; b < VMC_MEL_BANDS; b++)
        for (int l = 0; l < 4; l++) out[l][b] = vmc_mel_code(m, t[b][l]);
}
