/* Syllable nuclei, against signals with a known count:
 *  - trains of vowel-like harmonic bursts, 2 to 8 per second, clean, under
 *    noise at 15 dB SNR, and through an 8 kHz mu-law telephone channel:
 *    the count is exact;
 *  - syllables joined by voicing with only a loudness dip between them;
 *  - a long vowel whose level wobbles by under 2 dB counts as one;
 *  - whispered vowels (noise through vowel formants, no pitch) between
 *    voiced ones count; hisses ("s": noise above 4 kHz) do not;
 *  - real speech with known transcripts (tests/data/SOURCES.md): the count
 *    lies within 10 % of the transcript's;
 *  - a number said 20 and 25 dB quieter than the rest of the message (the
 *    caller turned away): with labels its syllable rate is the true one,
 *    in a synthetic message (pauses around the number) and in a whole
 *    message synthesised in one breath (the number run straight into loud
 *    words), clean and through a phone line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/source.h"
#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

static const double PI = 3.14159265358979323846;

/* A vowel: harmonics of f0 shaped by formants (Hz) of bandwidth 80 Hz. */
static void vowel(float *x, size_t n, double rate, double f0, const double *fm, int nf, double amp, double *phase)
{
    double w[64];
    int nh = 0;
    for (int k = 1; k < 64 && k * f0 < 3800.0 && k * f0 < rate / 2.0 - 100.0; k++, nh++) {
        double a = 0.0;
        for (int q = 0; q < nf; q++) {
            double d = (k * f0 - fm[q]) / 80.0;
            a += 1.0 / (1.0 + d * d);
        }
        w[k - 1] = a / k;
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = 1; k <= nh; k++) s += w[k - 1] * sin((double)k * (*phase));
        x[i] += (float)(amp * s);
        *phase += 2.0 * PI * f0 / rate;
        if (*phase > 2.0 * PI) *phase -= 2.0 * PI;
    }
}

static unsigned count(const float *x, size_t n, unsigned rate)
{
    VmcheckReport *r = test_analyse(x, n, rate, NULL, NULL, 0, NULL, 0);
    CHECK(r != NULL, "analysis failed");
    unsigned c = r ? (unsigned)r->syllable_count : 0;
    vmcheck_report_free(&r);
    return c;
}

/* n bursts of a vowel at per_s a second, each 60 % of its period with
 * 10 ms ramps, pitch moving a little from burst to burst. */
static float *train(size_t *len, double rate, int n, double per_s)
{
    const double period = 1.0 / per_s, lead = 0.5;
    *len = (size_t)((lead + n * period + 0.5) * rate);
    float *x = calloc(*len, sizeof(float));
    const double fa[] = {700.0, 1200.0, 2500.0};
    for (int b = 0; b < n; b++) {
        size_t s = (size_t)((lead + b * period) * rate), m = (size_t)(0.6 * period * rate);
        float *tmp = calloc(m, sizeof(float));
        double phase = 0.0;
        vowel(tmp, m, rate, 120.0 + 8.0 * (b % 4), fa, 3, 0.05, &phase);
        size_t ramp = (size_t)(0.01 * rate);
        for (size_t i = 0; i < m; i++) {
            double g = 1.0;
            if (i < ramp) g = 0.5 - 0.5 * cos(PI * (double)i / (double)ramp);
            if (m - 1 - i < ramp) g = 0.5 - 0.5 * cos(PI * (double)(m - 1 - i) / (double)ramp);
            x[s + i] = (float)((double)tmp[i] * g);
        }
        free(tmp);
    }
    return x;
}

static double rms(const float *x, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) acc += (double)x[i] * (double)x[i];
    return sqrt(acc / (double)n);
}

