/* Every decision threshold just at, just under and just over its limit:
 * the figure is measured once, then the limit set to it exactly (a strict
 * comparison does not fire) and one double step either side.  Also the
 * defaults of the name and number limits, the shortest pause, the
 * syllable dip and the slack allowed to labels past the end. */
#include <float.h>
#include <string.h>

#include "analysis.h"
#include "events/activity.h"
#include "events/nuclei.h"
#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

#define RATE 16000

static VmcheckReport *analyse(const float *x, size_t n, const VmcheckConfig *cfg, const VmcheckSegmentSpec *segs,
                              size_t n_segs)
{
    return test_analyse(x, n, RATE, cfg, segs, n_segs, NULL, 0);
}

static int has(const VmcheckReport *r, enum VmcheckFlagCode code)
{
    for (size_t i = 0; r && i < r->flag_count; i++)
        if (vmcheck_report_flag(r, i)->code == code) return 1;
    return 0;
}

/* Bursts: count of them, on_s long every period_s, after lead_s, pitch varied. */
static float *bursts(size_t *len, double lead_s, int count, double on_s, double period_s, double rms)
{
    SynthPiece p[200];
    size_t np = 0;
    p[np++] = (SynthPiece){lead_s, 0};
    for (int i = 0; i < count && np + 2 < 200; i++) {
        p[np++] = (SynthPiece){on_s, 110.0 * (1.0 + 0.08 * (i % 5))};
        p[np++] = (SynthPiece){period_s - on_s, 0};
    }
    p[np++] = (SynthPiece){0.5, 0};
    return synth_message(len, RATE, p, np, 4000, rms);
}

/* One flag limit: set by set(cfg, v) to the measured v (no flag), then one
 * step towards firing (flag). */
typedef void (*SetLimit)(VmcheckConfig *c, double v);
static void set_long(VmcheckConfig *c, double v) { c->long_message_s = v; }
static void set_late(VmcheckConfig *c, double v) { c->late_start_s = v; }
static void set_low(VmcheckConfig *c, double v) { c->low_level_dbfs = v; }
static void set_clip(VmcheckConfig *c, double v) { c->clipping_ratio = v; }
static void set_noisy(VmcheckConfig *c, double v) { c->noisy_snr_db = v; }
static void set_mono(VmcheckConfig *c, double v) { c->monotone_range_st = v; }
static void set_min_lift(VmcheckConfig *c, double v) { c->min_lift_st = v; }
static void set_max_lift(VmcheckConfig *c, double v) { c->max_lift_st = v; }
static void set_number(VmcheckConfig *c, double v) { c->max_number_rate = v; }
static void set_name(VmcheckConfig *c, double v) { c->max_name_rate = v; }

static void limit(const char *what, const float *x, size_t n, const VmcheckConfig *base, const VmcheckSegmentSpec *segs,
                  size_t n_segs, double v, SetLimit set, enum VmcheckFlagCode code, int fires_above)
{
    VmcheckConfig c = *base;
    set(&c, v);
    VmcheckReport *r = analyse(x, n, &c, segs, n_segs);
    CHECK(r && !has(r, code), "%s: limit at the figure itself (%.17g): %s fired", what, v, vmcheck_flag_name(code));
    vmcheck_report_free(&r);
    /* a limit one step to the firing side: now the figure is past it */
    set(&c, nextafter(v, fires_above ? -DBL_MAX : DBL_MAX));
    r = analyse(x, n, &c, segs, n_segs);
    CHECK(r && has(r, code), "%s: limit one step past the figure: %s did not fire", what, vmcheck_flag_name(code));
    vmcheck_report_free(&r);
    /* and one step the other way: still quiet */
    set(&c, nextafter(v, fires_above ? DBL_MAX : -DBL_MAX));
    r = analyse(x, n, &c, segs, n_segs);
    CHECK(r && !has(r, code), "%s: limit one step short of the figure: %s fired", what, vmcheck_flag_name(code));
    vmcheck_report_free(&r);
    printf("  %-22s at %.6f: quiet at the limit, fires one step past it\n", what, v);
}

