/* Pauses and levels on tone bursts with silences of known length, clean,
 * as 8 kHz mu-law telephone audio, in noise at 15 dB SNR, and quiet. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "features/energy.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

/* 0.5 s lead-in; bursts and gaps; a 0.20 s gap (not a pause) and a 0.28 s
 * gap (clearly over the minimum: a pause; a gap of exactly 0.25 s is a coin
 * toss for any detector whose edges are good to +-20 ms). */
static const SynthPiece pieces[] = {
    {0.50, 0},   {0.80, 120}, {0.40, 0},   {0.60, 180}, {0.30, 0},   {1.00, 110}, {0.70, 0},
    {0.50, 140}, {0.20, 0},   {0.60, 125}, {0.28, 0},   {0.45, 160}, {0.60, 0},
};
#define NP (sizeof(pieces) / sizeof(pieces[0]))

typedef struct Expect {
    double start, end;
} Expect;

static size_t expected_pauses(Expect *e, double *speech_start, double *speech_end)
{
    double t = 0.0;
    size_t n = 0;
    int seen_tone = 0;
    for (size_t i = 0; i < NP; i++) {
        if (pieces[i].f0_hz > 0) {
            if (!seen_tone) *speech_start = t;
            seen_tone = 1;
            *speech_end = t + pieces[i].dur_s;
        } else if (seen_tone && i + 1 < NP && pieces[i].dur_s >= 0.25) {
            e[n++] = (Expect){t, t + pieces[i].dur_s};
        }
        t += pieces[i].dur_s;
    }
    return n;
}

/* Level of the bursts after an ideal 300-3400 Hz band-pass: each burst keeps
 * the share of its 1/k harmonic power that lies in the band. */
static double telephone_level_db(double rms, double max_hz)
{
    double acc = 0.0, dur = 0.0;
    for (size_t i = 0; i < NP; i++) {
        if (pieces[i].f0_hz <= 0) continue;
        double all = 0.0, in = 0.0;
        for (int k = 1; k * pieces[i].f0_hz <= max_hz; k++) {
            all += 1.0 / ((double)k * k);
            if (k * pieces[i].f0_hz >= 300.0 && k * pieces[i].f0_hz <= 3400.0) in += 1.0 / ((double)k * k);
        }
        acc += pieces[i].dur_s * rms * rms * in / all;
        dur += pieces[i].dur_s;
    }
    return 10.0 * log10(acc / dur);
}

static VmcheckReport *analyse(const float *x, size_t n, unsigned rate)
{
    return test_analyse(x, n, rate, NULL, NULL, 0, NULL, 777);
}

static void check_case(const char *name, unsigned rate, double rms, double noise_rms, int telephone)
{
    printf("%s (%u Hz, tone RMS %.4f, noise RMS %.5f%s)\n", name, rate, rms, noise_rms,
           telephone ? ", 300-3400 Hz mu-law" : "");
    size_t n;
    const double max_hz = telephone ? 3800.0 : 5000.0;
    float *x = synth_message(&n, rate, pieces, NP, max_hz, rms);
    if (noise_rms > 0) {
        SynthRng rng;
        synth_seed(&rng, 12345);
        printf("  noise seed 12345\n");
        synth_add_noise(x, n, noise_rms, &rng);
    }
    if (telephone) synth_telephone(x, n, rate);
    VmcheckReport *r = analyse(x, n, rate);
    CHECK(r != NULL, "%s: analysis failed", name);
    if (!r) {
        free(x);
        return;
    }
    Expect e[16];
    double s0 = 0, s1 = 0;
    size_t ne = expected_pauses(e, &s0, &s1);
    CHECK(r->has_speech, "%s: no speech found", name);
    CHECK(r->pause_count == ne, "%s: %zu pauses, want %zu", name, r->pause_count, ne);
    for (size_t i = 0; i < ne && i < r->pause_count; i++) {
        char what[64];
        snprintf(what, sizeof(what), "pause %zu start", i);
        CHECK_NEAR(r->pauses[i].start_s, e[i].start, 0.020, what);
        snprintf(what, sizeof(what), "pause %zu end", i);
        CHECK_NEAR(r->pauses[i].end_s, e[i].end, 0.020, what);
    }
    CHECK_NEAR(r->speech_start_s, s0, 0.020, "speech start");
    CHECK_NEAR(r->speech_end_s, s1, 0.020, "speech end");
    if (!telephone) {
        /* tone level: its RMS, less a little for the 5 ms ramps */
        CHECK_NEAR(r->speech_dbfs, 20 * log10(rms), 0.5, "speech level dBFS");
        if (noise_rms > 0) {
            CHECK_NEAR(r->noise_floor_dbfs, 20 * log10(noise_rms), 0.5, "noise floor dBFS");
            CHECK_NEAR(r->snr_db, 20 * log10(sqrt(rms * rms + noise_rms * noise_rms) / noise_rms), 0.6, "SNR dB");
        }
    } else {
        /* the band-pass removes the fundamental: compare with the in-band power */
        CHECK_NEAR(r->speech_dbfs, telephone_level_db(rms, max_hz), 1.0, "telephone level dBFS");
    }
    vmcheck_report_free(&r);
    free(x);
}

