#ifndef VMCHECK_EXPORT_H
#define VMCHECK_EXPORT_H

#include <stdio.h>

#include "vmcheck/vmcheck.h"

/* Write the report as an Audacity label track to f (an output opened with
 * cli_out_open: the caller commits it). */
void cli_export_labels(FILE *f, const VmcheckReport *r);

#endif
