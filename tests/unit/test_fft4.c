/* Four FFTs at once (src/dsp/fft4.c) give kiss_fftr's power spectrum, lane
 * by lane, to float rounding (a few units in the last place of the frame's
 * largest bin), for every size the analysis uses (8-16 kHz analysis rates
 * and the pitch's half-length transforms) and more; sizes with a factor of
 * 5 are refused.  A tone's bin is checked against its known value, a silent lane is 0.
 *
 * The eight-lane path (AVX, dsp/fft8_avx.c) against the four-lane one, bit
 * for bit, power and complex bins, on random frames of every size the
 * analysis uses at 8, 16, 44.1 and 48 kHz input (asked of the analyser
 * itself) and of the list below; and the whole analysis with and without
 * it (vmc_fft8_allowed forces the four-lane path). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/fft.h"
#include "analyzer.h"
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

/* Eight random frames (some lanes scaled far apart, one silent, one an
 * impulse) through the eight-lane path and through two four-lane passes:
 * the same bits.  0 when the path is not there (no AVX). */
static int check_eight(size_t n)
{
    vmc_fft8_allowed = 1;
    VmcFft4 *f8 = vmc_fft4_create(n);
    vmc_fft8_allowed = 0;
    VmcFft4 *f4 = vmc_fft4_create(n);
    vmc_fft8_allowed = 1;
    int ran = 0;
    CHECK(f8 && f4, "n = %zu: created", n);
    if (!f8 || !f4) goto done;
    CHECK(!vmc_fft4_lanes8(f4), "n = %zu: vmc_fft8_allowed = 0 gives four lanes", n);
    if (!vmc_fft4_lanes8(f8)) goto done;
    ran = 1;
    const size_t nb = n / 2 + 1;
    float *in[8], *p8[8], *p4[8];
    VmcCpx *c8[8], *c4[8];
    for (int l = 0; l < 8; l++) {
        in[l] = malloc(n * sizeof(float));
        p8[l] = malloc(nb * sizeof(float));
        p4[l] = malloc(nb * sizeof(float));
        c8[l] = malloc(nb * sizeof(VmcCpx));
        c4[l] = malloc(nb * sizeof(VmcCpx));
    }
    int same_p = 1, same_c = 1;
    for (int rep = 0; rep < 4; rep++) {
        for (int l = 0; l < 8; l++) {
            const float scale = (float)ldexp(1.0, 6 * (l % 4) - 9);
            for (size_t i = 0; i < n; i++) in[l][i] = (l == 5 || l == 6) ? 0.0f : scale * noise();
            if (l == 6) in[l][(n / 7 + (size_t)rep) % n] = 1.0f;
        }
        vmc_fft4_power8(f8, p8, (const float *const *)in);
        vmc_fft4_power(f4, p4, (const float *const *)in);
        vmc_fft4_power(f4, p4 + 4, (const float *const *)in + 4);
        vmc_fft4_forward8(f8, c8, (const float *const *)in);
        vmc_fft4_forward(f4, c4, (const float *const *)in);
        vmc_fft4_forward(f4, c4 + 4, (const float *const *)in + 4);
        for (int l = 0; l < 8; l++) {
            same_p &= memcmp(p8[l], p4[l], nb * sizeof(float)) == 0;
            same_c &= memcmp(c8[l], c4[l], nb * sizeof(VmcCpx)) == 0;
        }
        /* the eight-lane object's fallback (two four-lane passes) too */
        vmc_fft4_power8(f4, p8, (const float *const *)in);
        for (int l = 0; l < 8; l++) same_p &= memcmp(p8[l], p4[l], nb * sizeof(float)) == 0;
    }
    CHECK(same_p, "n = %zu: eight lanes' powers are the four-lane path's, bit for bit", n);
    CHECK(same_c, "n = %zu: eight lanes' complex bins are the four-lane path's, bit for bit", n);
    for (int l = 0; l < 8; l++) {
        free(in[l]);
        free(p8[l]);
        free(p4[l]);
        free(c8[l]);
        free(c4[l]);
    }
done:
    vmc_fft4_destroy(&f8);
    vmc_fft4_destroy(&f4);
    return ran;
}

