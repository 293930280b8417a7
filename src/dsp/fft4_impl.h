/* The body of the lane-parallel FFT (dsp/fft4.h), written once for any
 * number of lanes and included by dsp/fft4.c (four lanes, SSE) and
 * dsp/fft8_avx.c (eight lanes, built with -mavx): every lane of either does
 * the same operations in the same order, separate multiplies and adds, so
 * a frame's bins are the same bits whichever path took it.
 *
 * Before including, define VL (the lanes), the vector type V (VL floats)
 * and static inline void transpose(V r[VL]) (rows become columns); the
 * struct below is shared by both. */
#ifndef VMCHECK_FFT4_STRUCT
#define VMCHECK_FFT4_STRUCT

#define MAX_STAGES 32

struct VmcFft4 {
    size_t n, nc;                /* real length, complex length n/2 */
    int factors[2 * MAX_STAGES]; /* radix, remaining length; as kissfft's */
    int lanes;                   /* 4, or 8 where the CPU has AVX (vmc_fft4_power8) */
    VmcCpx *tw;                  /* nc twiddles exp(-2 pi i k / nc) */
    VmcCpx *super;               /* nc/2 twiddles of the real split */
    /* room for `lanes` lanes, 32-byte aligned: the packed input (then the
     * split bins or their powers, nc + 1), the transform (nc) */
    void *in, *out;
};

#endif

#ifdef VL

typedef struct {
    V r, i;
} CV;

/* m = a * b with b a scalar twiddle (C_MUL) */
static inline CV mul(CV a, VmcCpx b)
{
    CV m;
    m.r = a.r * b.re - a.i * b.im;
    m.i = a.r * b.im + a.i * b.re;
    return m;
}

static void bfly2(CV *out, size_t fstride, const VmcFft4 *st, size_t m)
{
    CV *out2 = out + m;
    const VmcCpx *tw1 = st->tw;
    for (size_t k = 0; k < m; k++) {
        CV t = mul(out2[k], *tw1);
        tw1 += fstride;
        out2[k].r = out[k].r - t.r;
        out2[k].i = out[k].i - t.i;
        out[k].r += t.r;
        out[k].i += t.i;
    }
}

