#ifndef VMCHECK_EXPORT_H
#define VMCHECK_EXPORT_H

#include <stddef.h>

#include "vmcheck/vmcheck.h"

/* Write the report as an Audacity label track (atomically).  -1 with why. */
int cli_export_labels(const char *path, const VmcheckReport *r, char *why, size_t why_size);

#endif
