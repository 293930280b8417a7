/* Every flag of SPEC.md fires on a signal made to deserve it, with a
 * one-line message that names the figure and the remedy; and does not fire
 * on a clean message. */
#include <stdint.h>
#include <string.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

static VmcheckReport *analyse(const float *x, size_t n, const VmcheckConfig *cfg, const VmcheckSegmentSpec *segs,
                              size_t n_segs, const char *script)
{
    return test_analyse(x, n, 16000, cfg, segs, n_segs, script, 0);
}

static const VmcheckFlag *find(const VmcheckReport *r, enum VmcheckFlagCode code)
{
    for (size_t i = 0; r && i < r->flag_count; i++)
        if (r->flags[i].code == code) return &r->flags[i];
    return NULL;
}

static void expect(const char *what, const VmcheckReport *r, enum VmcheckFlagCode code, enum VmcheckSeverity sev)
{
    const VmcheckFlag *f = find(r, code);
    CHECK(f != NULL, "%s: flag %s missing", what, vmcheck_flag_name(code));
    if (!f) return;
    int digit = 0;
    for (const char *p = f->message; *p; p++) digit |= *p >= '0' && *p <= '9';
    printf("  %-16s %s\n", vmcheck_flag_name(code), f->message);
    /* a figure in the message, except where there is none to give */
    int figure_free = code == VMCHECK_FLAG_NO_SPEECH || code == VMCHECK_FLAG_NUMBER_NOT_FOUND;
    CHECK(strlen(f->message) > 30 && (digit || figure_free), "%s: message '%s'", what, f->message);
    CHECK(!strchr(f->message, '\n'), "%s: one line", what);
    CHECK(f->severity == sev, "%s: severity", what);
}

/* Syllable-like bursts: n of them, each on_s long, every period_s, after lead_s. */
static float *bursts(size_t *len, double lead_s, int count, double on_s, double period_s, double rms, double f0)
{
    SynthPiece p[400];
    size_t np = 0;
    p[np++] = (SynthPiece){lead_s, 0};
    for (int i = 0; i < count && np + 2 < 400; i++) {
        p[np++] = (SynthPiece){on_s, f0 * (1.0 + 0.08 * (i % 5))};
        p[np++] = (SynthPiece){period_s - on_s, 0};
    }
    p[np++] = (SynthPiece){0.5, 0};
    return synth_message(len, 16000, p, np, 4000, rms);
}

/* Talk: words of 1-3 syllables, voiced through, each syllable a swell of
 * the level with ~10 dB dips between; words often run together.  Random
 * lengths and levels from a fixed seed: nothing like the even, separated
 * digits of a phone number. */
static float *talk(size_t *len, double seconds, uint64_t seed)
{
    SynthRng rng;
    synth_seed(&rng, seed);
    printf("  talk seed %llu\n", (unsigned long long)seed);
    const size_t n = (size_t)((seconds + 1.0) * 16000);
    float *x = calloc(n, sizeof(float));
    size_t pos = 8000;
    double phase = 0.0;
    while (x && pos < n - 8000) {
        int syl = 1 + (int)(3.0 * synth_uniform(&rng));
        size_t each = (size_t)((0.12 + 0.12 * synth_uniform(&rng)) * 16000), word = each * (size_t)syl;
        if (pos + word >= n - 8000) break;
        double rms = 0.05 * pow(10.0, (12.0 * synth_uniform(&rng) - 6.0) / 20.0);
        synth_harmonic(x + pos, word, 16000, 95.0 + 60.0 * synth_uniform(&rng), 4000, rms, &phase);
        for (size_t i = 0; i < word; i++) /* a swell per syllable, 0.3 (-10 dB) between */
            x[pos + i] *= (float)(0.3 + 0.7 * pow(sin(M_PI * (double)(i % each) / (double)each), 2.0));
        pos += word;
        if (synth_uniform(&rng) < 0.5) pos += (size_t)((0.05 + 0.25 * synth_uniform(&rng)) * 16000);
    }
    *len = n;
    return x;
}

