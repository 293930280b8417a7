#include "common/common.h"

#include <stdarg.h>
#include <string.h>

void vmc_log(const VmcheckLogger *lg, enum VmcheckLogLevel level, const char *fmt, ...)
{
    if (!lg || !lg->callback) return;
    va_list ap;
    va_start(ap, fmt);
    lg->callback(lg->cookie, level, fmt, ap);
    va_end(ap);
}

int vmc_grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return VMCHECK_OK;
    size_t ncap = *cap ? *cap : 64;
    if (*cap == 0 && need > ncap) ncap = need; /* a first request for a known size: exactly that */
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) return VMCHECK_ENOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem) return VMCHECK_ENOMEM;
    void *p = realloc(*buf, ncap * elem);
    if (!p) return VMCHECK_ENOMEM;
    *buf = p;
    *cap = ncap;
    return VMCHECK_OK;
}
