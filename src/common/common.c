#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vmc_wait_readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) continue;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

/* XSI strerror_r returns 0 and fills buf; GNU's returns the text (maybe
 * not in buf).  _Generic picks by the type of the call, unevaluated. */
static const char *xsi_text(int r, const char *buf) { return r == 0 ? buf : NULL; }
static const char *gnu_text(const char *r, const char *buf)
{
    (void)buf;
    return r;
}

const char *vmc_strerror(int err, char *buf, size_t size)
{
    if (!size) return "";
    buf[0] = 0;
    const char *s =
        _Generic(strerror_r(err, buf, size), int: xsi_text, char *: gnu_text)(strerror_r(err, buf, size), buf);
    if (!s || !s[0]) {
        snprintf(buf, size, "error %d", err);
        s = buf;
    }
    return s;
}

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
