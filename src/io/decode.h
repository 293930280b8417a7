/* Decode and analyse: open a source (src/io/source.h) from a path, a file
 * descriptor or a memory image, and feed the analyser from it. */
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
    /* The fuzz harness only: decode at most this many seconds and analyse
     * them as if the audio ended there (STYLE T8); 0: no cap. */
    double max_s;
    /* 0: recordings over an hour and a half in passes when the source can
     * be read again (analyzer.h, VmcPass), others in one; 1: one pass; 2:
     * in passes (the tests' comparison of the two). */
    int passes;
} VmcAnalyzeArgs;

int vmc_decode_path(VmcheckReport **out, const VmcAnalyzeArgs *args, const char *path);
/* What fd reads: a regular file from its offset, else a stream; fd stays open. */
int vmc_decode_fd(VmcheckReport **out, const VmcAnalyzeArgs *args, int fd);
int vmc_decode_memory(VmcheckReport **out, const VmcAnalyzeArgs *args, const void *data, size_t size);
/* As vmc_decode_memory, trying only the backends in the VMC_BACKEND_* mask
 * (the fuzz harness drives each decoder alone). */
int vmc_decode_memory_with(VmcheckReport **out, const VmcAnalyzeArgs *args, const void *data, size_t size,
                           unsigned backends);

#endif