static void bfly3(CV *out, size_t fstride, const VmcFft4 *st, size_t m)
{
    const size_t m2 = 2 * m;
    const VmcCpx *tw1 = st->tw, *tw2 = st->tw;
    const float epi3 = st->tw[fstride * m].im;
    for (size_t k = 0; k < m; k++) {
        CV *o = out + k;
        CV s0, s1 = mul(o[m], *tw1), s2 = mul(o[m2], *tw2), s3;
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

static void bfly4(CV *out, size_t fstride, const VmcFft4 *st, size_t m)
{
    const VmcCpx *tw1 = st->tw, *tw2 = st->tw, *tw3 = st->tw;
    const size_t m2 = 2 * m, m3 = 3 * m;
    for (size_t k = 0; k < m; k++) {
        CV *o = out + k;
        CV s0 = mul(o[m], *tw1), s1 = mul(o[m2], *tw2), s2 = mul(o[m3], *tw3), s3, s4, s5;
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
static void work(CV *out, const CV *in, size_t fstride, const int *factors, const VmcFft4 *st)
{
    const int p = factors[0], m = factors[1];
    CV *const beg = out, *const end = out + p * m;
    if (m == 1) {
        do {
            /* vector by vector: a struct copy goes 16 bytes at a time,
             * and the butterfly's wider loads of them would wait for the
             * stores (no store forwarding) */
            out->r = in->r;
            out->i = in->i;
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

static inline V loadv(const float *p)
{
    V v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline float lane(V v, int k)
{
    float x[VL];
    memcpy(x, &v, sizeof(x));
    return x[k];
}

/* The half-length complex transform of the packed inputs, into f->out. */
static void transform(VmcFft4 *f, const float *const in[VL])
{
    /* the real samples as nc complex ones (kiss_fftr's packing), lane k =
     * transform k: VL/2 complex samples of each input per transpose */
    CV *x = f->in;
    size_t j = 0;
    for (; j + VL / 2 <= f->nc; j += VL / 2) {
        V r[VL];
        for (int l = 0; l < VL; l++) r[l] = loadv(in[l] + 2 * j);
        transpose(r);
        for (int t = 0; t < VL / 2; t++) x[j + (size_t)t].r = r[2 * t], x[j + (size_t)t].i = r[2 * t + 1];
    }
    for (; j < f->nc; j++) {
        float re[VL], im[VL];
        for (int l = 0; l < VL; l++) re[l] = in[l][2 * j], im[l] = in[l][2 * j + 1];
        memcpy(&x[j].r, re, sizeof(re));
        memcpy(&x[j].i, im, sizeof(im));
    }
    work(f->out, x, 1, f->factors, f);
}

/* kiss_fftr's split of bin k and nc - k: a = X[k], b = X[nc - k] */
static inline void split(const VmcFft4 *f, size_t k, CV *a, CV *b)
{
    const CV *t = f->out;
    const size_t nc = f->nc;
    CV fpk = t[k], fpnk, f1k, f2k, tw;
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

/* kiss_fftr's nc + 1 complex bins of each lane's transform, into out[l]. */
static void lanes_forward(VmcFft4 *f, VmcCpx *const out[VL], const float *const in[VL])
{
    const size_t nc = f->nc;
    transform(f, in);
    const CV *t = f->out;
    /* every bin's lanes side by side (in f->in, free once transformed),
     * then out VL/2 bins at a time through a transpose: a lane's row is its
     * bins' (re, im) pairs */
    CV *x = f->in;
    const V zero = {0};
    x[0].r = t[0].r + t[0].i;
    x[0].i = zero;
    x[nc].r = t[0].r - t[0].i;
    x[nc].i = zero;
    for (size_t k = 1; k <= nc / 2; k++) split(f, k, &x[k], &x[nc - k]);
    size_t k = 0;
    for (; k + VL / 2 <= nc + 1; k += VL / 2) {
        V r[VL];
        for (int t2 = 0; t2 < VL / 2; t2++) r[2 * t2] = x[k + (size_t)t2].r, r[2 * t2 + 1] = x[k + (size_t)t2].i;
        transpose(r);
        for (int l = 0; l < VL; l++) memcpy(out[l] + k, &r[l], sizeof(r[l]));
    }
    for (; k <= nc; k++)
        for (int l = 0; l < VL; l++) out[l][k] = (VmcCpx){lane(x[k].r, l), lane(x[k].i, l)};
}

/* Each lane's n/2 + 1 powers, into power[l]. */
static void lanes_power(VmcFft4 *f, float *const power[VL], const float *const in[VL])
{
    const size_t nc = f->nc;
    transform(f, in);
    const CV *t = f->out;
    /* every bin's powers side by side (in f->in, free once transformed:
     * less room in the cache), then out VL bins at a time through a
     * transpose */
    V *pw = f->in;
    const V dr = t[0].r + t[0].i, nr = t[0].r - t[0].i;
    pw[0] = dr * dr;
    pw[nc] = nr * nr;
    for (size_t k = 1; k <= nc / 2; k++) {
        CV a, b;
        split(f, k, &a, &b);
        pw[k] = a.r * a.r + a.i * a.i;
        pw[nc - k] = b.r * b.r + b.i * b.i;
    }
    size_t k = 0;
    for (; k + VL <= nc + 1; k += VL) {
        V r[VL];
        for (int l = 0; l < VL; l++) r[l] = pw[k + (size_t)l];
        transpose(r);
        for (int l = 0; l < VL; l++) memcpy(power[l] + k, &r[l], sizeof(r[l]));
    }
    for (; k <= nc; k++)
        for (int l = 0; l < VL; l++) power[l][k] = lane(pw[k], l);
}

#endif
