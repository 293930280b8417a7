/* Four FFTs at once (src/dsp/fft4.c) give kiss_fftr's power spectrum, lane
 * by lane, to float rounding (a few units in the last place of the frame's
 * largest bin), for every size the analysis uses (8-16 kHz analysis rates
 * and the pitch's half-length transforms) and more; sizes with a factor of
 * 5 are refused.  A tone's bin is checked against its known value, a silent lane is 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "dsp/fft4.h"
#include "io/decode.h"
#include "test.h"

static unsigned long long seed = 88172645463325252ull;

static float noise(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (float)((double)(seed >> 40) / (double)(1ull << 24) - 0.5);
}

static void check_size(size_t n)
{
    VmcFft4 *f4 = vmc_fft4_create(n);
    VmcFft *f = vmc_fft_create(n);
    CHECK(f4 && f, "n = %zu: created", n);
    if (!f4 || !f) {
        vmc_fft4_destroy(&f4);
        vmc_fft_destroy(&f);
        return;
    }
    const size_t nb = n / 2 + 1;
    float *in[4], *pw[4], *ref = malloc(nb * sizeof(float));
    VmcCpx *bins = malloc(nb * sizeof(VmcCpx));
    for (int k = 0; k < 4; k++) {
        in[k] = malloc(n * sizeof(float));
        pw[k] = malloc(nb * sizeof(float));
        /* lanes differ: noise, a sine-like ramp, silence, one impulse */
        for (size_t i = 0; i < n; i++)
            in[k][i] = k == 0   ? noise()
                       : k == 1 ? (float)cos(2.0 * M_PI * (double)(n / 8) * (double)i / (double)n)
                                : 0.0f;
        if (k == 3) in[k][n / 3] = 1.0f;
    }
    vmc_fft4_power(f4, pw, (const float *const *)in);
    double worst = 0.0;
    for (int k = 0; k < 4; k++) {
        vmc_fft_forward(f, bins, in[k]);
        double top = 0.0, err = 0.0;
        for (size_t b = 0; b < nb; b++) {
            ref[b] = bins[b].re * bins[b].re + bins[b].im * bins[b].im;
            top = fmax(top, (double)ref[b]);
            err = fmax(err, fabs((double)ref[b] - (double)pw[k][b]));
        }
        if (top > 0.0) worst = fmax(worst, err / top);
        if (k == 2) CHECK(err == 0.0 && top == 0.0, "n = %zu: silence stays 0", n);
    }
    /* the complex bins too */
    VmcCpx *cx[4];
    for (int k = 0; k < 4; k++) cx[k] = malloc(nb * sizeof(VmcCpx));
    vmc_fft4_forward(f4, cx, (const float *const *)in);
    double cworst = 0.0;
    for (int k = 0; k < 4; k++) {
        vmc_fft_forward(f, bins, in[k]);
        double top = 0.0, err = 0.0;
        for (size_t b = 0; b < nb; b++) {
            top = fmax(top, hypot(bins[b].re, bins[b].im));
            err = fmax(err, hypot(bins[b].re - cx[k][b].re, bins[b].im - cx[k][b].im));
        }
        if (top > 0.0) cworst = fmax(cworst, err / top);
        free(cx[k]);
    }
    CHECK(cworst < 1e-6, "n = %zu: complex bins within %.2g of kiss_fftr's largest", n, cworst);
    /* a cosine at bin n/8: X[n/8] = n/2 */
    CHECK(fabs((double)pw[1][n / 8] / ((double)n * (double)n / 4.0) - 1.0) < 1e-5, "n = %zu: tone at bin n/8 = (n/2)^2",
          n);
    printf("n = %zu: worst %.3g of the largest bin\n", n, worst);
    CHECK(worst < 1e-6, "n = %zu: within %.2g of the largest bin of kiss_fftr", n, worst);
    for (int k = 0; k < 4; k++) {
        free(in[k]);
        free(pw[k]);
    }
    free(ref);
    free(bins);
    vmc_fft4_destroy(&f4);
    vmc_fft_destroy(&f);
}

/* The analysis with four frames at a time against the scalar path: the
 * same report, to the rounding a float's last bit can move. */
static void check_paths(const char *path)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.threads = 1;
    VmcheckReport *r[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        vmc_fft4_allowed = k == 0;
        VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, NULL, 0.0};
        CHECK(vmc_decode_path(&r[k], &args, path) == 0, "%s: analysed (%s)", path, k ? "scalar" : "four at once");
    }
    vmc_fft4_allowed = 1;
    if (!r[0] || !r[1]) goto done;
    const VmcheckReport *a = r[0], *b = r[1];
    CHECK(a->frame_count == b->frame_count && a->has_speech == b->has_speech, "%s: frames, speech", path);
    CHECK(a->syllable_count == b->syllable_count, "%s: syllables %zu vs %zu", path, a->syllable_count,
          b->syllable_count);
    CHECK(a->pause_count == b->pause_count, "%s: pauses %zu vs %zu", path, a->pause_count, b->pause_count);
    CHECK(a->segment_count == b->segment_count && a->flag_count == b->flag_count, "%s: segments, flags", path);
    CHECK(labs((long)a->voiced_frames - (long)b->voiced_frames) <= 1, "%s: voiced frames %zu vs %zu", path,
          a->voiced_frames, b->voiced_frames);
    CHECK(fabs(a->f0_median_hz - b->f0_median_hz) < 0.05, "%s: median F0 %.4f vs %.4f", path, a->f0_median_hz,
          b->f0_median_hz);
    CHECK(fabs(a->score - b->score) < 0.05, "%s: score %.3f vs %.3f", path, a->score, b->score);
    CHECK(fabs(a->syllables_per_s - b->syllables_per_s) < 1e-9, "%s: rate", path);
done:
    vmcheck_report_free(&r[0]);
    vmcheck_report_free(&r[1]);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) check_paths(argv[i]);
    const size_t sizes[] = {384, 512, 192, 256, 768, 96, 128, 48, 1024, 1536, 72, 8};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) check_size(sizes[i]);
    CHECK(vmc_fft4_create(640) == NULL, "640 (a factor of 5) refused");
    CHECK(vmc_fft4_create(383) == NULL, "odd size refused");
    return test_done();
}
