#include "dsp/fft4.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#ifdef __SSE__
#include <xmmintrin.h>
#endif

typedef float v4 __attribute__((vector_size(16)));
typedef struct {
    v4 r, i;
} C4;

#define MAX_STAGES 32

struct VmcFft4 {
    size_t n, nc;                /* real length, complex length n/2 */
    int factors[2 * MAX_STAGES]; /* radix, remaining length; as kissfft's */
    VmcCpx *tw;                  /* nc twiddles exp(-2 pi i k / nc) */
    VmcCpx *super;               /* nc/2 twiddles of the real split */
    C4 *in, *out;
    v4 *pw; /* nc + 1 bins' powers */
};

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
    f->in = aligned_alloc(16, f->nc * sizeof(C4));
    f->out = aligned_alloc(16, f->nc * sizeof(C4));
    f->pw = aligned_alloc(16, (f->nc + 1) * sizeof(v4));
    if (!f->tw || !f->super || !f->in || !f->out || !f->pw) {
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
    free(f->pw);
    free(f);
    *pf = NULL;
}

/* m = a * b with b a scalar twiddle (C_MUL) */
static inline C4 mul(C4 a, VmcCpx b)
{
    C4 m;
    m.r = a.r * b.re - a.i * b.im;
    m.i = a.r * b.im + a.i * b.re;
    return m;
}

static void bfly2(C4 *out, size_t fstride, const VmcFft4 *st, size_t m)
{
    C4 *out2 = out + m;
    const VmcCpx *tw1 = st->tw;
    for (size_t k = 0; k < m; k++) {
        C4 t = mul(out2[k], *tw1);
        tw1 += fstride;
        out2[k].r = out[k].r - t.r;
        out2[k].i = out[k].i - t.i;
        out[k].r += t.r;
        out[k].i += t.i;
    }
}

static void bfly3(C4 *out, size_t fstride, const VmcFft4 *st, size_t m)
{
    const size_t m2 = 2 * m;
    const VmcCpx *tw1 = st->tw, *tw2 = st->tw;
    const float epi3 = st->tw[fstride * m].im;
    for (size_t k = 0; k < m; k++) {
        C4 *o = out + k;
        C4 s0, s1 = mul(o[m], *tw1), s2 = mul(o[m2], *tw2), s3;
        s3.r = s1.r + s2.r;
        s3.i = s1.i + s2.i;
        s0.r = s1.r - s2.r;
        s0.i = s1.i - s2.i;
        tw1 += fstride;
        tw2 += fstride * 2;
        o[m].r = o[0].r - s3.r * 0.5f;
        o[m].i = o[0].i - s3.i * 0.5f;
        s0.r *= epi3;
        s0.i *= epi3;
        o[0].r += s3.r;
        o[0].i += s3.i;
        o[m2].r = o[m].r + s0.i;
        o[m2].i = o[m].i - s0.r;
        o[m].r -= s0.i;
        o[m].i += s0.r;
    }
}

static void bfly4(C4 *out, size_t fstride, const VmcFft4 *st, size_t m)
{
    const VmcCpx *tw1 = st->tw, *tw2 = st->tw, *tw3 = st->tw;
    const size_t m2 = 2 * m, m3 = 3 * m;
    for (size_t k = 0; k < m; k++) {
        C4 *o = out + k;
        C4 s0 = mul(o[m], *tw1), s1 = mul(o[m2], *tw2), s2 = mul(o[m3], *tw3), s3, s4, s5;
        s5.r = o[0].r - s1.r;
        s5.i = o[0].i - s1.i;
        o[0].r += s1.r;
        o[0].i += s1.i;
        s3.r = s0.r + s2.r;
        s3.i = s0.i + s2.i;
        s4.r = s0.r - s2.r;
        s4.i = s0.i - s2.i;
        o[m2].r = o[0].r - s3.r;
        o[m2].i = o[0].i - s3.i;
        tw1 += fstride;
        tw2 += fstride * 2;
        tw3 += fstride * 3;
        o[0].r += s3.r;
        o[0].i += s3.i;
        o[m].r = s5.r + s4.i;
        o[m].i = s5.i - s4.r;
        o[m3].r = s5.r - s4.i;
        o[m3].i = s5.i + s4.r;
    }
}

/* kf_work: p transforms of length m on the decimated input, recombined */
static void work(C4 *out, const C4 *in, size_t fstride, const int *factors, const VmcFft4 *st)
{
    const int p = factors[0], m = factors[1];
    C4 *const beg = out, *const end = out + p * m;
    if (m == 1) {
        do {
            *out = *in;
            in += fstride;
        } while (++out != end);
    } else {
        do {
            work(out, in, fstride * (size_t)p, factors + 2, st);
            in += fstride;
        } while ((out += m) != end);
    }
    switch (p) {
    case 2: bfly2(beg, fstride, st, (size_t)m); break;
    case 3: bfly3(beg, fstride, st, (size_t)m); break;
    default: bfly4(beg, fstride, st, (size_t)m); break;
    }
}

static inline float lane(v4 v, int k)
{
    float x[4];
    memcpy(x, &v, sizeof(x));
    return x[k];
}

