#ifndef VMCHECK_FLAGS_H
#define VMCHECK_FLAGS_H

#include <stdarg.h>
#include <stddef.h>

#include "common/common.h"
#include "vmcheck/vmcheck.h"

/* Append a flag; the message is printf-formatted (use vmc_num() for
 * numbers: %f would follow the locale).  0 or VMCHECK_ENOMEM. */
int vmc_flag_add(VmcheckReport *rep, size_t *cap, enum VmcheckFlagCode code, double start_s, double end_s,
                 const char *fmt, ...) VMC_PRINTF(6, 7);

/* Locale-free number as a string in buf. */
const char *vmc_num(char buf[32], double v, int decimals);

#endif