static void flag_limits(void)
{
    size_t n;
    float *x = bursts(&n, 0.5, 30, 0.15, 0.33, 0.05);
    SynthRng rng;
    synth_seed(&rng, 14);
    synth_add_noise(x, n, 0.0005, &rng);                         /* a finite SNR */
    for (size_t i = 20000; i < 20000 + 400; i += 4) x[i] = 1.0f; /* 100 clipped samples */
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.baseline_f0_hz = 100.0;
    const VmcheckSegmentSpec segs[2] = {{VMCHECK_SEGMENT_NUMBER, 2.0, 4.0, 0}, {VMCHECK_SEGMENT_NAME, 6.0, 7.0, 0}};
    VmcheckReport *r = analyse(x, n, &cfg, segs, 2);
    CHECK(r && r->has_speech && r->voiced_frames >= 50 && r->segment_count == 2 && r->clipped_ratio > 0.0 &&
              isfinite(r->snr_db) && isfinite(r->lift_st),
          "fixture: speech, voicing, two segments, clipping, a finite SNR and lift");
    if (!r) return;
    const double span = r->speech_end_s - r->speech_start_s;
    const double start = r->speech_start_s, level = r->speech_dbfs, clip = r->clipped_ratio, snr = r->snr_db;
    const double range = r->range_st, lift = r->lift_st;
    const double num_rate = vmcheck_report_segment(r, 0)->syllables_per_s;
    const double name_rate = vmcheck_report_segment(r, 1)->syllables_per_s;
    vmcheck_report_free(&r);
    limit("--long-message", x, n, &cfg, segs, 2, span, set_long, VMCHECK_FLAG_LONG_MESSAGE, 1);
    limit("--late-start", x, n, &cfg, segs, 2, start, set_late, VMCHECK_FLAG_LATE_START, 1);
    limit("--low-level", x, n, &cfg, segs, 2, level, set_low, VMCHECK_FLAG_LOW_LEVEL, 0);
    limit("--clipping", x, n, &cfg, segs, 2, clip, set_clip, VMCHECK_FLAG_CLIPPING, 1);
    limit("--noisy-snr", x, n, &cfg, segs, 2, snr, set_noisy, VMCHECK_FLAG_NOISY, 0);
    limit("--monotone-range", x, n, &cfg, segs, 2, range, set_mono, VMCHECK_FLAG_MONOTONE, 0);
    limit("--min-lift", x, n, &cfg, segs, 2, lift, set_min_lift, VMCHECK_FLAG_NO_LIFT, 0);
    limit("--max-lift", x, n, &cfg, segs, 2, lift, set_max_lift, VMCHECK_FLAG_OVERDONE_LIFT, 1);
    limit("--max-number-rate", x, n, &cfg, segs, 2, num_rate, set_number, VMCHECK_FLAG_NUMBER_TOO_FAST, 1);
    limit("--max-name-rate", x, n, &cfg, segs, 2, name_rate, set_name, VMCHECK_FLAG_NAME_TOO_FAST, 1);
    free(x);
}

/* The default name and number limits on a segment of exactly 4 syllables/s:
 * over the number's 3.5, exactly at the name's 4.0 (not over). */
