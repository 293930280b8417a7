#include "dsp/fft4.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#if defined(VMC_HAVE_AVX)
#include "dsp/fft8_avx.h"
#endif

#ifdef __SSE__
#include <xmmintrin.h>
#endif

typedef float v4 __attribute__((vector_size(16)));

/* Rows become columns (a 4 x 4 transpose in registers). */
static inline void transpose(v4 r[4])
{
#ifdef __SSE__
    __m128 w = (__m128)r[0], x = (__m128)r[1], y = (__m128)r[2], z = (__m128)r[3];
    _MM_TRANSPOSE4_PS(w, x, y, z);
    r[0] = (v4)w, r[1] = (v4)x, r[2] = (v4)y, r[3] = (v4)z;
#else
    float m[4][4];
    memcpy(m, r, sizeof(m));
    for (int i = 0; i < 4; i++) r[i] = (v4){m[0][i], m[1][i], m[2][i], m[3][i]};
#endif
}

#define VL 4
#define V v4
#include "dsp/fft4_impl.h"

/* kissfft's factorisation: 4s first, then 2s, then odd primes; a prime
 * over sqrt(n) ends it. */
static int factor(int n, int *fac)
{
    int p = 4, k = 0;
    const double floor_sqrt = floor(sqrt((double)n));
    do {
        while (n % p) {
            switch (p) {
            case 4: p = 2; break;
            case 2: p = 3; break;
            default: p += 2; break;
            }
            if (p > floor_sqrt) p = n;
        }
        if (p > 4 || k >= 2 * MAX_STAGES - 2) return -1;
        n /= p;
        fac[k++] = p;
        fac[k++] = n;
    } while (n > 1);
    return 0;
}

int vmc_fft4_allowed = 1;
int vmc_fft8_allowed = 1;

VmcFft4 *vmc_fft4_create(size_t n)
{
    if (!vmc_fft4_allowed || n < 4 || n % 2 || n > (1u << 20)) return NULL;
    VmcFft4 *f = vmc_calloc(1, sizeof(*f));
    if (!f) return NULL;
    f->n = n;
    f->nc = n / 2;
    if (factor((int)f->nc, f->factors)) {
        free(f);
        return NULL;
    }
    f->tw = vmc_calloc(f->nc, sizeof(VmcCpx));
    f->super = vmc_calloc(f->nc / 2 + 1, sizeof(VmcCpx));
    f->lanes = 4;
#if defined(VMC_HAVE_AVX)
    if (vmc_fft8_allowed && __builtin_cpu_supports("avx")) f->lanes = 8;
#endif
    /* a lane's complex number is 8 bytes, its power 4; aligned_alloc wants
     * a multiple of the alignment */
    const size_t lanes = (size_t)f->lanes, room = (f->nc + 2) * lanes * 8;
    f->in = aligned_alloc(32, room);
    f->out = aligned_alloc(32, room);
    if (!f->tw || !f->super || !f->in || !f->out) {
        vmc_fft4_destroy(&f);
        return NULL;
    }
    const double pi = 3.141592653589793238462643383279502884197169399375105820974944;
    for (size_t i = 0; i < f->nc; i++) {
        const double phase = -2 * pi * (double)i / (double)f->nc;
        f->tw[i].re = (float)cos(phase);
        f->tw[i].im = (float)sin(phase);
    }
    for (size_t i = 0; i < f->nc / 2; i++) {
        const double phase = -3.14159265358979323846264338327 * ((double)(i + 1) / (double)f->nc + .5);
        f->super[i].re = (float)cos(phase);
        f->super[i].im = (float)sin(phase);
    }
    return f;
}

void vmc_fft4_destroy(VmcFft4 **pf)
{
    if (!pf || !*pf) return;
    VmcFft4 *f = *pf;
    free(f->tw);
    free(f->super);
    free(f->in);
    free(f->out);
    free(f);
    *pf = NULL;
}

void vmc_fft4_forward(VmcFft4 *f, VmcCpx *const out[4], const float *const in[4]) { lanes_forward(f, out, in); }

void vmc_fft4_power(VmcFft4 *f, float *const power[4], const float *const in[4]) { lanes_power(f, power, in); }

int vmc_fft4_lanes8(const VmcFft4 *f) { return f->lanes == 8; }

void vmc_fft4_forward8(VmcFft4 *f, VmcCpx *const out[8], const float *const in[8])
{
#if defined(VMC_HAVE_AVX)
    if (f->lanes == 8) {
        vmc_fft8_forward_avx(f, out, in);
        return;
    }
#endif
    vmc_fft4_forward(f, out, in);
    vmc_fft4_forward(f, out + 4, in + 4);
}

void vmc_fft4_power8(VmcFft4 *f, float *const power[8], const float *const in[8])
{
#if defined(VMC_HAVE_AVX)
    if (f->lanes == 8) {
        vmc_fft8_power_avx(f, power, in);
        return;
    }
#endif
    vmc_fft4_power(f, power, in);
    vmc_fft4_power(f, power + 4, in + 4);
}