/* The sizes the analysis uses at each input rate: the spectrum's and the
 * pitch's half-length transform; both take eight lanes where the CPU has
 * AVX. */
static void check_analysis_sizes(void)
{
    const unsigned rates[] = {8000, 16000, 44100, 48000, 11025, 22050, 32000};
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.threads = 1;
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        VmcheckAnalyzer *a = NULL;
        CHECK(vmc_analyzer_create(&a, &cfg, rates[i]) == 0, "%u Hz: analyser", rates[i]);
        if (!a) continue;
        const size_t sizes[2] = {a->work[0].spec.nfft, a->work[0].pitch.half};
        const int has4[2] = {a->work[0].spec.fft4 != NULL, a->work[0].pitch.fft4 != NULL};
        const int has8[2] = {a->work[0].spec.lanes8, a->work[0].pitch.lanes8};
        vmc_analyzer_destroy(&a);
        for (int k = 0; k < 2; k++) {
            if (!has4[k]) continue;
            const int ran = check_eight(sizes[k]);
            CHECK(ran == has8[k], "%u Hz: %s (%zu) takes eight lanes where the CPU has AVX", rates[i],
                  k ? "pitch" : "spectrum", sizes[k]);
            printf("%u Hz: %s FFT %zu: eight lanes %s\n", rates[i], k ? "pitch" : "spectrum", sizes[k],
                   ran ? "bit-identical" : "not available (no AVX)");
        }
    }
}

/* r[0]: the file analysed (one thread) with *allowed = 1, r[1] with it 0. */
static void analyse_with_and_without(VmcheckReport *r[2], const char *path, int *allowed, const char *on,
                                     const char *off)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.threads = 1;
    for (int k = 0; k < 2; k++) {
        *allowed = k == 0;
        VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, NULL, 0.0, 0};
        CHECK(vmc_decode_path(&r[k], &args, path) == 0, "%s: analysed (%s)", path, k ? off : on);
    }
    *allowed = 1;
}

/* The whole analysis with eight lanes and with four: the same report. */
static void check_eight_paths(const char *path)
{
    VmcheckReport *r[2] = {NULL, NULL};
    analyse_with_and_without(r, path, &vmc_fft8_allowed, "eight", "four lanes");
    if (r[0] && r[1]) {
        const VmcheckReport *a = r[0], *b = r[1];
        CHECK(a->frame_count == b->frame_count && a->voiced_frames == b->voiced_frames &&
                  a->syllable_count == b->syllable_count && a->pause_count == b->pause_count &&
                  a->segment_count == b->segment_count && a->flag_count == b->flag_count,
              "%s: eight lanes: the same counts", path);
        CHECK(memcmp(&a->f0_median_hz, &b->f0_median_hz, sizeof(double)) == 0 &&
                  memcmp(&a->score, &b->score, sizeof(double)) == 0 &&
                  memcmp(&a->syllables_per_s, &b->syllables_per_s, sizeof(double)) == 0,
              "%s: eight lanes: the same F0, score and rate, to the bit", path);
    }
    vmcheck_report_free(&r[0]);
    vmcheck_report_free(&r[1]);
}

/* The analysis with four frames at a time against the scalar path: the
 * same report, to the rounding a float's last bit can move. */
static void check_paths(const char *path)
{
    VmcheckReport *r[2] = {NULL, NULL};
    analyse_with_and_without(r, path, &vmc_fft4_allowed, "four at once", "scalar");
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
    for (int i = 1; i < argc; i++) {
        check_paths(argv[i]);
        check_eight_paths(argv[i]);
    }
    const size_t sizes[] = {384, 512, 192, 256, 768, 96, 128, 48, 1024, 1536, 72, 8};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        check_size(sizes[i]);
        check_eight(sizes[i]);
    }
    /* the smallest (a packing that is all tail, one stage) */
    const size_t small[] = {4, 6, 12, 24, 36};
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) check_eight(small[i]);
    check_analysis_sizes();
    CHECK(vmc_fft4_create(640) == NULL, "640 (a factor of 5) refused");
    CHECK(vmc_fft4_create(383) == NULL, "odd size refused");
    return test_done();
}
