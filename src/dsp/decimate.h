/* Integer-factor decimator: a linear-phase windowed-sinc low-pass evaluated
 * only at the kept samples.  Zero phase: output k is centred on input k*M. */
#ifndef VMCHECK_DECIMATE_H
#define VMCHECK_DECIMATE_H

#include <stddef.h>

typedef struct VmcDecimator VmcDecimator;

/* factor >= 1; chunk = the most samples one push() may take. */
VmcDecimator *vmc_decimator_create(unsigned factor, size_t chunk);
void vmc_decimator_destroy(VmcDecimator **d);
/* Most samples one push() or flush() writes to out. */
size_t vmc_decimator_max_out(const VmcDecimator *d);
/* n <= chunk.  Returns the number of samples written to out. */
size_t vmc_decimator_push(VmcDecimator *d, float *out, const float *in, size_t n);
/* Drain the filter's look-ahead; call repeatedly until it returns 0. */
size_t vmc_decimator_flush(VmcDecimator *d, float *out);

#endif
