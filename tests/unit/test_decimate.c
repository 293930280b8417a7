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

/* All outputs of n samples pushed in blocks of the given sizes (cycled). */
static size_t decimate_all(unsigned m, const float *x, size_t n, const size_t *sizes, size_t n_sizes, float *y)
{
    VmcDecimator *d = vmc_decimator_create(m, 1000);
    float *tmp = malloc(vmc_decimator_max_out(d) * sizeof(float));
    size_t k = 0, got;
    for (size_t off = 0, s = 0; off < n; s++) {
        size_t c = sizes[s % n_sizes];
        if (c > n - off) c = n - off;
        got = vmc_decimator_push(d, tmp, x + off, c);
        for (size_t j = 0; j < got; j++) y[k++] = tmp[j];
        off += c;
    }
    while ((got = vmc_decimator_flush(d, tmp)) > 0)
        for (size_t j = 0; j < got; j++) y[k++] = tmp[j];
    vmc_decimator_destroy(&d);
    free(tmp);
    return k;
}

/* A linear time-invariant filter: the output of noise is the convolution of
 * the noise with the filter's own impulse response (measured through the
 * decimator), whatever the block sizes, and the same bits for any blocks
 * (short blocks take the scalar tap loop, longer ones the SSE and, where
 * the CPU has it, the AVX one: so the paths give the same bits). */
static void check_convolution(unsigned m)
{
    const size_t n = 20000, taps = 2 * 16 * m + 1, t0 = 64 * m; /* impulse at t0, a multiple of M */
    float *x = calloc(n, sizeof(float)), *y = calloc(n / m + 8, sizeof(float)), *y2 = calloc(n / m + 8, sizeof(float));
    double *h = calloc(taps, sizeof(double));
    const size_t one[] = {1000};
    x[t0] = 1.0f;
    size_t k = decimate_all(m, x, n, one, 1, y);
    /* output q (centre qM) holds h[t0 - qM + half] */
    const size_t half = 16 * m;
    for (size_t q = 0; q < k; q++) {
        long long idx = (long long)t0 - (long long)(q * m) + (long long)half;
        if (idx >= 0 && idx < (long long)taps) h[idx] = y[q];
    }
    /* only every M-th tap was sampled by an impulse at a multiple of M; the
     * others come from impulses at t0 + r */
    for (unsigned r = 1; r < m; r++) {
        for (size_t i = 0; i < n; i++) x[i] = 0.0f;
        x[t0 + r] = 1.0f;
        k = decimate_all(m, x, n, one, 1, y);
        for (size_t q = 0; q < k; q++) {
            long long idx = (long long)(t0 + r) - (long long)(q * m) + (long long)half;
            if (idx >= 0 && idx < (long long)taps) h[idx] = y[q];
        }
    }
    /* symmetric, unity DC gain */
    double dc = 0.0, asym = 0.0;
    for (size_t i = 0; i < taps; i++) dc += h[i], asym = fmax(asym, fabs(h[i] - h[taps - 1 - i]));
    CHECK(fabs(dc - 1.0) < 1e-5, "M=%u: taps sum to 1 (%.8f)", m, dc);
    CHECK(asym < 1e-9, "M=%u: taps symmetric (%.2g)", m, asym);
    unsigned long long seed = 12345u + m;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(seed >> 40) / (double)(1ull << 24) - 0.5);
    }
    const size_t odd[] = {1, 7, 999, 3, 64, 1000, 13, 2};
    k = decimate_all(m, x, n, odd, sizeof(odd) / sizeof(odd[0]), y);
    size_t k2 = decimate_all(m, x, n, one, 1, y2);
    double worst = 0.0;
    int same = k == k2;
    for (size_t q = 0; q < k; q++) {
        double want = 0.0;
        for (size_t i = 0; i < taps; i++) {
            long long t = (long long)(q * m) - (long long)half + (long long)i;
            if (t >= 0 && t < (long long)n) want += h[i] * (double)x[t];
        }
        worst = fmax(worst, fabs((double)y[q] - want));
        if (q < k2 && y[q] != y2[q]) same = 0;
    }
    CHECK(k == (n + m - 1) / m, "M=%u: %zu outputs", m, k);
    CHECK(worst < 2e-6, "M=%u: output = convolution with the impulse response (worst %.2g)", m, worst);
    CHECK(same, "M=%u: the same bits for any block sizes", m);
    free(x);
    free(y);
    free(y2);
    free(h);
}

int main(void)
{
    for (unsigned m = 2; m <= 6; m++) check_convolution(m);
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
