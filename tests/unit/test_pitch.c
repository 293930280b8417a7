/* Pitch on signals with a known F0: harmonic tones, a glide, a telephone
 * tone without its fundamental, tones in noise, an octave trap, silence,
 * and a 2-semitone lift against a baseline. */
#include <math.h>
#include <string.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

/* f0 of the tone at time t (for the glide), or constant */
typedef double (*F0Fn)(double t, double base);
static double constant(double t, double base) { return (void)t, base; }
static double glide(double t, double base) { return base * pow(2.0, (t - 0.3) / 2.0); } /* an octave in 2 s */

/* 0.3 s silence, dur_s of tone, 0.3 s silence.  amps: harmonic amplitudes (NULL = 1/k). */
static float *tone(size_t *n, unsigned rate, double f0, double dur_s, F0Fn fn, const double *amps, size_t namps,
                   double max_hz)
{
    *n = (size_t)((0.6 + dur_s) * rate);
    float *x = calloc(*n, sizeof(float));
    double ph = 0.0;
    size_t a = (size_t)(0.3 * rate), b = a + (size_t)(dur_s * rate);
    for (size_t i = a; i < b; i++) {
        double t = (double)i / rate, f = fn(t, f0), s = 0.0;
        for (int k = 1; k * f < max_hz; k++) {
            double g = amps ? ((size_t)k <= namps ? amps[k - 1] : 0.0) : 1.0 / k;
            s += g * sin(k * ph);
        }
        double ramp = fmin(1.0, fmin((double)(i - a), (double)(b - i)) / (0.01 * rate));
        x[i] = (float)(0.05 * s * ramp);
        ph += 2 * M_PI * f / rate;
    }
    return x;
}

static int has_flag(const VmcheckReport *r, enum VmcheckFlagCode code)
{
    for (size_t i = 0; r && i < r->flag_count; i++)
        if (r->flags[i].code == code) return 1;
    return 0;
}

static VmcheckReport *analyse(const float *x, size_t n, unsigned rate, double baseline)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    cfg.baseline_f0_hz = baseline;
    return test_analyse(x, n, rate, &cfg, NULL, 0, NULL, 0);
}

/* Median F0 within 1 %, and (skipping 50 ms at each end of the tone) every
 * frame voiced and within 2 % of the truth. */
static void check_tone(const char *what, float *x, size_t n, unsigned rate, double f0, double dur_s, F0Fn fn,
                       double tol_pct)
{
    VmcheckReport *r = analyse(x, n, rate, 0.0);
    CHECK(r != NULL, "%s: analysis failed", what);
    if (!r) return;
    printf("%s\n", what);
    if (fn == constant) CHECK_NEAR(r->f0_median_hz, f0, f0 * tol_pct / 100.0, "median F0 Hz");
    size_t bad = 0, unvoiced = 0, total = 0;
    for (size_t i = (size_t)((0.35) / 0.01); i * 0.01 < 0.25 + dur_s; i++) {
        double want = fn(i * 0.01, f0);
        total++;
        if (r->f0_hz[i] <= 0.0f)
            unvoiced++;
        else if (fabs((double)r->f0_hz[i] - want) / want > 0.02)
            bad++;
    }
    printf("  %zu frames: %zu unvoiced, %zu off by more than 2 %%\n", total, unvoiced, bad);
    CHECK(unvoiced <= total / 50, "%s: %zu of %zu tone frames unvoiced", what, unvoiced, total);
    CHECK(bad == 0, "%s: %zu frames off by more than 2 %%", what, bad);
    /* the silences around the tone are unvoiced */
    size_t v_sil = 0;
    for (size_t i = 0; i < 25; i++) v_sil += r->f0_hz[i] > 0.0f;
    CHECK(v_sil == 0, "%s: %zu voiced frames in the leading silence", what, v_sil);
    vmcheck_report_free(&r);
}

