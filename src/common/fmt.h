/* Locale-independent number formatting: a German locale must never put a
 * comma into JSON, CSV or a flag message.  Integer arithmetic only. */
#ifndef VMCHECK_FMT_H
#define VMCHECK_FMT_H

#include <stddef.h>

/* Write v with exactly `decimals` (0..9) digits after a '.', rounded half
 * away from zero; trailing zeros kept.  Non-finite values write "nan",
 * "inf" or "-inf".  Returns the length (like snprintf). */
int vmc_fmt_fixed(char *buf, size_t size, double v, int decimals);

/* Parse a decimal number ("-12.5", "3", ".5", "1e-3") from s[0..len) with
 * '.' as the decimal point whatever the locale.  Returns the number of
 * characters used (0 if none); the value goes to *out. */
size_t vmc_parse_double(double *out, const char *s, size_t len);
#endif
