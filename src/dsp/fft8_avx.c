/* Eight real FFTs at once in 256-bit vectors (built with -mavx
 * -ffp-contract=off, used only where the CPU has AVX; see dsp/fft4.c):
 * the four-lane path's own code (dsp/fft4_impl.h) with eight lanes, so each
 * lane does the same operations in the same order, separate multiplies and
 * adds, and gives the same bits. */
#include <immintrin.h>
#include <stddef.h>
#include <string.h>

#include "dsp/fft8_avx.h"

typedef float v8 __attribute__((vector_size(32)));

/* Rows become columns (an 8 x 8 transpose in registers). */
static inline void transpose(v8 r[8])
{
    const __m256 t0 = _mm256_unpacklo_ps((__m256)r[0], (__m256)r[1]),
                 t1 = _mm256_unpackhi_ps((__m256)r[0], (__m256)r[1]);
    const __m256 t2 = _mm256_unpacklo_ps((__m256)r[2], (__m256)r[3]),
                 t3 = _mm256_unpackhi_ps((__m256)r[2], (__m256)r[3]);
    const __m256 t4 = _mm256_unpacklo_ps((__m256)r[4], (__m256)r[5]),
                 t5 = _mm256_unpackhi_ps((__m256)r[4], (__m256)r[5]);
    const __m256 t6 = _mm256_unpacklo_ps((__m256)r[6], (__m256)r[7]),
                 t7 = _mm256_unpackhi_ps((__m256)r[6], (__m256)r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = (v8)_mm256_permute2f128_ps(s0, s4, 0x20);
    r[1] = (v8)_mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = (v8)_mm256_permute2f128_ps(s2, s6, 0x20);
    r[3] = (v8)_mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = (v8)_mm256_permute2f128_ps(s0, s4, 0x31);
    r[5] = (v8)_mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = (v8)_mm256_permute2f128_ps(s2, s6, 0x31);
    r[7] = (v8)_mm256_permute2f128_ps(s3, s7, 0x31);
}

#define VL 8
#define V v8
#include "dsp/fft4_impl.h"

void vmc_fft8_power_avx(VmcFft4 *f, float *const power[8], const float *const in[8]) { lanes_power(f, power, in); }

void vmc_fft8_forward_avx(VmcFft4 *f, VmcCpx *const out[8], const float *const in[8]) { lanes_forward(f, out, in); }