int main(void)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    size_t n;
    VmcheckReport *r;

    /* a clean message: 3 syllables/s, varied pitch, 10 s, given a number */
    float *x = bursts(&n, 0.5, 30, 0.15, 0.33, 0.05, 110);
    VmcheckSegmentSpec num = {VMCHECK_SEGMENT_NUMBER, 5.0, 9.0, 0};
    r = analyse(x, n, &cfg, &num, 1, NULL);
    CHECK(r && r->flag_count == 0, "a clean message has no flags (%zu: %s)", r ? r->flag_count : 99,
          r && r->flag_count ? r->flags[0].message : "");
    vmcheck_report_free(&r);

    /* the same with limits under its pace: the number and the name are rushed */
    VmcheckSegmentSpec fast[2] = {{VMCHECK_SEGMENT_NUMBER, 2.0, 4.0, 0}, {VMCHECK_SEGMENT_NAME, 6.0, 7.0, 0}};
    cfg.max_number_rate = 2.0;
    cfg.max_name_rate = 2.0;
    r = analyse(x, n, &cfg, fast, 2, NULL);
    printf("rushed number and name\n");
    expect("rushed number", r, VMCHECK_FLAG_NUMBER_TOO_FAST, VMCHECK_SEVERITY_ERROR);
    expect("rushed name", r, VMCHECK_FLAG_NAME_TOO_FAST, VMCHECK_SEVERITY_ERROR);
    vmcheck_report_free(&r);
    vmcheck_config_default(&cfg);

    printf("no number given, none said\n");
    {
        size_t nt;
        float *y = talk(&nt, 8.0, 20261126);
        r = analyse(y, nt, &cfg, NULL, 0, NULL);
        for (size_t k = 0; r && k < r->segment_count; k++)
            printf("  found %s %.2f-%.2f s, %zu syllables\n",
                   r->segments[k].kind == VMCHECK_SEGMENT_NUMBER ? "number" : "name", r->segments[k].start_s,
                   r->segments[k].end_s, r->segments[k].syllables);
        expect("no number", r, VMCHECK_FLAG_NUMBER_NOT_FOUND, VMCHECK_SEVERITY_WARNING);
        vmcheck_report_free(&r);
        free(y);
    }

    printf("a script of another message\n");
    r = analyse(x, n, &cfg, &num, 1, "Hello.");
    CHECK(r && !find(r, VMCHECK_FLAG_SCRIPT_MISMATCH), "with labels the script does not place segments");
    vmcheck_report_free(&r);
    r = analyse(x, n, &cfg, NULL, 0, "Hi, it's me. Bye.");
    expect("script", r, VMCHECK_FLAG_SCRIPT_MISMATCH, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);

    printf("lift against baselines\n");
    cfg.baseline_f0_hz = 200.0;
    r = analyse(x, n, &cfg, &num, 1, NULL);
    expect("no lift", r, VMCHECK_FLAG_NO_LIFT, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    cfg.baseline_f0_hz = 60.0;
    r = analyse(x, n, &cfg, &num, 1, NULL);
    expect("overdone lift", r, VMCHECK_FLAG_OVERDONE_LIFT, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    vmcheck_config_default(&cfg);

    printf("limits moved by the caller\n");
    cfg.long_message_s = 5.0;
    cfg.monotone_range_st = 12.0;
    r = analyse(x, n, &cfg, &num, 1, NULL);
    expect("long", r, VMCHECK_FLAG_LONG_MESSAGE, VMCHECK_SEVERITY_WARNING);
    expect("monotone", r, VMCHECK_FLAG_MONOTONE, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    vmcheck_config_default(&cfg);
    free(x);

    printf("late, quiet, clipped, noisy\n");
    x = bursts(&n, 3.0, 16, 0.15, 0.25, 0.05, 110);
    r = analyse(x, n, &cfg, NULL, 0, NULL);
    expect("late", r, VMCHECK_FLAG_LATE_START, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    free(x);
    x = bursts(&n, 0.5, 16, 0.15, 0.25, 0.003, 110); /* about -50 dBFS */
    r = analyse(x, n, &cfg, NULL, 0, NULL);
    expect("quiet", r, VMCHECK_FLAG_LOW_LEVEL, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    free(x);
    x = bursts(&n, 0.5, 16, 0.15, 0.25, 0.6, 110);
    for (size_t i = 0; i < n; i++) x[i] = x[i] > 1.0f ? 1.0f : x[i] < -1.0f ? -1.0f : x[i];
    r = analyse(x, n, &cfg, NULL, 0, NULL);
    expect("clipped", r, VMCHECK_FLAG_CLIPPING, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    free(x);
    x = bursts(&n, 0.5, 16, 0.15, 0.25, 0.05, 110);
    SynthRng rng;
    synth_seed(&rng, 5);
    synth_add_noise(x, n, 0.05 / 4.0, &rng); /* 12 dB under the bursts */
    r = analyse(x, n, &cfg, NULL, 0, NULL);
    expect("noisy", r, VMCHECK_FLAG_NOISY, VMCHECK_SEVERITY_WARNING);
    vmcheck_report_free(&r);
    memset(x, 0, n * sizeof(float));
    r = analyse(x, n, &cfg, NULL, 0, NULL);
    expect("silence", r, VMCHECK_FLAG_NO_SPEECH, VMCHECK_SEVERITY_ERROR);
    vmcheck_report_free(&r);
    free(x);
    return test_done();
}