static void check_trains(void)
{
    SynthRng rng;
    synth_seed(&rng, 4);
    printf("trains of 12 bursts (noise seed 4)\n");
    for (int per = 2; per <= 8; per++) {
        size_t n;
        float *x = train(&n, 16000, 12, per);
        unsigned c = count(x, n, 16000);
        printf("  %d/s clean: %u\n", per, c);
        CHECK(c == 12, "%d bursts/s, clean: %u nuclei, want 12", per, c);
        /* noise 15 dB under the bursts' level (their RMS while on) */
        double on = rms(x, n) / sqrt(12 * 0.6 / per / ((double)n / 16000));
        synth_add_noise(x, n, on * pow(10.0, -15.0 / 20.0), &rng);
        c = count(x, n, 16000);
        printf("  %d/s 15 dB SNR: %u\n", per, c);
        CHECK(c == 12, "%d bursts/s at 15 dB SNR: %u nuclei, want 12", per, c);
        free(x);
        x = train(&n, 8000, 12, per);
        synth_telephone(x, n, 8000);
        c = count(x, n, 8000);
        printf("  %d/s 8 kHz mu-law: %u\n", per, c);
        CHECK(c == 12, "%d bursts/s, 8 kHz mu-law: %u nuclei, want 12", per, c);
        free(x);
    }
}

/* Voiced throughout: the level swells n times, dipping by dip_db between
 * swells; the vowel stays the same. */
static float *swells(size_t *len, int n, double per_s, double dip_db, double rate)
{
    const double lead = 0.5, dur = n / per_s;
    *len = (size_t)((lead + dur + 0.5) * rate);
    float *x = calloc(*len, sizeof(float));
    size_t s = (size_t)(lead * rate), m = (size_t)(dur * rate);
    const double fa[] = {700.0, 1200.0, 2500.0};
    double phase = 0.0;
    vowel(x + s, m, rate, 130.0, fa, 3, 0.05, &phase);
    const double depth = 1.0 - pow(10.0, -dip_db / 20.0);
    for (size_t i = 0; i < m; i++) {
        double t = (double)i / rate;
        double g = 1.0 - depth * 0.5 * (1.0 + cos(2.0 * PI * per_s * t)); /* troughs at the ends and between */
        x[s + i] *= (float)g;
    }
    return x;
}

static void check_joined_and_wobble(void)
{
    printf("syllables joined by voicing\n");
    for (int per = 3; per <= 6; per++) {
        size_t n;
        float *x = swells(&n, 8, per, 12.0, 16000);
        unsigned c = count(x, n, 16000);
        printf("  %d/s, 12 dB dips: %u\n", per, c);
        CHECK(c == 8, "%d/s joined syllables with 12 dB dips: %u nuclei, want 8", per, c);
        free(x);
    }
    /* a 1.5 s vowel, level wobbling +-0.9 dB (1.8 dB peak to peak) at 5 Hz */
    printf("long vowel with a level wobble under 2 dB\n");
    const double rate = 16000;
    size_t n = (size_t)(2.5 * rate), s = (size_t)(0.5 * rate), m = (size_t)(1.5 * rate);
    float *x = calloc(n, sizeof(float));
    const double fa[] = {700.0, 1200.0, 2500.0};
    double phase = 0.0;
    vowel(x + s, m, rate, 140.0, fa, 3, 0.05, &phase);
    for (size_t i = 0; i < m; i++) {
        double t = (double)i / rate, ramp = fmin(1.0, fmin(t, 1.5 - t) / 0.03);
        x[s + i] *= (float)(ramp * pow(10.0, 0.9 * sin(2.0 * PI * 5.0 * t) / 20.0));
    }
    unsigned c = count(x, n, 16000);
    printf("  %u\n", c);
    CHECK(c == 1, "a long vowel with a 1.8 dB wobble: %u nuclei, want 1", c);
    free(x);
}

static void check_real(const char *dir)
{
    /* end_s: where the transcribed speech ends (the corpus's word timings;
     * 0: the whole file).  After "your country" jfk.wav holds the crowd's
     * cheering, which the transcript does not cover: nuclei there are not
     * the transcript's syllables. */
    static const struct {
        const char *file;
        unsigned syllables;
        double end_s;
    } rec[] = {{"jfk.wav", 28, 10.46}, {"ls_2412-153948-0000.wav", 53, 0.0}, {"ljs_LJ002-0020.wav", 5, 0.0}};
    printf("real speech (tests/data/SOURCES.md)\n");
    for (size_t i = 0; i < sizeof(rec) / sizeof(rec[0]); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, rec[i].file);
        VmcheckReport *r = NULL;
        int e = vmcheck_analyze_file(NULL, &r, path, NULL, 0, NULL);
        CHECK(e == 0 && r, "%s: error %d", path, e);
        if (!r) continue;
        size_t n = 0;
        for (size_t k = 0; k < r->syllable_count; k++) n += rec[i].end_s <= 0.0 || r->syllables_s[k] <= rec[i].end_s;
        if (n != r->syllable_count) printf("  %s: %zu nuclei after the speech\n", rec[i].file, r->syllable_count - n);
        double tol = fmax(1.0, 0.10 * rec[i].syllables);
        char what[128];
        snprintf(what, sizeof(what), "%s syllables", rec[i].file);
        CHECK_NEAR(n, rec[i].syllables, tol, what);
        vmcheck_report_free(&r);
    }
}

