/* The analysis gives the same report, to the bit, with any number of
 * threads: frames are shared out by claim, but every result has its slot
 * and the running peak is taken in frame order.  With threads the level
 * runs on the pool, the input since the last hand-over at a time: at every
 * rate, whether pushed at once or in odd pieces, the tracks are the ones
 * one thread finds. */
#include <string.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

static VmcheckReport *analyse(const float *x, size_t n, unsigned rate, int threads, size_t block)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    cfg.threads = threads;
    return test_analyse(x, n, rate, &cfg, NULL, 0, NULL, block);
}

static int same(const VmcheckReport *r, const VmcheckReport *one)
{
    const size_t bytes = one->frame_count * sizeof(float);
    return r->frame_count == one->frame_count && !memcmp(r->f0_hz, one->f0_hz, bytes) &&
           !memcmp(r->band_db, one->band_db, bytes) && !memcmp(r->energy_db, one->energy_db, bytes) &&
           r->syllable_count == one->syllable_count && r->pause_count == one->pause_count &&
           r->f0_median_hz == one->f0_median_hz;
}

int main(void)
{
    /* 12 s of bursts over noise: several batches of 512 frames */
    SynthPiece p[40];
    size_t np = 0;
    for (int i = 0; i < 20; i++) {
        p[np++] = (SynthPiece){0.2 + 0.05 * (i % 4), 90.0 + 15.0 * (i % 7)};
        p[np++] = (SynthPiece){0.1 + 0.15 * (i % 3), 0};
    }
    size_t n;
    float *x = synth_message(&n, 16000, p, np, 5000, 0.05);
    SynthRng rng;
    synth_seed(&rng, 77);
    synth_add_noise(x, n, 0.002, &rng);
    VmcheckReport *one = analyse(x, n, 16000, 1, 0);
    CHECK(one != NULL && one->frame_count > 1024, "reference analysis");
    const int counts[] = {2, 3, 4, 8};
    for (int k = 0; k < 4 && one; k++) {
        VmcheckReport *r = analyse(x, n, 16000, counts[k], 0);
        CHECK(r != NULL && same(r, one), "%d threads: frame count, f0, band and level tracks and figures identical",
              counts[k]);
        vmcheck_report_free(&r);
    }
    vmcheck_report_free(&one);
    free(x);

    /* the same message at the rates phones record at, and at 8 kHz (no
     * decimation); 2 and 3 threads, pushed at once and in pieces of
     * 997-1996 samples (5 ms level blocks and the level's hand-overs fall
     * inside pushes) */
    const unsigned rates[] = {8000, 16000, 22050, 44100, 48000};
    for (int q = 0; q < 5; q++) {
        float *y = synth_message(&n, rates[q], p, np, 5000, 0.05);
        synth_seed(&rng, 78);
        synth_add_noise(y, n, 0.002, &rng);
        one = analyse(y, n, rates[q], 1, 0);
        CHECK(one != NULL && one->frame_count > 1024, "%u Hz: reference analysis", rates[q]);
        for (int k = 0; k < 4 && one; k++) {
            const int threads = k % 2 ? 3 : 2;
            const size_t block = k < 2 ? 0 : 997;
            VmcheckReport *r = analyse(y, n, rates[q], threads, block);
            CHECK(r != NULL && same(r, one), "%u Hz, %d threads, pieces %zu: tracks and figures identical", rates[q],
                  threads, block);
            vmcheck_report_free(&r);
        }
        vmcheck_report_free(&one);
        free(y);
    }
    return test_done();
}