static void default_rates(void)
{
    size_t n;
    float *x = bursts(&n, 0.5, 24, 0.12, 0.25, 0.05);
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    /* the documented defaults (README, man page, --help) */
    CHECK(cfg.max_number_rate == 3.5 && cfg.max_name_rate == 4.0 && cfg.min_pause_s == 0.25,
          "defaults 3.5, 4.0, 0.25 s");
    CHECK(cfg.min_lift_st == 0.5 && cfg.max_lift_st == 6.0 && cfg.monotone_range_st == 3.0 &&
              cfg.long_message_s == 30.0 && cfg.late_start_s == 2.0 && cfg.low_level_dbfs == -40.0 &&
              cfg.clipping_ratio == 0.001 && cfg.noisy_snr_db == 15.0 && cfg.pitch_floor_hz == 60.0 &&
              cfg.pitch_ceiling_hz == 500.0,
          "flag limit defaults as documented");
    const VmcheckSegmentSpec segs[2] = {{VMCHECK_SEGMENT_NUMBER, 2.0, 3.0, 0}, {VMCHECK_SEGMENT_NAME, 4.0, 5.0, 0}};
    VmcheckReport *r = analyse(x, n, &cfg, segs, 2);
    const VmcheckSegment *num = vmcheck_report_segment(r, 0), *name = vmcheck_report_segment(r, 1);
    CHECK(num && name && num->syllables == 4 && name->syllables == 4, "fixture: 4 syllables in each 1 s span");
    if (num && name) {
        CHECK_NEAR(num->syllables_per_s, 4.0, 0.0, "number rate");
        CHECK(num->too_fast && has(r, VMCHECK_FLAG_NUMBER_TOO_FAST), "4.0 syllables/s: number too fast by default");
        CHECK(!name->too_fast && !has(r, VMCHECK_FLAG_NAME_TOO_FAST), "4.0 syllables/s: name at its limit is ok");
    }
    vmcheck_report_free(&r);
    free(x);
}

/* The shortest pause: silences whose measured length lies just under and
 * just over 0.25 s; --min-pause at a measured length counts it, a
 * millisecond and a bit more does not. */
static void pauses(void)
{
    /* bursts with silences of 0.20, 0.23, 0.26, 0.29 s between them */
    SynthPiece p[40];
    size_t np = 0;
    const double gaps[4] = {0.20, 0.23, 0.26, 0.29};
    p[np++] = (SynthPiece){0.5, 0};
    for (int i = 0; i < 12; i++) {
        p[np++] = (SynthPiece){0.2, 120.0 + 7.0 * i};
        p[np++] = (SynthPiece){i < 11 ? gaps[i % 4] : 0.5, 0};
    }
    size_t n;
    float *x = synth_message(&n, RATE, p, np, 4000, 0.05);
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.min_pause_s = 0.1;
    VmcheckReport *all = analyse(x, n, &cfg, NULL, 0);
    CHECK(all && all->pause_count == 11, "fixture: 11 silences found with --min-pause 0.1 (%zu)",
          all ? all->pause_count : 0);
    double under = 0.0, over = 1.0; /* the longest measured under 0.25 s, the shortest over */
    for (size_t i = 0; all && i < all->pause_count; i++) {
        const double len = all->pauses[i].end_s - all->pauses[i].start_s;
        if (len < 0.25 && len > under) under = len;
        if (len >= 0.25 && len < over) over = len;
    }
    printf("  pauses measured: longest under 0.25 s %.4f, shortest over %.4f\n", under, over);
    CHECK(under > 0.215 && under < 0.245 && over > 0.2505 && over < 0.265,
          "fixture: measured silences near 0.25 s on both sides (%.4f, %.4f)", under, over);
    size_t n_over = 0;
    for (size_t i = 0; all && i < all->pause_count; i++)
        n_over += all->pauses[i].end_s - all->pauses[i].start_s >= 0.25;
    vmcheck_report_free(&all);

    vmcheck_config_default(&cfg);
    VmcheckReport *r = analyse(x, n, &cfg, NULL, 0);
    CHECK(r && r->pause_count == n_over, "default 0.25 s: %zu pauses, want the %zu measured at 0.25 s or more",
          r ? r->pause_count : 0, n_over);
    vmcheck_report_free(&r);
    /* the limit at a measured length counts it (a millisecond of slack for rounding) */
    size_t want_at = 0;
    cfg.min_pause_s = under + 0.0009;
    r = analyse(x, n, &cfg, NULL, 0);
    CHECK(r && r->pause_count > n_over, "--min-pause at %.4f counts the %.4f s silence", cfg.min_pause_s, under);
    want_at = r ? r->pause_count : 0;
    vmcheck_report_free(&r);
    cfg.min_pause_s = under + 0.0011;
    r = analyse(x, n, &cfg, NULL, 0);
    CHECK(r && r->pause_count < want_at, "--min-pause at %.4f leaves the %.4f s silence out", cfg.min_pause_s, under);
    vmcheck_report_free(&r);
    free(x);
}

