/* The frame level: a full-scale sine reads -3.01 dBFS (its mean square is
 * 1/2) above the rumble cut, and nothing below it; the track is the same,
 * to the bit, however the samples are split into pushes (blocks of 5 ms
 * straddle the pushes at every rate, odd and even). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features/energy.h"
#include "test.h"

static VmcTrack level(const float *x, size_t n, double rate, size_t block)
{
    VmcEnergyMeter m;
    VmcTrack t = {0};
    vmc_energy_init(&m, rate);
    for (size_t off = 0; off < n;) {
        size_t k = block ? block + off % 7 : n;
        if (k > n - off) k = n - off;
        if (vmc_energy_push(&m, &t, x + off, k)) break;
        off += k;
    }
    vmc_energy_flush(&m, &t, (size_t)((double)n / rate / 0.01));
    return t;
}

int main(void)
{
    const double rates[] = {8000, 11025, 16000, 22050, 44100, 48000};
    for (int q = 0; q < 6; q++) {
        const double rate = rates[q];
        const size_t n = (size_t)(2.0 * rate) + 3;
        float *x = malloc(n * sizeof(float)), *lo = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++) {
            x[i] = (float)sin(2.0 * M_PI * 450.0 * (double)i / rate);
            lo[i] = (float)(0.5 * sin(2.0 * M_PI * 10.0 * (double)i / rate));
        }
        VmcTrack one = level(x, n, rate, 0);
        CHECK(one.n == (size_t)(2.0 / 0.01), "%.0f Hz: %zu frames", rate, one.n);
        /* after the filter has settled (0.1 s), away from the end */
        double worst = 0.0;
        for (size_t i = 10; i + 2 < one.n; i++) worst = fmax(worst, fabs((double)one.v[i] + 3.0103));
        CHECK(worst < 0.02, "%.0f Hz: 450 Hz full-scale sine (9 periods a frame) at -3.01 dBFS (off by %.4f dB)", rate,
              worst);
        VmcTrack rumble = level(lo, n, rate, 0);
        double loudest = -200.0;
        for (size_t i = 20; i + 2 < rumble.n; i++) loudest = fmax(loudest, (double)rumble.v[i]);
        CHECK(loudest < -30.0, "%.0f Hz: 10 Hz rumble at -6 dBFS reads %.1f dBFS", rate, loudest);
        const size_t blocks[] = {1, 2, 3, 997, 4096};
        for (int b = 0; b < 5; b++) {
            VmcTrack t = level(x, n, rate, blocks[b]);
            CHECK(t.n == one.n && !memcmp(t.v, one.v, one.n * sizeof(float)),
                  "%.0f Hz, pushes of %zu-%zu samples: the same track to the bit", rate, blocks[b], blocks[b] + 6);
            vmc_track_free(&t);
        }
        vmc_track_free(&one);
        vmc_track_free(&rumble);
        free(x);
        free(lo);
    }
    return test_done();
}
