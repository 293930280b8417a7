#include "dsp/spectrum.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/common.h"

int vmc_spectrum_init(VmcSpectrum *s, double rate_hz, size_t win, size_t nfft)
{
    memset(s, 0, sizeof(*s));
    if (nfft < win || nfft % 2 || win < 2) return VMCHECK_EINVAL;
    s->win = win;
    s->nfft = nfft;
    s->nbins = nfft / 2 + 1;
    s->rate_hz = rate_hz;
    s->window = vmc_calloc(win, sizeof(float));
    s->scratch = vmc_calloc(nfft, sizeof(float));
    s->bins = vmc_calloc(s->nbins, sizeof(VmcCpx));
    s->own = s->power = vmc_calloc(s->nbins, sizeof(float));
    s->fft = vmc_fft_create(nfft);
    s->fft4 = vmc_fft4_create(nfft);
    if (s->fft4) {
        s->lanes8 = vmc_fft4_lanes8(s->fft4);
        const size_t lanes = s->lanes8 ? 8 : 4;
        s->lanes = vmc_calloc(lanes * nfft, sizeof(float));
        s->lane_power = vmc_calloc(lanes * s->nbins, sizeof(float));
    }
    if (!s->window || !s->scratch || !s->bins || !s->power || !s->fft || (s->fft4 && (!s->lanes || !s->lane_power))) {
        vmc_spectrum_free(s);
        return VMCHECK_ENOMEM;
    }
    /* periodic-free symmetric Hann over exactly win samples */
    for (size_t i = 0; i < win; i++)
        s->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * ((double)i + 0.5) / (double)win));
    return VMCHECK_OK;
}

void vmc_spectrum_free(VmcSpectrum *s)
{
    free(s->window);
    free(s->scratch);
    free(s->bins);
    free(s->own);
    vmc_fft_destroy(&s->fft);
    vmc_fft4_destroy(&s->fft4);
    free(s->lanes);
    free(s->lane_power);
    memset(s, 0, sizeof(*s));
}

void vmc_frame_stats(const float *x, size_t n, float *mean, float *peak)
{
    /* eight independent lanes: the compiler can keep them in one vector
     * register (one running sum would be a chain of n dependent adds) */
    float sum[8] = {0}, hi[8], lo[8];
    for (int j = 0; j < 8; j++) hi[j] = lo[j] = x[0];
    size_t i = 0;
#if defined(__SSE2__)
    /* the same eight lanes in two registers, written out (GCC kept them
     * scalar, spilling half to the stack): max/min as (v > h ? v : h) and
     * (v < l ? v : l), so every lane's result is the scalar one's */
    __m128 s0 = _mm_setzero_ps(), s1 = s0, h0 = _mm_set1_ps(x[0]), h1 = h0, l0 = h0, l1 = h0;
    for (; i + 8 <= n; i += 8) {
        const __m128 v0 = _mm_loadu_ps(x + i), v1 = _mm_loadu_ps(x + i + 4);
        s0 = _mm_add_ps(s0, v0);
        s1 = _mm_add_ps(s1, v1);
        h0 = _mm_max_ps(v0, h0);
        h1 = _mm_max_ps(v1, h1);
        l0 = _mm_min_ps(v0, l0);
        l1 = _mm_min_ps(v1, l1);
    }
    _mm_storeu_ps(sum, s0);
    _mm_storeu_ps(sum + 4, s1);
    _mm_storeu_ps(hi, h0);
    _mm_storeu_ps(hi + 4, h1);
    _mm_storeu_ps(lo, l0);
    _mm_storeu_ps(lo + 4, l1);
#else
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) {
            const float v = x[i + (size_t)j];
            sum[j] += v;
            hi[j] = v > hi[j] ? v : hi[j];
            lo[j] = v < lo[j] ? v : lo[j];
        }
#endif
    for (; i < n; i++) {
        sum[0] += x[i];
        hi[0] = x[i] > hi[0] ? x[i] : hi[0];
        lo[0] = x[i] < lo[0] ? x[i] : lo[0];
    }
    float total = 0.0f, h = hi[0], l = lo[0];
    for (int j = 0; j < 8; j++) {
        total += sum[j];
        h = hi[j] > h ? hi[j] : h;
        l = lo[j] < l ? lo[j] : l;
    }
    const float m = total / (float)n;
    *mean = m;
    *peak = h - m > m - l ? h - m : m - l;
}

void vmc_spectrum_process(VmcSpectrum *s, const float *frame, float mean)
{
    for (size_t i = 0; i < s->win; i++) s->scratch[i] = (frame[i] - mean) * s->window[i];
    /* scratch[win..nfft) stays zero from init */
    vmc_fft_forward(s->fft, s->bins, s->scratch);
    s->power = s->own;
    for (size_t k = 0; k < s->nbins; k++) s->power[k] = s->bins[k].re * s->bins[k].re + s->bins[k].im * s->bins[k].im;
}

/* Frames [0, lanes) windowed into s->lanes, in[l] and pw[l] pointing at
 * lane l's samples and power. */
static void window_lanes(VmcSpectrum *s, int lanes, const float *const frames[], const float mean[], const float *in[],
                         float *pw[])
{
    for (int l = 0; l < lanes; l++) {
        float *x = s->lanes + (size_t)l * s->nfft;
        for (size_t i = 0; i < s->win; i++) x[i] = (frames[l][i] - mean[l]) * s->window[i];
        /* x[win..nfft) stays zero from init */
        in[l] = x;
        pw[l] = s->lane_power + (size_t)l * s->nbins;
    }
}

void vmc_spectrum_process4(VmcSpectrum *s, const float *const frames[4], const float mean[4])
{
    const float *in[4];
    float *pw[4];
    window_lanes(s, 4, frames, mean, in, pw);
    vmc_fft4_power(s->fft4, pw, in);
}

void vmc_spectrum_process8(VmcSpectrum *s, const float *const frames[8], const float mean[8])
{
    const float *in[8];
    float *pw[8];
    window_lanes(s, 8, frames, mean, in, pw);
    vmc_fft4_power8(s->fft4, pw, in);
}

void vmc_spectrum_lane(VmcSpectrum *s, int k) { s->power = s->lane_power + (size_t)k * s->nbins; }
