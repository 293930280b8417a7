/* The digit network's tile kernel with 8-lane AVX: built with -mavx into its
 * own object, called only when the CPU has AVX (features/digitnet.c asks).
 * Multiply then add, as the SSE2 and plain C paths: each output is the same
 * sum in the same order, so every path gives the same bits. */
#include "features/digitnet_kernels.h"

#include <immintrin.h>

/* Outputs [o0, o0 + 16) of the tile's four rows. */
static inline __attribute__((always_inline)) void block(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                                                        const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL],
                                                        const VmcDnUsed *u, int relu, size_t o0)
{
    const size_t O = (size_t)L->outputs, I = (size_t)L->inputs;
    const __m256 zero = _mm256_setzero_ps();
    const __m256 b0 = _mm256_loadu_ps(L->b + o0), b1 = _mm256_loadu_ps(L->b + o0 + 8);
    __m256 a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
    for (int j = 0; j < L->kernel; j++) {
        const float *wj = L->w + (size_t)j * I * O + o0;
        const float *x0 = rows[0][j], *x1 = rows[1][j], *x2 = rows[2][j], *x3 = rows[3][j];
        for (int wd = 0; wd < VMC_DN_MASK_WORDS; wd++)
            for (unsigned long long bits = u->m[j][wd]; bits; bits &= bits - 1) {
                const size_t i = 64 * (size_t)wd + (size_t)__builtin_ctzll(bits);
                const float *w = wj + i * O;
                const __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8);
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
    _mm256_storeu_ps(out[0] + o0, a00), _mm256_storeu_ps(out[0] + o0 + 8, a01);
    _mm256_storeu_ps(out[1] + o0, a10), _mm256_storeu_ps(out[1] + o0 + 8, a11);
    _mm256_storeu_ps(out[2] + o0, a20), _mm256_storeu_ps(out[2] + o0 + 8, a21);
    _mm256_storeu_ps(out[3] + o0, a30), _mm256_storeu_ps(out[3] + o0 + 8, a31);
}

size_t vmc_dn_tiles_avx(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                        const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu)
{
    size_t o0 = 0;
    for (; o0 + 16 <= (size_t)L->outputs; o0 += 16) block(L, out, rows, u, relu, o0);
    return o0;
}
