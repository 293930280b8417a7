/* Four frames' band codes with AVX2 (built with -mavx2 -ffp-contract=off,
 * used only when the CPU has it; features/melbands.c asks), the codes of one
 * band's four mean squares in one vector: vmc_mel_code's own steps, each
 * exact or the same IEEE operation, so the same codes.  The binary exponent
 * and the mantissa are the scalar code's bit fields turned into doubles
 * through the bits of 2^52 + e and 1 + m 2^-52 (both exact); the first
 * guess is the same multiply, subtract, divide and add; the four levels
 * from two under it are counted from gathered levels; a lane whose guess
 * they do not decide goes to the scalar code and its walk (never, but the
 * scalar code has it). */
#include "features/melbands_avx2.h"

#include <immintrin.h>

static void codes4(const VmcMelBands *m, unsigned char c[4], const double *t)
{
    const __m256d p = _mm256_loadu_pd(t);
    const __m256d on = _mm256_cmp_pd(p, _mm256_set1_pd(m->up[0]), _CMP_GE_OQ); /* else code 0 */
    const __m256i bits = _mm256_castpd_si256(p);
    /* (double)(e - 1023): 2^52 + e as bits, less 2^52 + 1023 */
    const __m256i e = _mm256_and_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x7ff));
    const __m256d ed = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(e, _mm256_set1_epi64x(0x4330000000000000ll))),
                                     _mm256_set1_pd(4503599627370496.0 + 1023.0));
    /* mantissa * 2^-52: 1 + m 2^-52 as bits, less 1 */
    const __m256i mant = _mm256_and_si256(bits, _mm256_set1_epi64x(0xfffffffffffffll));
    const __m256d md = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(mant, _mm256_set1_epi64x(0x3ff0000000000000ll))), _mm256_set1_pd(1.0));
    const __m256d lg2 = _mm256_add_pd(ed, md);
    __m256d g =
        _mm256_sub_pd(_mm256_mul_pd(lg2, _mm256_set1_pd(10.0 * 0.30102999566398120)), _mm256_set1_pd(VMC_MEL_BASE_DB));
    g = _mm256_add_pd(_mm256_div_pd(g, _mm256_set1_pd(VMC_MEL_STEP_DB)), _mm256_set1_pd(0.5));
    /* g < 1: 1, g > 255: 255, else (int)g (lanes off are masked below) */
    g = _mm256_min_pd(_mm256_max_pd(g, _mm256_set1_pd(1.0)), _mm256_set1_pd(255.0));
    const __m128i ci = _mm256_cvttpd_epi32(_mm256_and_pd(g, on));
    const __m128i base = _mm_max_epi32(_mm_sub_epi32(ci, _mm_set1_epi32(2)), _mm_setzero_si128());
    __m128i k = base;
    for (int i = 0; i < 4; i++) {
        const __m256d u =
            _mm256_mask_i32gather_pd(_mm256_setzero_pd(), m->up, _mm_add_epi32(base, _mm_set1_epi32(i)), on, 8);
        const __m256d le = _mm256_and_pd(on, _mm256_cmp_pd(u, p, _CMP_LE_OQ));
        /* 1.0 where the level is reached, 0 elsewhere, as four int32 */
        k = _mm_add_epi32(k, _mm_cvttps_epi32(_mm256_cvtpd_ps(_mm256_and_pd(le, _mm256_set1_pd(1.0)))));
    }
    /* the walk's lanes: p under the level below base, or at the fifth */
    const __m256d pos =
        _mm256_and_pd(on, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm_cmpgt_epi32(base, _mm_setzero_si128()))));
    const __m256d below =
        _mm256_mask_i32gather_pd(_mm256_setzero_pd(), m->up, _mm_sub_epi32(base, _mm_set1_epi32(1)), pos, 8);
    const __m256d fifth =
        _mm256_mask_i32gather_pd(_mm256_setzero_pd(), m->up, _mm_add_epi32(base, _mm_set1_epi32(4)), on, 8);
    const int walk = _mm256_movemask_pd(_mm256_or_pd(_mm256_and_pd(pos, _mm256_cmp_pd(p, below, _CMP_LT_OQ)),
                                                     _mm256_and_pd(on, _mm256_cmp_pd(p, fifth, _CMP_GE_OQ))));
    const int live = _mm256_movemask_pd(on);
    int kk[4];
    _mm_storeu_si128((__m128i *)kk, k);
    for (int l = 0; l < 4; l++)
        c[l] = !(live >> l & 1) ? 0 : walk >> l & 1 ? vmc_mel_code(m, t[l]) : (unsigned char)kk[l];
}

void vmc_mel_codes4_avx2(const VmcMelBands *m, unsigned char *const out[4], const double t[VMC_MEL_BANDS][4])
{
    for (int b = 0; b < VMC_MEL_BANDS; b++) {
        unsigned char c[4];
        codes4(m, c, t[b]);
        for (int l = 0; l < 4; l++) out[l][b] = c[l];
    }
}
