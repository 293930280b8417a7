#include "common/stats.h"

#include <math.h>
#include <stdlib.h>

#include "common/common.h"

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int vmc_percentiles(double *out, const float *v, const unsigned char *keep, size_t n, const double *ps,
                    size_t np)
{
    float *tmp = vmc_calloc(n, sizeof(float));
    if (!tmp) return VMCHECK_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!keep || keep[i]) tmp[m++] = v[i];
    if (m == 0) {
        free(tmp);
        return VMCHECK_EEMPTY;
    }
    qsort(tmp, m, sizeof(float), cmp_float);
    for (size_t j = 0; j < np; j++) {
        double p = ps[j] < 0.0 ? 0.0 : ps[j] > 100.0 ? 100.0 : ps[j];
        double r = p / 100.0 * (double)(m - 1);
        size_t lo = (size_t)floor(r);
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        double f = r - (double)lo;
        out[j] = (double)tmp[lo] * (1.0 - f) + (double)tmp[hi] * f;
    }
    free(tmp);
    return VMCHECK_OK;
}

int vmc_percentile(double *out, const float *v, const unsigned char *keep, size_t n, double p)
{
    return vmc_percentiles(out, v, keep, n, &p, 1);
}
