/* Decode with libsndfile (the only includer of <sndfile.h>): validate the
 * header against hard limits, read in blocks, mix to mono, feed the analyser. */
#ifndef VMCHECK_DECODE_H
#define VMCHECK_DECODE_H

#include <stddef.h>

#include "vmcheck/vmcheck.h"

typedef struct VmcAnalyzeArgs {
    const VmcheckConfig *cfg;
    const VmcheckSegmentSpec *segs;
    size_t n_segs;
    const char *script;
    struct VmcDigitsTap *tap; /* tools only: what the digit detector saw; NULL */
} VmcAnalyzeArgs;

int vmc_decode_path(VmcheckReport **out, const VmcAnalyzeArgs *args, const char *path);
int vmc_decode_memory(VmcheckReport **out, const VmcAnalyzeArgs *args, const void *data, size_t size);

#endif
