/* The digit network's tile kernel with 8-lane AVX: built with -mavx into its
 * own object, called only when the CPU has AVX (features/digitnet.c asks).
 * Multiply then add, as the SSE2 and plain C paths: each output is the same
 * sum in the same order, and a lane never sees its neighbours, so every
 * path gives the same bits.  It does every output of the layer, the last
 * 1-15 in masked vectors. */
#include "features/digitnet_kernels.h"

#include <immintrin.h>

/* Outputs [o0, o0 + 16) of the tile's four rows; with `masked`, only the
 * lanes of k0 and k1 are read and written (the last outputs of a layer
 * whose width is not a multiple of 16; the other lanes sum zeros). */
static inline __attribute__((always_inline)) void block(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                                                        const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL],
                                                        const VmcDnUsed *u, int relu, size_t o0, int masked, __m256i k0,
                                                        __m256i k1)
{
    const size_t O = (size_t)L->outputs, I = (size_t)L->inputs;
    const __m256 zero = _mm256_setzero_ps();
#define LOAD0(p) (masked ? _mm256_maskload_ps((p), k0) : _mm256_loadu_ps(p))
#define LOAD1(p) (masked ? _mm256_maskload_ps((p), k1) : _mm256_loadu_ps(p))
#define STORE0(p, v) (masked ? _mm256_maskstore_ps((p), k0, (v)) : _mm256_storeu_ps((p), (v)))
#define STORE1(p, v) (masked ? _mm256_maskstore_ps((p), k1, (v)) : _mm256_storeu_ps((p), (v)))
    const __m256 b0 = LOAD0(L->b + o0), b1 = LOAD1(L->b + o0 + 8);
    __m256 a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
    for (int j = 0; j < L->kernel; j++) {
        const float *wj = L->w + (size_t)j * I * O + o0;
        const float *x0 = rows[0][j], *x1 = rows[1][j], *x2 = rows[2][j], *x3 = rows[3][j];
        for (int wd = 0; wd < VMC_DN_MASK_WORDS; wd++)
            for (unsigned long long bits = u->m[j][wd]; bits; bits &= bits - 1) {
                const size_t i = 64 * (size_t)wd + (size_t)__builtin_ctzll(bits);
                const float *w = wj + i * O;
                const __m256 w0 = LOAD0(w), w1 = LOAD1(w + 8);
                __m256 v = _mm256_broadcast_ss(x0 + i);
                a00 = _mm256_add_ps(a00, _mm256_mul_ps(w0, v));
                a01 = _mm256_add_ps(a01, _mm256_mul_ps(w1, v));
                v = _mm256_broadcast_ss(x1 + i);
                a10 = _mm256_add_ps(a10, _mm256_mul_ps(w0, v));
                a11 = _mm256_add_ps(a11, _mm256_mul_ps(w1, v));
                v = _mm256_broadcast_ss(x2 + i);
                a20 = _mm256_add_ps(a20, _mm256_mul_ps(w0, v));
                a21 = _mm256_add_ps(a21, _mm256_mul_ps(w1, v));
                v = _mm256_broadcast_ss(x3 + i);
                a30 = _mm256_add_ps(a30, _mm256_mul_ps(w0, v));
                a31 = _mm256_add_ps(a31, _mm256_mul_ps(w1, v));
            }
    }
    if (relu) {
        a00 = _mm256_max_ps(a00, zero), a01 = _mm256_max_ps(a01, zero), a10 = _mm256_max_ps(a10, zero);
        a11 = _mm256_max_ps(a11, zero), a20 = _mm256_max_ps(a20, zero), a21 = _mm256_max_ps(a21, zero);
        a30 = _mm256_max_ps(a30, zero), a31 = _mm256_max_ps(a31, zero);
    }
    STORE0(out[0] + o0, a00), STORE1(out[0] + o0 + 8, a01);
    STORE0(out[1] + o0, a10), STORE1(out[1] + o0 + 8, a11);
    STORE0(out[2] + o0, a20), STORE1(out[2] + o0 + 8, a21);
    STORE0(out[3] + o0, a30), STORE1(out[3] + o0 + 8, a31);
#undef LOAD0
#undef LOAD1
#undef STORE0
#undef STORE1
}

size_t vmc_dn_tiles_avx(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                        const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu)
{
    const size_t O = (size_t)L->outputs;
    const __m256i all = _mm256_set1_epi32(-1);
    size_t o0 = 0;
    for (; o0 + 16 <= O; o0 += 16) block(L, out, rows, u, relu, o0, 0, all, all);
    if (o0 < O) { /* the last 1-15 outputs, lane k kept when o0 + k < O */
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const int left = (int)(O - o0);
        /* lane < left, as signed 32-bit compares in two 128-bit halves (AVX has no 256-bit integer compare) */
        const __m128i n0 = _mm_set1_epi32(left), n1 = _mm_set1_epi32(left - 8);
        const __m128i lo = _mm256_castsi256_si128(lane), hi = _mm256_extractf128_si256(lane, 1);
        const __m256i k0 =
            _mm256_insertf128_si256(_mm256_castsi128_si256(_mm_cmplt_epi32(lo, n0)), _mm_cmplt_epi32(hi, n0), 1);
        const __m256i k1 =
            _mm256_insertf128_si256(_mm256_castsi128_si256(_mm_cmplt_epi32(lo, n1)), _mm_cmplt_epi32(hi, n1), 1);
        block(L, out, rows, u, relu, o0, 1, k0, k1);
        o0 = O;
    }
    return o0;
}
