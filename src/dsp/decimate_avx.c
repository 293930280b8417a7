/* The decimator's taps eight outputs to a register (built with -mavx, used
 * only where the CPU has AVX; see decimate.c).  Each output adds its taps
 * in the same order as the SSE and scalar code, with separate multiplies
 * and adds (no FMA), so the same bits. */
#include <immintrin.h>
#include <stddef.h>

#include "dsp/decimate_avx.h"

size_t vmc_decimate_taps_avx(float *out, const float *ph, const float *ph0, const ptrdiff_t *ta, const ptrdiff_t *tb,
                             const float *h, size_t nh, float h0, size_t k)
{
    const __m256 c = _mm256_set1_ps(h0);
    size_t q = 0;
    for (; q + 32 <= k; q += 32) {
        __m256 c0 = _mm256_mul_ps(c, _mm256_loadu_ps(ph0 + q)), c1 = _mm256_mul_ps(c, _mm256_loadu_ps(ph0 + q + 8));
        __m256 c2 = _mm256_mul_ps(c, _mm256_loadu_ps(ph0 + q + 16)),
               c3 = _mm256_mul_ps(c, _mm256_loadu_ps(ph0 + q + 24));
        for (size_t j = 0; j < nh; j++) {
            const __m256 hj = _mm256_set1_ps(h[j]);
            const float *a = ph + ta[j] + q, *b = ph + tb[j] + q;
            c0 = _mm256_add_ps(c0, _mm256_mul_ps(hj, _mm256_add_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b))));
            c1 = _mm256_add_ps(c1, _mm256_mul_ps(hj, _mm256_add_ps(_mm256_loadu_ps(a + 8), _mm256_loadu_ps(b + 8))));
            c2 = _mm256_add_ps(c2, _mm256_mul_ps(hj, _mm256_add_ps(_mm256_loadu_ps(a + 16), _mm256_loadu_ps(b + 16))));
            c3 = _mm256_add_ps(c3, _mm256_mul_ps(hj, _mm256_add_ps(_mm256_loadu_ps(a + 24), _mm256_loadu_ps(b + 24))));
        }
        _mm256_storeu_ps(out + q, c0);
        _mm256_storeu_ps(out + q + 8, c1);
        _mm256_storeu_ps(out + q + 16, c2);
        _mm256_storeu_ps(out + q + 24, c3);
    }
    return q;
}
