#include "dsp/framer.h"

#include <math.h>
#include <string.h>

#include "common/common.h"

struct VmcFramer {
    double rate, hop;
    size_t win, chunk;
    float *buf; /* samples [base, base + len) */
    long long base;
    size_t len, cap;
    size_t next;             /* index of the next frame */
    unsigned long long n_in; /* samples pushed */
};

static long long centre(const VmcFramer *f, size_t i) { return (long long)floor((double)i * f->rate * f->hop + 0.5); }

VmcFramer *vmc_framer_create(double rate_hz, double hop_s, size_t win, size_t chunk)
{
    if (!(rate_hz > 0.0) || !(hop_s > 0.0) || win < 2 || win % 2 || chunk == 0) return NULL;
    if ((double)(win / 2) < rate_hz * hop_s) return NULL; /* win < hop would skip samples */
    VmcFramer *f = vmc_calloc(1, sizeof(*f));
    if (!f) return NULL;
    f->rate = rate_hz;
    f->hop = hop_s;
    f->win = win;
    f->chunk = chunk;
    f->cap = win + chunk + 2;
    f->buf = vmc_calloc(f->cap, sizeof(float));
    if (!f->buf) {
        free(f);
        return NULL;
    }
    f->base = -(long long)(win / 2); /* zeros before time 0 */
    f->len = win / 2;
    return f;
}

void vmc_framer_destroy(VmcFramer **pf)
{
    if (!pf || !*pf) return;
    free((*pf)->buf);
    free(*pf);
    *pf = NULL;
}

size_t vmc_framer_count(const VmcFramer *f) { return f->next; }

long long vmc_framer_start(const VmcFramer *f, size_t i) { return centre(f, i) - (long long)(f->win / 2); }

static int emit(VmcFramer *f, VmcFrameFn fn, void *ctx, long long limit)
{
    const long long half = (long long)(f->win / 2);
    for (;;) {
        long long c = centre(f, f->next);
        if (c >= limit || c + half > f->base + (long long)f->len) break;
        int r = fn(ctx, f->buf + (c - half - f->base), f->next);
        f->next++;
        if (r) return r;
    }
    long long keep_from = centre(f, f->next) - half;
    if (keep_from > f->base) {
        size_t drop = (size_t)(keep_from - f->base);
        if (drop > f->len) drop = f->len;
        memmove(f->buf, f->buf + drop, (f->len - drop) * sizeof(float));
        f->len -= drop;
        f->base += (long long)drop;
    }
    return 0;
}

int vmc_framer_push(VmcFramer *f, const float *x, size_t n, VmcFrameFn fn, void *ctx)
{
    if (n > f->chunk) n = f->chunk;
    memcpy(f->buf + f->len, x, n * sizeof(float));
    f->len += n;
    f->n_in += n;
    return emit(f, fn, ctx, (long long)f->n_in + (long long)f->win);
}

int vmc_framer_flush(VmcFramer *f, VmcFrameFn fn, void *ctx)
{
    const long long end = (long long)f->n_in;
    for (;;) {
        if (centre(f, f->next) >= end) return 0;
        size_t z = f->cap - f->len;
        if (z > f->chunk) z = f->chunk;
        memset(f->buf + f->len, 0, z * sizeof(float));
        f->len += z;
        int r = emit(f, fn, ctx, end);
        if (r) return r;
    }
}
