/* Numbers are written and read with a '.' whatever the locale. */
#include <locale.h>
#include <string.h>

#include "common/fmt.h"
#include "test.h"

static void fmt_is(double v, int d, const char *want)
{
    char b[64];
    vmc_fmt_fixed(b, sizeof(b), v, d);
    CHECK(strcmp(b, want) == 0, "%g with %d decimals: '%s', want '%s'", v, d, b, want);
}

static void parse_is(const char *s, size_t want_len, double want)
{
    double v = -999;
    size_t n = vmc_parse_double(&v, s, strlen(s));
    CHECK(n == want_len && (want_len == 0 || fabs(v - want) < 1e-12), "'%s': used %zu, value %g; want %zu, %g", s, n, v,
          want_len, want);
}

int main(void)
{
    const char *loc = setlocale(LC_ALL, "de_DE.UTF-8");
    printf("locale: %s\n", loc ? loc : "(de_DE.UTF-8 not installed; C locale)");
    if (loc) {
        char b[32];
        snprintf(b, sizeof(b), "%.1f", 3.5);
        CHECK(strcmp(b, "3,5") == 0, "the German locale is really in force: printf gives '%s'", b);
    }
    fmt_is(3.5, 1, "3.5");
    fmt_is(-21.74, 1, "-21.7");
    fmt_is(0.0049, 2, "0.00");
    fmt_is(-0.004, 2, "0.00");
    fmt_is(2.675, 2, "2.68");
    fmt_is(151, 0, "151");
    fmt_is(1e-7, 6, "0.000000");
    fmt_is(123456.789, 3, "123456.789");
    fmt_is(0.001, 6, "0.001000");
    parse_is("17.25", 5, 17.25);
    parse_is("-3", 2, -3);
    parse_is(".5x", 2, 0.5);
    parse_is("1e-3", 4, 0.001);
    parse_is("2,5", 1, 2);
    parse_is("abc", 0, 0);
    parse_is("-", 0, 0);
    parse_is("", 0, 0);
    return test_done();
}
