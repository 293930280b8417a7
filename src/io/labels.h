#ifndef VMCHECK_LABELS_H
#define VMCHECK_LABELS_H

#include <stddef.h>

#include "vmcheck/vmcheck.h"

int vmc_labels_parse(VmcheckSegmentSpec **out, size_t *n_out, size_t *bad_line, const char *text, size_t len);

#endif
