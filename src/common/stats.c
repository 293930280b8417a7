#include "common/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/common.h"

/* k-th smallest of v[0..n) (Hoare's quickselect, median-of-three pivot);
 * reorders v. */
static float select_k(float *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        float a = v[lo], b = v[mid], c = v[hi];
        float pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

int vmc_percentiles_in(double *out, const float *v, const unsigned char *keep, size_t n, const double *ps, size_t np,
                       float *tmp)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!keep || keep[i]) tmp[m++] = v[i];
    if (m == 0) return VMCHECK_EEMPTY;
    for (size_t j = 0; j < np; j++) {
        double p = ps[j] < 0.0 ? 0.0 : ps[j] > 100.0 ? 100.0 : ps[j];
        double r = p / 100.0 * (double)(m - 1);
        size_t lo = (size_t)floor(r);
        double f = r - (double)lo;
        double a = (double)select_k(tmp, m, lo);
        double b = a;
        if (f > 0.0 && lo + 1 < m) {
            /* the next order statistic: the smallest of what lies above lo */
            float nb = tmp[lo + 1];
            for (size_t i = lo + 1; i < m; i++)
                if (tmp[i] < nb) nb = tmp[i];
            b = (double)nb;
        }
        out[j] = a * (1.0 - f) + b * f;
    }
    return VMCHECK_OK;
}

int vmc_percentiles(double *out, const float *v, const unsigned char *keep, size_t n, const double *ps, size_t np)
{
    float *tmp = vmc_calloc(n ? n : 1, sizeof(float));
    if (!tmp) return VMCHECK_ENOMEM;
    int r = vmc_percentiles_in(out, v, keep, n, ps, np, tmp);
    free(tmp);
    return r;
}

typedef struct Pair {
    float v, w;
} Pair;

static int cmp_pair(const void *a, const void *b)
{
    float x = ((const Pair *)a)->v, y = ((const Pair *)b)->v;
    return (x > y) - (x < y);
}

int vmc_weighted_percentiles(double *out, const float *v, const float *w, const unsigned char *keep, size_t n,
                             const double *ps, size_t np)
{
    Pair *t = vmc_calloc(n, sizeof(Pair));
    if (!t) return VMCHECK_ENOMEM;
    size_t m = 0;
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        if ((!keep || keep[i]) && w[i] > 0.0f) {
            t[m++] = (Pair){v[i], w[i]};
            total += (double)w[i];
        }
    if (m == 0) {
        free(t);
        return VMCHECK_EEMPTY;
    }
    qsort(t, m, sizeof(Pair), cmp_pair);
    for (size_t j = 0; j < np; j++) {
        double target = (ps[j] < 0.0 ? 0.0 : ps[j] > 100.0 ? 100.0 : ps[j]) / 100.0 * total;
        double acc = 0.0;
        size_t i = 0;
        for (; i + 1 < m; i++) {
            acc += (double)t[i].w;
            if (acc >= target) break;
        }
        out[j] = (double)t[i].v;
    }
    free(t);
    return VMCHECK_OK;
}

int vmc_sliding_max(float *out, const float *v, const unsigned char *keep, size_t n, size_t before, size_t after,
                    float empty)
{
    if (!n) return VMCHECK_OK;
    /* indices of candidates for the maximum, their values decreasing, in a
     * ring: what it holds lies within one window (before + 1 + after) of
     * the frame, and one more is pushed before the oldest leaves, so
     * memory follows the window, not the recording (32 bits: a track of
     * the longest recording has some millions of frames) */
    if (n > UINT32_MAX) return VMCHECK_EINVAL;
    const size_t need = before < n && after < n && before + after + 2 < n ? before + after + 2 : n;
    size_t cap = 1;
    while (cap < need) cap <<= 1;
    const size_t mask = cap - 1;
    uint32_t *q = vmc_calloc(cap, sizeof(uint32_t));
    if (!q) return VMCHECK_ENOMEM;
    size_t head = 0, tail = 0, next = 0; /* positions counted from the start; slot = position & mask */
    for (size_t i = 0; i < n; i++) {
        const size_t hi = after < n - i ? i + after : n - 1;
        for (; next <= hi; next++) {
            if (keep && !keep[next]) continue;
            while (tail > head && v[q[(tail - 1) & mask]] <= v[next]) tail--;
            q[tail++ & mask] = (uint32_t)next;
        }
        while (tail > head && q[head & mask] + before < i) head++;
        out[i] = tail > head ? v[q[head & mask]] : empty;
    }
    free(q);
    return VMCHECK_OK;
}