/* Gaussian noise through two-pole resonators at fm (Hz), bandwidth bw,
 * scaled to RMS rms. */
static void shaped_noise(float *x, size_t n, double rate, const double *fm, int nf, double bw, double rms_want,
                         SynthRng *rng)
{
    double *acc = calloc(n, sizeof(double));
    if (!acc) return;
    for (int q = 0; q < nf; q++) {
        const double r = exp(-PI * bw / rate), c = 2.0 * r * cos(2.0 * PI * fm[q] / rate);
        double y1 = 0.0, y2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double y = synth_gauss(rng) + c * y1 - r * r * y2;
            y2 = y1;
            y1 = y;
            acc[i] += y;
        }
    }
    double e = 0.0;
    for (size_t i = 0; i < n; i++) e += acc[i] * acc[i];
    const double g = e > 0.0 ? rms_want / sqrt(e / (double)n) : 0.0;
    const size_t ramp = (size_t)(0.01 * rate);
    for (size_t i = 0; i < n; i++) {
        double w = 1.0;
        if (i < ramp) w = 0.5 - 0.5 * cos(PI * (double)i / (double)ramp);
        if (n - 1 - i < ramp) w = 0.5 - 0.5 * cos(PI * (double)(n - 1 - i) / (double)ramp);
        x[i] = (float)(g * w * acc[i]);
    }
    free(acc);
}

/* voiced, unvoiced, voiced, unvoiced, voiced, unvoiced, voiced: 0.15 s
 * sounds 0.08 s apart (one stretch of speech); the unvoiced ones are
 * whispered vowels (formants 700 and 1100 Hz) or hisses (5 and 6.5 kHz). */
static unsigned voiced_and_not(int whisper, double rate)
{
    SynthRng rng;
    synth_seed(&rng, 5);
    const double on = 0.15, off = 0.08, lead = 0.5;
    const size_t n = (size_t)((2.0 * lead + 7.0 * (on + off)) * rate), m = (size_t)(on * rate);
    float *x = calloc(n, sizeof(float)), *tmp = calloc(m, sizeof(float));
    if (!x || !tmp) {
        free(x);
        free(tmp);
        CHECK(0, "out of memory");
        return 0;
    }
    const double fa[] = {700.0, 1200.0, 2500.0}, fw[] = {700.0, 1100.0}, fs[] = {5000.0, 6500.0};
    for (int k = 0; k < 7; k++) {
        size_t s = (size_t)((lead + k * (on + off)) * rate);
        memset(tmp, 0, m * sizeof(float));
        if (k % 2 == 0) {
            double phase = 0.0;
            vowel(tmp, m, rate, 120.0 + 6.0 * k, fa, 3, 0.05, &phase);
        } else {
            shaped_noise(tmp, m, rate, whisper ? fw : fs, 2, whisper ? 150.0 : 1500.0, 0.02, &rng);
        }
        for (size_t i = 0; i < m; i++) x[s + i] = tmp[i];
    }
    unsigned c = count(x, n, (unsigned)rate);
    free(x);
    free(tmp);
    return c;
}

static void check_unvoiced(void)
{
    printf("whispered vowels and hisses between voiced ones (noise seed 5)\n");
    unsigned w = voiced_and_not(1, 16000.0), h = voiced_and_not(0, 16000.0);
    printf("  whispered: %u, hissed: %u\n", w, h);
    CHECK(w == 7, "4 voiced + 3 whispered vowels count 7, got %u", w);
    CHECK(h == 4, "4 voiced vowels and 3 hisses count 4, got %u", h);
}

