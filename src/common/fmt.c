#include "common/fmt.h"

#include <math.h>
#include <stdio.h>

int vmc_fmt_fixed(char *buf, size_t size, double v, int decimals)
{
    if (isnan(v)) return snprintf(buf, size, "nan");
    if (isinf(v)) return snprintf(buf, size, v > 0 ? "inf" : "-inf");
    if (decimals < 0) decimals = 0;
    if (decimals > 9) decimals = 9;
    unsigned long long scale = 1;
    for (int i = 0; i < decimals; i++) scale *= 10;
    double a = fabs(v);
    if (a * (double)scale >= 9.0e18) /* beyond integer range: whole number, exponent-free */
        return snprintf(buf, size, "%s%.0f", v < 0 ? "-" : "", a);
    unsigned long long q = (unsigned long long)llround(a * (double)scale);
    unsigned long long ip = q / scale, fp = q % scale;
    const char *sign = (v < 0 && q != 0) ? "-" : "";
    if (decimals == 0) return snprintf(buf, size, "%s%llu", sign, ip);
    return snprintf(buf, size, "%s%llu.%0*llu", sign, ip, decimals, fp);
}

size_t vmc_parse_double(double *out, const char *s, size_t len)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    double v = 0.0;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        v = v * 10.0 + (s[i++] - '0');
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        double scale = 0.1;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v += (s[i++] - '0') * scale;
            scale *= 0.1;
            digits++;
        }
    }
    if (!digits) return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        int eneg = 0, e = 0, ed = 0;
        if (j < len && (s[j] == '+' || s[j] == '-')) eneg = s[j++] == '-';
        while (j < len && s[j] >= '0' && s[j] <= '9' && e < 400) {
            e = e * 10 + (s[j++] - '0');
            ed++;
        }
        if (ed) {
            v *= pow(10.0, eneg ? -e : e);
            i = j;
        }
    }
    *out = neg ? -v : v;
    return i;
}
