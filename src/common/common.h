/* Internal helpers shared by every stage: argument validation, logging,
 * overflow-checked allocation. */
#ifndef VMCHECK_COMMON_H
#define VMCHECK_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "vmcheck/vmcheck.h"

/* A serial loop built twice, for AVX's three-operand encoding (no register
 * copies; the same IEEE operations, so the same bits: no FMA) and plain,
 * the CPU choosing at load time (an ifunc).  Only where GCC or clang build
 * for x86-64 with glibc (musl has no ifuncs) and not for ThreadSanitizer
 * (its run time starts after ifunc resolvers); elsewhere the plain one. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__) && !defined(__SANITIZE_THREAD__)
#define VMC_ALSO_AVX __attribute__((target_clones("avx", "default")))
#else
#define VMC_ALSO_AVX
#endif

#if defined(__GNUC__)
#define VMC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define VMC_PRINTF(f, a)
#endif

/* API misuse (not bad data): abort in debug builds so the bug is found at its
 * source (the debugger shows the condition; the library never prints),
 * return VMCHECK_EINVAL in other builds. */
#ifndef VMCHECK_DEBUG_ABORT
#define VMC_VALIDATE(cond, ret)                                                                                        \
    do {                                                                                                               \
        if (!(cond)) return (ret);                                                                                     \
    } while (0)
#else
#define VMC_VALIDATE(cond, ret)                                                                                        \
    do {                                                                                                               \
        if (!(cond)) abort();                                                                                          \
    } while (0)
#endif

void vmc_log(const VmcheckLogger *lg, enum VmcheckLogLevel level, const char *fmt, ...) VMC_PRINTF(3, 4);

/* The text of errno value err, in buf (strerror() is not thread-safe;
 * strerror_r() comes in an XSI and a GNU flavour: both are handled). */
const char *vmc_strerror(int err, char *buf, size_t size);

/* fd was opened O_NONBLOCK (so that opening a FIFO does not wait for its
 * writer): wait until it has data or its writer has gone, then make reads
 * block again, as they do on a pipe. */
void vmc_wait_readable(int fd);

/* calloc(n, size) that also fails cleanly on n * size overflow. */
static inline void *vmc_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

/* Grow *buf (elements of elem bytes) to hold at least need elements,
 * doubling; *cap is in elements.  Returns 0 or VMCHECK_ENOMEM. */
int vmc_grow(void **buf, size_t *cap, size_t need, size_t elem);

#endif