/* Rows a, b, c, d become columns (a 4 x 4 transpose in registers). */
static inline void transpose(v4 *a, v4 *b, v4 *c, v4 *d)
{
#ifdef __SSE__
    __m128 w = (__m128)*a, x = (__m128)*b, y = (__m128)*c, z = (__m128)*d;
    _MM_TRANSPOSE4_PS(w, x, y, z);
    *a = (v4)w, *b = (v4)x, *c = (v4)y, *d = (v4)z;
#else
    float m[4][4];
    memcpy(m[0], a, 16), memcpy(m[1], b, 16), memcpy(m[2], c, 16), memcpy(m[3], d, 16);
    *a = (v4){m[0][0], m[1][0], m[2][0], m[3][0]};
    *b = (v4){m[0][1], m[1][1], m[2][1], m[3][1]};
    *c = (v4){m[0][2], m[1][2], m[2][2], m[3][2]};
    *d = (v4){m[0][3], m[1][3], m[2][3], m[3][3]};
#endif
}

static inline v4 load4(const float *p)
{
    v4 v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* The half-length complex transform of the four packed inputs, into f->out. */
static void transform(VmcFft4 *f, const float *const in[4])
{
    /* the real samples as nc complex ones (kiss_fftr's packing), lane k =
     * transform k: two complex samples of each input per transpose */
    size_t j = 0;
    for (; j + 2 <= f->nc; j += 2) {
        v4 a = load4(in[0] + 2 * j), b = load4(in[1] + 2 * j), c = load4(in[2] + 2 * j), d = load4(in[3] + 2 * j);
        transpose(&a, &b, &c, &d);
        f->in[j].r = a, f->in[j].i = b, f->in[j + 1].r = c, f->in[j + 1].i = d;
    }
    for (; j < f->nc; j++) {
        f->in[j].r = (v4){in[0][2 * j], in[1][2 * j], in[2][2 * j], in[3][2 * j]};
        f->in[j].i = (v4){in[0][2 * j + 1], in[1][2 * j + 1], in[2][2 * j + 1], in[3][2 * j + 1]};
    }
    work(f->out, f->in, 1, f->factors, f);
}

/* kiss_fftr's split of bin k and nc - k: a = X[k], b = X[nc - k] */
static inline void split(const VmcFft4 *f, size_t k, C4 *a, C4 *b)
{
    const C4 *t = f->out;
    const size_t nc = f->nc;
    C4 fpk = t[k], fpnk, f1k, f2k, tw;
    fpnk.r = t[nc - k].r;
    fpnk.i = -t[nc - k].i;
    f1k.r = fpk.r + fpnk.r;
    f1k.i = fpk.i + fpnk.i;
    f2k.r = fpk.r - fpnk.r;
    f2k.i = fpk.i - fpnk.i;
    tw = mul(f2k, f->super[k - 1]);
    a->r = (f1k.r + tw.r) * 0.5f;
    a->i = (f1k.i + tw.i) * 0.5f;
    b->r = (f1k.r - tw.r) * 0.5f;
    b->i = (tw.i - f1k.i) * 0.5f;
}

void vmc_fft4_forward(VmcFft4 *f, VmcCpx *const out[4], const float *const in[4])
{
    const size_t nc = f->nc;
    transform(f, in);
    const C4 *t = f->out;
    const v4 dr = t[0].r + t[0].i, nr = t[0].r - t[0].i;
    for (int l = 0; l < 4; l++) {
        out[l][0] = (VmcCpx){lane(dr, l), 0.0f};
        out[l][nc] = (VmcCpx){lane(nr, l), 0.0f};
    }
    for (size_t k = 1; k <= nc / 2; k++) {
        C4 a, b;
        split(f, k, &a, &b);
        for (int l = 0; l < 4; l++) {
            out[l][k] = (VmcCpx){lane(a.r, l), lane(a.i, l)};
            out[l][nc - k] = (VmcCpx){lane(b.r, l), lane(b.i, l)};
        }
    }
}

void vmc_fft4_power(VmcFft4 *f, float *const power[4], const float *const in[4])
{
    const size_t nc = f->nc;
    transform(f, in);
    const C4 *t = f->out;
    /* every bin's four powers side by side, then out four bins at a time
     * through a transpose */
    v4 *pw = f->pw;
    const v4 dr = t[0].r + t[0].i, nr = t[0].r - t[0].i;
    pw[0] = dr * dr;
    pw[nc] = nr * nr;
    for (size_t k = 1; k <= nc / 2; k++) {
        C4 a, b;
        split(f, k, &a, &b);
        pw[k] = a.r * a.r + a.i * a.i;
        pw[nc - k] = b.r * b.r + b.i * b.i;
    }
    size_t k = 0;
    for (; k + 4 <= nc + 1; k += 4) {
        v4 a = pw[k], b = pw[k + 1], c = pw[k + 2], d = pw[k + 3];
        transpose(&a, &b, &c, &d);
        memcpy(power[0] + k, &a, sizeof(a));
        memcpy(power[1] + k, &b, sizeof(b));
        memcpy(power[2] + k, &c, sizeof(c));
        memcpy(power[3] + k, &d, sizeof(d));
    }
    for (; k <= nc; k++)
        for (int l = 0; l < 4; l++) power[l][k] = lane(pw[k], l);
}
