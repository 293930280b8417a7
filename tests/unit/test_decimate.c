/* The decimator: unity gain and zero delay in the pass band, strong
 * rejection above the new Nyquist, ceil(n/M) outputs. */
#include <math.h>
#include <stdlib.h>

#include "dsp/decimate.h"
#include "test.h"

static void run(unsigned m, double rate, double f, double *gain_db, double *delay_samples, size_t *n_out)
{
    const size_t n = (size_t)rate; /* 1 s */
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = (float)sin(2 * M_PI * f * (double)i / rate);
    VmcDecimator *d = vmc_decimator_create(m, 1000);
    float *y = malloc((n / m + 4096) * sizeof(float));
    size_t k = 0;
    float *tmp = malloc(vmc_decimator_max_out(d) * sizeof(float));
    for (size_t off = 0; off < n; off += 1000) {
        size_t c = n - off < 1000 ? n - off : 1000;
        size_t got = vmc_decimator_push(d, tmp, x + off, c);
        for (size_t j = 0; j < got; j++) y[k++] = tmp[j];
    }
    size_t got;
    while ((got = vmc_decimator_flush(d, tmp)) > 0)
        for (size_t j = 0; j < got; j++) y[k++] = tmp[j];
    *n_out = k;
    /* gain and phase against the ideal decimated sine, away from the ends */
    double ps = 0, pr = 0, cross = 0, quad = 0;
    for (size_t j = k / 10; j < k - k / 10; j++) {
        double t = (double)j * m / rate;
        double re = sin(2 * M_PI * f * t), im = cos(2 * M_PI * f * t);
        ps += (double)y[j] * (double)y[j];
        pr += re * re;
        cross += (double)y[j] * re;
        quad += (double)y[j] * im;
    }
    *gain_db = 10 * log10(ps / pr);
    *delay_samples = -atan2(quad, cross) / (2 * M_PI * f) * rate;
    vmc_decimator_destroy(&d);
    free(x);
    free(y);
    free(tmp);
}

int main(void)
{
    const unsigned ms[] = {2, 3, 6, 12};
    for (int i = 0; i < 4; i++) {
        unsigned m = ms[i];
        double rate = 16000.0 * m, g, delay;
        size_t n;
        printf("M = %u\n", m);
        run(m, rate, 1000.0, &g, &delay, &n);
        CHECK(n == (size_t)ceil(rate / m), "M=%u: %zu outputs, want %.0f", m, n, ceil(rate / m));
        CHECK_NEAR(g, 0.0, 0.05, "1 kHz pass-band gain dB");
        CHECK_NEAR(delay, 0.0, 0.01, "1 kHz delay, input samples");
        run(m, rate, 6000.0, &g, &delay, &n);
        CHECK_NEAR(g, 0.0, 0.1, "6 kHz pass-band gain dB");
        run(m, rate, 12000.0, &g, &delay, &n); /* aliases to 4 kHz if not removed */
        printf("  12 kHz rejection %.1f dB\n", g);
        CHECK(g < -60.0, "M=%u: 12 kHz only %.1f dB down", m, g);
    }
    CHECK(vmc_decimator_create(0, 100) == NULL, "factor 0 refused");
    return test_done();
}
