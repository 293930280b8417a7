/* Four frames' band sums with 8-lane AVX (built with -mavx into its own
 * object, used only when the CPU has AVX; features/melbands.c asks): the
 * four frames' running double sums of a band in one 256-bit vector each.
 * Each lane is one frame's sum: float product, widened, added in the same
 * order as the SSE2 and scalar code (bins k, k + 1, k + 2, k + 3 of each
 * step of four into sums 0-3, the rest of the bins into sum 0, then
 * (s0 + s1) + (s2 + s3) times the scale), so the same bits. */
#include "features/melbands_avx.h"

#include <immintrin.h>

void vmc_mel_sums4_avx(const VmcMelBands *m, const float *il, size_t lo, double t[VMC_MEL_BANDS][4])
{
    const __m256d sc = _mm256_set1_pd(m->scale);
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        const float *w = m->w + m->off[b];
        const float *p = il + 4 * (m->k0[b] - lo);
        const size_t n = m->k1[b] - m->k0[b];
        __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
#define VMC_MEL_ACC(s_, j)                                                                                             \
    s_ = _mm256_add_pd(s_, _mm256_cvtps_pd(_mm_mul_ps(_mm_set1_ps(w[k + (j)]), _mm_loadu_ps(p + 4 * (k + (j))))))
        size_t k = 0;
        for (; k + 4 <= n; k += 4) {
            VMC_MEL_ACC(s0, 0);
            VMC_MEL_ACC(s1, 1);
            VMC_MEL_ACC(s2, 2);
            VMC_MEL_ACC(s3, 3);
        }
        for (; k < n; k++) VMC_MEL_ACC(s0, 0);
#undef VMC_MEL_ACC
        _mm256_storeu_pd(t[b], _mm256_mul_pd(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)), sc));
    }
}