static void check_levels(void)
{
    /* A sine of amplitude 0.1 between silences: 20*log10(0.1/sqrt 2) = -23.01 dBFS;
     * white noise of RMS 0.001 in the gaps: -60 dBFS. */
    const unsigned rate = 16000;
    size_t n = 3 * rate;
    float *x = calloc(n, sizeof(float));
    SynthRng rng;
    synth_seed(&rng, 7);
    for (size_t i = 0; i < n; i++) {
        x[i] = (float)(0.001 * synth_gauss(&rng));
        if (i >= rate && i < 2 * rate) x[i] += (float)(0.1 * sin(2 * M_PI * 440.0 * (double)i / rate));
    }
    VmcheckReport *r = analyse(x, n, rate);
    CHECK(r != NULL, "levels: analysis failed");
    if (r) {
        printf("sine -23.01 dBFS over noise -60 dBFS\n");
        CHECK_NEAR(r->speech_dbfs, 20 * log10(0.1 / sqrt(2.0)), 0.5, "sine level dBFS");
        CHECK_NEAR(r->noise_floor_dbfs, -60.0, 0.5, "noise floor dBFS");
        CHECK_NEAR(r->duration_s, 3.0, 1e-9, "duration");
        CHECK(r->clipped_ratio == 0.0, "no clipping");
        vmcheck_report_free(&r);
    }
    free(x);
}

/* The level meter's rumble cut is a second-order Butterworth high-pass at
 * 60 Hz: |H(f)|^2 = r^4 / (1 + r^4), r = f / 60.  Steady sines through the
 * meter, pushed in odd block sizes (the pairwise recursion must not care). */
static void check_rumble_cut(void)
{
    const double rates[] = {8000, 16000, 48000}, freqs[] = {20, 30, 60, 120, 1000};
    printf("rumble cut: sines of -20 dBFS through the level meter\n");
    for (size_t ri = 0; ri < 3; ri++)
        for (size_t fi = 0; fi < 5; fi++) {
            const double rate = rates[ri], f = freqs[fi], amp = 0.1 * sqrt(2.0);
            const size_t n = (size_t)(2.0 * rate);
            float *x = malloc(n * sizeof(float));
            for (size_t i = 0; i < n; i++) x[i] = (float)(amp * sin(2 * M_PI * f * (double)i / rate));
            VmcEnergyMeter m;
            vmc_energy_init(&m, rate);
            VmcTrack t = {0};
            for (size_t off = 0, k = 1; off < n; off += k, k = k * 3 % 1001 + 1)
                CHECK(vmc_energy_push(&m, &t, x + off, off + k > n ? n - off : k) == 0, "push");
            /* the second half: the filter has settled */
            double acc = 0.0;
            size_t cnt = 0;
            for (size_t i = t.n / 2; i + 2 < t.n; i++, cnt++) acc += pow(10.0, (double)t.v[i] / 10.0);
            const double r4 = pow(f / 60.0, 4.0);
            char what[64];
            snprintf(what, sizeof(what), "%.0f Hz at %.0f Hz, dB", f, rate);
            CHECK_NEAR(10.0 * log10(acc / (double)cnt), -20.0 + 10.0 * log10(r4 / (1.0 + r4)), 0.05, what);
            vmc_track_free(&t);
            free(x);
        }
}

static void check_silence_and_noise(void)
{
    const unsigned rate = 16000;
    size_t n = 2 * rate;
    float *x = calloc(n, sizeof(float));
    VmcheckReport *r = analyse(x, n, rate);
    CHECK(r && !r->has_speech, "digital silence has no speech");
    CHECK(r && r->flag_count == 1 && r->flags[0].code == VMCHECK_FLAG_NO_SPEECH, "silence is flagged no_speech");
    CHECK(r && isinf(r->noise_floor_dbfs) && r->noise_floor_dbfs < 0, "silence floor is -inf");
    vmcheck_report_free(&r);
    SynthRng rng;
    synth_seed(&rng, 99);
    synth_add_noise(x, n, 0.05, &rng);
    r = analyse(x, n, rate);
    CHECK(r && !r->has_speech, "steady noise has no speech");
    CHECK(r && r->flag_count >= 1 && r->flags[0].code == VMCHECK_FLAG_NO_SPEECH, "noise is flagged no_speech");
    vmcheck_report_free(&r);
    free(x);
}

int main(void)
{
    check_rumble_cut();
    check_case("clean 16 kHz", 16000, 0.1, 0.0, 0);
    check_case("clean 44.1 kHz", 44100, 0.1, 0.0, 0);
    check_case("clean 48 kHz", 48000, 0.1, 0.0, 0);
    check_case("telephone 8 kHz mu-law", 8000, 0.1, 0.0, 1);
    check_case("noise at 15 dB SNR", 16000, 0.1, 0.1 / pow(10, 15.0 / 20), 0);
    check_case("telephone with noise at 15 dB SNR", 8000, 0.1, 0.1 / pow(10, 15.0 / 20), 1);
    check_case("quiet, -40 dBFS", 16000, 0.01, 0.0, 0);
    check_case("quiet -40 dBFS with noise at 15 dB SNR", 16000, 0.01, 0.01 / pow(10, 15.0 / 20), 0);
    check_levels();
    check_silence_and_noise();
    return test_done();
}
