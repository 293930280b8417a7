/* Order statistics on float arrays (offline stages only: they allocate). */
#ifndef VMCHECK_STATS_H
#define VMCHECK_STATS_H

#include <stddef.h>

/* Percentiles ps[0..np) (0..100, linear interpolation between order
 * statistics) of the n values of v for which keep is NULL or keep[i] != 0,
 * into out[0..np).  0, VMCHECK_EEMPTY when no value is kept, or
 * VMCHECK_ENOMEM. */
int vmc_percentiles(double *out, const float *v, const unsigned char *keep, size_t n, const double *ps, size_t np);
/* The same in the caller's scratch of n floats (no allocation). */
int vmc_percentiles_in(double *out, const float *v, const unsigned char *keep, size_t n, const double *ps, size_t np,
                       float *scratch);

/* Weighted percentiles: the value below which lies fraction p/100 of the
 * total weight (the smallest such value), over the kept values with w > 0. */
int vmc_weighted_percentiles(double *out, const float *v, const float *w, const unsigned char *keep, size_t n,
                             const double *ps, size_t np);

/* Running maximum: out[i] = the largest v[j] with i - before <= j <= i +
 * after among the kept values (keep NULL: all), or empty where none is kept
 * there.  One pass with a monotone queue (O(n) time, memory of one window).
 * 0 or VMCHECK_ENOMEM. */
int vmc_sliding_max(float *out, const float *v, const unsigned char *keep, size_t n, size_t before, size_t after,
                    float empty);

#endif