/* x[a, b) (seconds) db quieter, with 20 ms raised-cosine ramps centred on
 * its edges (as tools/quietset.py does it). */
static void quieten(float *x, size_t n, double rate, double a, double b, double db)
{
    const double g = pow(10.0, -db / 20.0), half = 0.01;
    for (size_t i = 0; i < n; i++) {
        const double t = (double)i / rate;
        double w = 0.0;
        if (t > a - half && t < b + half) {
            w = 1.0;
            if (t < a + half) w = 0.5 - 0.5 * cos(PI * (t - (a - half)) / (2.0 * half));
            if (t > b - half) w = 0.5 - 0.5 * cos(PI * ((b + half) - t) / (2.0 * half));
        }
        x[i] *= (float)(1.0 - w * (1.0 - g));
    }
}

/* The number segment's syllables with labels; -1 on failure. */
static long number_syllables(const float *x, size_t n, unsigned rate, double a, double b, double *per_s, int *fast)
{
    const VmcheckSegmentSpec seg = {VMCHECK_SEGMENT_NUMBER, a, b, 0};
    VmcheckReport *r = test_analyse(x, n, rate, NULL, &seg, 1, NULL, 0);
    long syl = -1;
    for (size_t k = 0; r && k < r->segment_count; k++)
        if (r->segments[k].kind == VMCHECK_SEGMENT_NUMBER) {
            syl = (long)r->segments[k].syllables;
            *per_s = r->segments[k].syllables_per_s;
            *fast = r->segments[k].too_fast;
        }
    vmcheck_report_free(&r);
    return syl;
}

/* A synthetic message: eight loud syllables (3.5 a second), a pause, a
 * rushed number of 16 syllables (5 a second, every other one 8 dB softer,
 * as unstressed syllables are), a pause, six loud syllables; under white
 * noise 60 dB below the loud syllables. */
static float *quiet_message(size_t *len, double rate, double number_db, double *a, double *b, SynthRng *rng)
{
    const double lead = 0.4, pause = 0.35, loud_per = 1.0 / 3.5, num_per = 0.2;
    const double t_num = lead + 8 * loud_per + pause, t_end = t_num + 16 * num_per + pause;
    *len = (size_t)((t_end + 6 * loud_per + 0.4) * rate);
    float *x = calloc(*len, sizeof(float));
    if (!x) return NULL;
    const double fv[][3] = {{700.0, 1200.0, 2500.0}, {400.0, 2000.0, 2600.0}, {550.0, 900.0, 2400.0}};
    for (int s = 0; s < 30; s++) {
        const int in_num = s >= 8 && s < 24;
        const double t0 = s < 8    ? lead + s * loud_per
                          : in_num ? t_num + (s - 8) * num_per
                                   : t_end + (s - 24) * loud_per;
        const double dur = 0.6 * (in_num ? num_per : loud_per);
        const double db = in_num ? -number_db - (s % 2 ? 8.0 : 0.0) : (s % 3 == 1 ? -6.0 : 0.0);
        const size_t i0 = (size_t)(t0 * rate), m = (size_t)(dur * rate), ramp = (size_t)(0.015 * rate);
        float *tmp = calloc(m, sizeof(float));
        if (!tmp) break;
        double phase = 0.0;
        vowel(tmp, m, rate, 110.0 + 9.0 * (s % 5), fv[s % 3], 3, 0.05 * pow(10.0, db / 20.0), &phase);
        for (size_t i = 0; i < m; i++) {
            double g = 1.0;
            if (i < ramp) g = 0.5 - 0.5 * cos(PI * (double)i / (double)ramp);
            if (m - 1 - i < ramp) g = 0.5 - 0.5 * cos(PI * (double)(m - 1 - i) / (double)ramp);
            x[i0 + i] += (float)((double)tmp[i] * g);
        }
        free(tmp);
    }
    *a = t_num - 0.05;
    *b = t_num + 15 * num_per + 0.6 * num_per + 0.05;
    synth_add_noise(x, *len, 0.05 * pow(10.0, -60.0 / 20.0), rng);
    return x;
}

