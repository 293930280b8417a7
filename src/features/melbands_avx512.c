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

/* vmc_mel_code of eight mean squares: the same first guess (the binary
 * exponent, getexp, plus the mantissa less one, getmant - 1, both exact, so
 * the same sum as the scalar code's bit fields), the same four levels
 * counted, and the scalar code itself for a lane where they do not decide
 * (never, but the scalar code has the walk for it). */
static void codes8(const VmcMelBands *m, unsigned char *c8, const double *t)
{
    const __m512d p = _mm512_loadu_pd(t);
    const __mmask8 on = _mm512_cmp_pd_mask(p, _mm512_set1_pd(m->up[0]), _CMP_GE_OQ); /* else code 0 */
    const __m512d lg2 =
        _mm512_add_pd(_mm512_getexp_pd(p),
                      _mm512_sub_pd(_mm512_getmant_pd(p, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src), _mm512_set1_pd(1.0)));
    __m512d g =
        _mm512_sub_pd(_mm512_mul_pd(lg2, _mm512_set1_pd(10.0 * 0.30102999566398120)), _mm512_set1_pd(VMC_MEL_BASE_DB));
    g = _mm512_add_pd(_mm512_div_pd(g, _mm512_set1_pd(VMC_MEL_STEP_DB)), _mm512_set1_pd(0.5));
    /* g < 1: 1, g > 255: 255, else (int)g */
    g = _mm512_min_pd(_mm512_max_pd(g, _mm512_set1_pd(1.0)), _mm512_set1_pd(255.0));
    const __m512i c = _mm512_castsi256_si512(_mm512_cvttpd_epi32(g));
    const __m512i base = _mm512_max_epi32(_mm512_sub_epi32(c, _mm512_set1_epi32(2)), _mm512_setzero_si512());
    const __m256i b8 = _mm512_castsi512_si256(base);
    __m512i k = base;
    for (int i = 0; i < 4; i++) {
        const __m512d u =
            _mm512_mask_i32gather_pd(_mm512_set1_pd(0.0), on, _mm256_add_epi32(b8, _mm256_set1_epi32(i)), m->up, 8);
        const __mmask8 le = _mm512_mask_cmp_pd_mask(on, u, p, _CMP_LE_OQ);
        k = _mm512_mask_add_epi32(k, (__mmask16)le, k, _mm512_set1_epi32(1));
    }
    /* the walk's lanes: p under the level below base, or at the fifth */
    const __mmask8 pos = on & (__mmask8)_mm512_cmpgt_epi32_mask(base, _mm512_setzero_si512());
    const __m512d below =
        _mm512_mask_i32gather_pd(_mm512_set1_pd(0.0), pos, _mm256_sub_epi32(b8, _mm256_set1_epi32(1)), m->up, 8);
    const __m512d fifth =
        _mm512_mask_i32gather_pd(_mm512_set1_pd(0.0), on, _mm256_add_epi32(b8, _mm256_set1_epi32(4)), m->up, 8);
    const __mmask8 walk =
        _mm512_mask_cmp_pd_mask(pos, p, below, _CMP_LT_OQ) | _mm512_mask_cmp_pd_mask(on, p, fifth, _CMP_GE_OQ);
    k = _mm512_maskz_mov_epi32((__mmask16)on, k);
    _mm_storel_epi64((__m128i *)c8, _mm512_cvtepi32_epi8(k));
    for (int l = 0; l < 8; l++)
        if (walk >> l & 1) c8[l] = vmc_mel_code(m, t[l]);
}

void vmc_mel_codes4_avx512(const VmcMelBands *m, unsigned char *const out[4], const double t[VMC_MEL_BANDS][4])
{
    unsigned char c[4 * VMC_MEL_BANDS];
    for (int i = 0; i < 4 * VMC_MEL_BANDS; i += 8) codes8(m, c + i, &t[0][0] + i);
    for (int b = 0; b < VMC_MEL_BANDS; b++)
        for (int l = 0; l < 4; l++) out[l][b] = c[4 * b + l];
}