/* A syllable nucleus needs a valley of 3 dB on both sides: two peaks with
 * 3.0 dB between them are two nuclei, with 2.9 dB one. */
static size_t nuclei_with_dip(float dip)
{
    enum { N = 100 };
    float band[N], energy[N], f0[N];
    unsigned char active[N];
    for (size_t i = 0; i < N; i++) {
        const int in = i >= 30 && i < 70;
        const float d = i < 40 ? 0.0f : i < 50 ? (float)(i - 40) / 10.0f : i < 60 ? (float)(60 - i) / 10.0f : 0.0f;
        band[i] = in ? -20.0f - dip * d -
                           (i < 40   ? 0.5f * (float)(40 - i)
                            : i > 60 ? 0.5f * (float)(i - 60)
                                     : 0.0f)
                     : -60.0f;
        energy[i] = band[i];
        f0[i] = in ? 120.0f : 0.0f;
        active[i] = (unsigned char)in;
    }
    VmcActivity act;
    memset(&act, 0, sizeof(act));
    act.has_speech = 1;
    act.start = 30;
    act.end = 70;
    act.active = active;
    act.n = N;
    VmcNucleiParams p;
    vmc_nuclei_params_default(&p);
    VmcNuclei nu;
    if (vmc_nuclei_detect(&nu, band, energy, f0, NULL, NULL, &act, N, 0.01, &p)) return 99;
    size_t k = nu.n;
    vmc_nuclei_free(&nu);
    return k;
}

static void nuclei_dip(void)
{
    CHECK(nuclei_with_dip(3.0f) == 2, "a 3.0 dB valley parts two nuclei (%zu)", nuclei_with_dip(3.0f));
    CHECK(nuclei_with_dip(3.5f) == 2, "a 3.5 dB valley parts two nuclei (%zu)", nuclei_with_dip(3.5f));
    CHECK(nuclei_with_dip(2.9f) == 1, "a 2.9 dB valley does not (%zu)", nuclei_with_dip(2.9f));
}

/* Labels may end one hop past the recording (rounding), not a step more. */
static void label_slack(void)
{
    size_t n = 10 * RATE;
    float *x = calloc(n, sizeof(float));
    if (!x) return;
    const double dur = 10.0;
    VmcheckSegmentSpec s = {VMCHECK_SEGMENT_NUMBER, 5.0, dur + VMCHECK_HOP_S, 0};
    VmcheckAnalyzer *a = NULL;
    VmcheckReport *r = NULL;
    CHECK(!vmcheck_analyzer_create(&a, NULL, RATE) && !vmcheck_analyzer_push(a, x, n), "push");
    CHECK(vmcheck_analyzer_finish(a, &r, &s, 1, NULL) == VMCHECK_OK, "a label one hop past the end is accepted");
    vmcheck_report_free(&r);
    vmcheck_analyzer_destroy(&a);
    s.end_s = nextafter(dur + VMCHECK_HOP_S, DBL_MAX);
    CHECK(!vmcheck_analyzer_create(&a, NULL, RATE) && !vmcheck_analyzer_push(a, x, n), "push");
    CHECK(vmcheck_analyzer_finish(a, &r, &s, 1, NULL) == VMCHECK_ELABELS, "a step further is refused");
    vmcheck_report_free(&r);
    vmcheck_analyzer_destroy(&a);
    free(x);
}

int main(void)
{
    printf("flag limits\n");
    flag_limits();
    printf("default name and number limits\n");
    default_rates();
    printf("pauses\n");
    pauses();
    printf("syllable dip\n");
    nuclei_dip();
    printf("label slack\n");
    label_slack();
    return test_done();
}