/* A file's samples (mono float), malloc'd; NULL on failure. */
static float *read_audio(const char *path, size_t *len, unsigned *rate)
{
    VmcSource *src = NULL;
    if (vmc_source_open_path(&src, path, NULL)) return NULL;
    *rate = vmc_source_info(src)->rate_hz;
    size_t cap = 1 << 16, n = 0;
    float *x = malloc(cap * sizeof(float));
    for (;;) {
        const float *mono;
        size_t k, clipped, samples;
        if (!x || vmc_source_read(src, &mono, &k, &clipped, &samples) || !k) break;
        if (n + k > cap) {
            float *y = realloc(x, (cap *= 2) * sizeof(float));
            if (!y) {
                free(x);
                x = NULL;
                break;
            }
            x = y;
        }
        memcpy(x + n, mono, k * sizeof(float));
        n += k;
    }
    vmc_source_close(&src);
    *len = n;
    return x;
}

static void check_quiet_number(const char *dir)
{
    printf("a number said 20-25 dB quieter than the rest, with labels (noise seed 6)\n");
    SynthRng rng;
    synth_seed(&rng, 6);
    const double levels[] = {0.0, 20.0, 25.0};
    for (int tel = 0; tel < 2; tel++)
        for (size_t l = 0; l < 3; l++) {
            const double rate = tel ? 8000.0 : 16000.0;
            size_t n;
            double a, b, per_s = 0.0;
            int fast = -1;
            float *x = quiet_message(&n, rate, levels[l], &a, &b, &rng);
            CHECK(x != NULL, "out of memory");
            if (!x) continue;
            if (tel) synth_telephone(x, n, rate);
            const long syl = number_syllables(x, n, (unsigned)rate, a, b, &per_s, &fast);
            printf("  synthetic, %s, number %2.0f dB down: %ld syllables, %.2f/s, %s\n", tel ? "8 kHz mu-law" : "clean",
                   levels[l], syl, per_s, fast ? "too fast" : "ok");
            CHECK(syl == 16, "synthetic, %s, number %.0f dB down: %ld syllables, want 16", tel ? "phone" : "clean",
                  levels[l], syl);
            CHECK(fast == 1, "synthetic, number %.0f dB down: verdict %d, want too fast", levels[l], fast);
            free(x);
        }
    /* tests/data/onebreath-rushed*: "... call me on five two four six two
     * one seven nine one six talk to you soon", the number (6.28-8.55 s by
     * the forced alignment, 11 syllables: 4.85 a second) said quieter */
    static const char *const files[] = {"onebreath-rushed.flac", "onebreath-rushed-phone.wav"};
    const double a = 6.28, b = 8.55, want = 11.0 / (b - a);
    for (size_t f = 0; f < 2; f++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
        size_t n;
        unsigned rate;
        float *orig = read_audio(path, &n, &rate);
        CHECK(orig != NULL, "cannot read %s", path);
        float *x = orig ? malloc(n * sizeof(float)) : NULL;
        for (size_t l = 0; x && l < 3; l++) {
            memcpy(x, orig, n * sizeof(float));
            quieten(x, n, rate, a, b, levels[l]);
            double per_s = 0.0;
            int fast = -1;
            const long syl = number_syllables(x, n, rate, a, b, &per_s, &fast);
            printf("  %s, number %2.0f dB down: %ld syllables, %.2f/s, %s\n", files[f], levels[l], syl, per_s,
                   fast ? "too fast" : "ok");
            char what[128];
            snprintf(what, sizeof(what), "%s -%.0f dB: number syl/s", files[f], levels[l]);
            CHECK_NEAR(per_s, want, 0.1 * want, what);
            CHECK(fast == 1, "%s, number %.0f dB down: verdict %d, want too fast", files[f], levels[l], fast);
        }
        free(x);
        free(orig);
    }
}

int main(int argc, char **argv)
{
    check_trains();
    check_joined_and_wobble();
    check_unvoiced();
    if (argc > 1) {
        check_real(argv[1]);
        check_quiet_number(argv[1]);
    } else
        CHECK(0, "usage: test_nuclei DATA_DIR");
    return test_done();
}
