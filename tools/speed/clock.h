/* Wall clock and sorting for the speed tools (tools/speed). */
#ifndef VMCHECK_TOOLS_SPEED_CLOCK_H
#define VMCHECK_TOOLS_SPEED_CLOCK_H

#include <time.h>

static inline double speed_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* qsort's comparison of doubles, ascending */
static inline int speed_cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
