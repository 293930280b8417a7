/* The digit network's tile kernel with 16-lane AVX-512F: built with
 * -mavx512f -ffp-contract=off into its own object, called only when the CPU
 * has AVX-512F (features/digitnet.c asks).  Up to 64 outputs of the tile's
 * four rows at a time (16 accumulators), and the outputs past the last
 * whole 16 in one masked vector, so it does every output of the layer.
 * Multiply then add, as the AVX, SSE2 and plain C paths: each output is the
 * same sum in the same order (bias, then tap by tap, input by input), and a
 * lane never sees its neighbours, so every path gives the same bits. */
#include "features/digitnet_kernels.h"

#include <immintrin.h>

/* V vectors of 16 outputs from o0 (the last one only the lanes of `last`)
 * for the tile's four rows; V is a constant where it is inlined, so the
 * accumulators stay in registers. */
static inline __attribute__((always_inline)) void tile(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                                                       const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL],
                                                       const VmcDnUsed *u, int relu, size_t o0, int V, __mmask16 last)
{
    const size_t O = (size_t)L->outputs, I = (size_t)L->inputs;
    __mmask16 m[4];
    for (int v = 0; v < 4; v++) m[v] = v == V - 1 ? last : (__mmask16)0xffff;
    __m512 a[VMC_DN_TILE_R][4];
    for (int v = 0; v < V; v++) {
        const __m512 b = _mm512_maskz_loadu_ps(m[v], L->b + o0 + 16 * v);
        for (int r = 0; r < VMC_DN_TILE_R; r++) a[r][v] = b;
    }
    for (int j = 0; j < L->kernel; j++) {
        const float *wj = L->w + (size_t)j * I * O + o0;
        const float *x0 = rows[0][j], *x1 = rows[1][j], *x2 = rows[2][j], *x3 = rows[3][j];
        for (int wd = 0; wd < VMC_DN_MASK_WORDS; wd++)
            for (unsigned long long bits = u->m[j][wd]; bits; bits &= bits - 1) {
                const size_t i = 64 * (size_t)wd + (size_t)__builtin_ctzll(bits);
                const float *w = wj + i * O;
                __m512 wv[4];
                for (int v = 0; v < V; v++) wv[v] = _mm512_maskz_loadu_ps(m[v], w + 16 * v);
                __m512 x = _mm512_set1_ps(x0[i]);
                for (int v = 0; v < V; v++) a[0][v] = _mm512_add_ps(a[0][v], _mm512_mul_ps(wv[v], x));
                x = _mm512_set1_ps(x1[i]);
                for (int v = 0; v < V; v++) a[1][v] = _mm512_add_ps(a[1][v], _mm512_mul_ps(wv[v], x));
                x = _mm512_set1_ps(x2[i]);
                for (int v = 0; v < V; v++) a[2][v] = _mm512_add_ps(a[2][v], _mm512_mul_ps(wv[v], x));
                x = _mm512_set1_ps(x3[i]);
                for (int v = 0; v < V; v++) a[3][v] = _mm512_add_ps(a[3][v], _mm512_mul_ps(wv[v], x));
            }
    }
    const __m512 zero = _mm512_setzero_ps();
    for (int r = 0; r < VMC_DN_TILE_R; r++)
        for (int v = 0; v < V; v++) {
            /* max(a, 0) as maxps: a > 0 ? a : 0, as the other paths */
            const __m512 y = relu ? _mm512_max_ps(a[r][v], zero) : a[r][v];
            _mm512_mask_storeu_ps(out[r] + o0 + 16 * v, m[v], y);
        }
}

size_t vmc_dn_tiles_avx512(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                           const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu)
{
    const size_t O = (size_t)L->outputs;
    size_t o0 = 0;
    for (; o0 + 64 <= O; o0 += 64) tile(L, out, rows, u, relu, o0, 4, 0xffff);
    const size_t left = O - o0; /* 0 to 63 */
    if (left) {
        const __mmask16 last = (__mmask16)(left % 16 ? (1u << (left % 16)) - 1u : 0xffffu);
        switch ((left + 15) / 16) {
        case 1: tile(L, out, rows, u, relu, o0, 1, last); break;
        case 2: tile(L, out, rows, u, relu, o0, 2, last); break;
        case 3: tile(L, out, rows, u, relu, o0, 3, last); break;
        default: tile(L, out, rows, u, relu, o0, 4, last); break;
        }
    }
    return O;
}
