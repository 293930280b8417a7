/* Frame level: mean square of the centre of the frame, in dBFS. */
#ifndef VMCHECK_ENERGY_H
#define VMCHECK_ENERGY_H

#include <stddef.h>

/* 10*log10(mean(x^2)) over n samples, floored at VMCHECK_TRACK_FLOOR_DB. */
float vmc_energy_db(const float *x, size_t n);

/* Power (linear) to dB with the track floor, and back. */
double vmc_db_from_power(double p);

#endif
