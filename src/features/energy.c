#include "features/energy.h"

#include <math.h>

#include "vmcheck/vmcheck.h"

double vmc_db_from_power(double p)
{
    const double floor_p = 1e-12; /* 10^(VMCHECK_TRACK_FLOOR_DB/10) */
    return p > floor_p ? 10.0 * log10(p) : VMCHECK_TRACK_FLOOR_DB;
}

float vmc_energy_db(const float *x, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += (double)x[i] * (double)x[i];
    return (float)vmc_db_from_power(n ? acc / (double)n : 0.0);
}
