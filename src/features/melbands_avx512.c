/* Four frames' band sums with AVX-512F (built with -mavx512f
 * -ffp-contract=off, used only when the CPU has it; features/melbands.c
 * asks): four bins of the four frames in one vector, so the four running
 * double sums of vmc_melbands_process4 (bins k, k + 1, k + 2, k + 3 of each
 * step of four) are two vectors of eight lanes.  Each lane is one frame's
 * sum: float product, widened, added in the same order, the rest of the
 * bins into the first sum, then (s0 + s1) + (s2 + s3) times the scale; the
 * same bits as the SSE2 and scalar code. */
#include "features/melbands_avx512.h"

#include <immintrin.h>

void vmc_mel_sums4_avx512(const VmcMelBands *m, const float *il, size_t lo, double t[VMC_MEL_BANDS][4])
{
    /* each of four weights across its bin's four frames */
    const __m512i spread = _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0);
    const __m256d sc = _mm256_set1_pd(m->scale);
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        const float *w = m->w + m->off[b];
        const float *p = il + 4 * (m->k0[b] - lo);
        const size_t n = m->k1[b] - m->k0[b];
        __m512d s01 = _mm512_setzero_pd(), s23 = _mm512_setzero_pd(); /* sums 0 and 1, 2 and 3 */
        size_t k = 0;
        for (; k + 4 <= n; k += 4) {
            const __m512 wk = _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(_mm_loadu_ps(w + k)));
            const __m512 q = _mm512_mul_ps(wk, _mm512_loadu_ps(p + 4 * k));
            s01 = _mm512_add_pd(s01, _mm512_cvtps_pd(_mm512_castps512_ps256(q)));
            s23 = _mm512_add_pd(s23, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(q), 1))));
        }
        __m256d s0 = _mm512_castpd512_pd256(s01);
        for (; k < n; k++)
            s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_mul_ps(_mm_set1_ps(w[k]), _mm_loadu_ps(p + 4 * k))));
        const __m256d s1 = _mm512_extractf64x4_pd(s01, 1), s2 = _mm512_castpd512_pd256(s23),
                      s3 = _mm512_extractf64x4_pd(s23, 1);
        _mm256_storeu_pd(t[b], _mm256_mul_pd(_mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)), sc));
    }
}