int main(void)
{
    size_t n;
    float *x;
    const double f0s[] = {80, 120, 200, 300};
    for (int i = 0; i < 4; i++) {
        char what[64];
        snprintf(what, sizeof(what), "harmonic tone %.0f Hz, 16 kHz", f0s[i]);
        x = tone(&n, 16000, f0s[i], 1.5, constant, NULL, 0, 5000);
        check_tone(what, x, n, 16000, f0s[i], 1.5, constant, 1.0);
        free(x);
    }
    x = tone(&n, 44100, 120, 1.5, constant, NULL, 0, 5000);
    check_tone("harmonic tone 120 Hz, 44.1 kHz", x, n, 44100, 120, 1.5, constant, 1.0);
    free(x);

    x = tone(&n, 16000, 100, 2.0, glide, NULL, 0, 5000);
    check_tone("glide 100 -> 200 Hz over 2 s", x, n, 16000, 100, 2.0, glide, 1.0);
    free(x);

    /* telephone: 8 kHz, 300-3400 Hz, mu-law: a 120 Hz voice has lost its
     * fundamental and second harmonic; the period is still there */
    x = tone(&n, 8000, 120, 1.5, constant, NULL, 0, 3800);
    synth_telephone(x, n, 8000);
    check_tone("missing fundamental: 120 Hz through a telephone band", x, n, 8000, 120, 1.5, constant, 1.0);
    free(x);

    SynthRng rng;
    synth_seed(&rng, 4242);
    printf("noise seed 4242\n");
    for (int i = 0; i < 4; i++) {
        char what[64];
        snprintf(what, sizeof(what), "tone %.0f Hz in noise at 15 dB SNR", f0s[i]);
        x = tone(&n, 16000, f0s[i], 1.5, constant, NULL, 0, 5000);
        double pw = 0;
        for (int k = 1; k * f0s[i] < 5000; k++) pw += 0.5 * 0.05 * 0.05 / (k * k);
        synth_add_noise(x, n, sqrt(pw) / pow(10, 15.0 / 20), &rng);
        check_tone(what, x, n, 16000, f0s[i], 1.5, constant, 1.0);
        free(x);
    }

    /* octave trap: the second harmonic four times the fundamental's amplitude */
    const double trap[] = {0.25, 1.0, 0.2, 0.3, 0.1, 0.1};
    x = tone(&n, 16000, 110, 1.5, constant, trap, 6, 5000);
    check_tone("octave trap: 110 Hz with a strong 2nd harmonic", x, n, 16000, 110, 1.5, constant, 1.0);
    free(x);

    /* silence: nothing voiced */
    x = calloc(16000, sizeof(float));
    VmcheckReport *r = analyse(x, 16000, 16000, 0.0);
    size_t v = 0;
    for (size_t i = 0; r && i < r->frame_count; i++) v += r->f0_hz[i] > 0.0f;
    CHECK(r && v == 0 && r->voiced_frames == 0 && r->f0_median_hz == 0.0, "silence: %zu voiced frames", v);
    vmcheck_report_free(&r);
    free(x);

    /* lift: the same intoned voice 2 semitones up gives lift_st = 2 +- 0.2 */
    x = tone(&n, 16000, 110, 2.0, glide, NULL, 0, 5000);
    r = analyse(x, n, 16000, 0.0);
    double base = r ? r->f0_median_hz : 0;
    CHECK(r && isnan(r->lift_st), "no baseline: lift is NaN (null in JSON)");
    vmcheck_report_free(&r);
    free(x);
    x = tone(&n, 16000, 110 * pow(2, 2.0 / 12), 2.0, glide, NULL, 0, 5000);
    r = analyse(x, n, 16000, base);
    printf("lift against a baseline of %.1f Hz\n", base);
    if (r) CHECK_NEAR(r->lift_st, 2.0, 0.2, "lift_st");
    CHECK(r && !has_flag(r, VMCHECK_FLAG_NO_LIFT) && !has_flag(r, VMCHECK_FLAG_OVERDONE_LIFT),
          "a 2 st lift is neither no_lift nor overdone");
    vmcheck_report_free(&r);
    r = analyse(x, n, 16000, base * pow(2, 1.8 / 12));
    CHECK(has_flag(r, VMCHECK_FLAG_NO_LIFT) && !has_flag(r, VMCHECK_FLAG_OVERDONE_LIFT), "0.2 st lift flags no_lift");
    vmcheck_report_free(&r);
    free(x);

    /* monotone: a steady 120 Hz tone for 1.5 s has no range at all */
    x = tone(&n, 16000, 120, 1.5, constant, NULL, 0, 5000);
    r = analyse(x, n, 16000, 0.0);
    CHECK(r && r->range_st < 0.2, "steady tone range %.2f st", r ? r->range_st : -1);
    CHECK(has_flag(r, VMCHECK_FLAG_MONOTONE), "a steady tone is flagged monotone");
    vmcheck_report_free(&r);
    free(x);
    return test_done();
}
