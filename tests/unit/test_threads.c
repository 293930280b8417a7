/* The analysis gives the same report, to the bit, with any number of
 * threads: frames are shared out by claim, but every result has its slot
 * and the running peak is taken in frame order. */
#include <string.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

static VmcheckReport *analyse(const float *x, size_t n, unsigned rate, int threads)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    cfg.threads = threads;
    return test_analyse(x, n, rate, &cfg, NULL, 0, NULL, 0);
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
    VmcheckReport *one = analyse(x, n, 16000, 1);
    CHECK(one != NULL && one->frame_count > 1024, "reference analysis");
    const int counts[] = {2, 3, 4, 8};
    for (int k = 0; k < 4 && one; k++) {
        VmcheckReport *r = analyse(x, n, 16000, counts[k]);
        CHECK(r != NULL, "%d threads", counts[k]);
        if (!r) continue;
        CHECK(r->frame_count == one->frame_count, "%d threads: frame count", counts[k]);
        CHECK(!memcmp(r->f0_hz, one->f0_hz, one->frame_count * sizeof(float)), "%d threads: f0 track identical",
              counts[k]);
        CHECK(!memcmp(r->band_db, one->band_db, one->frame_count * sizeof(float)), "%d threads: band track identical",
              counts[k]);
        CHECK(r->syllable_count == one->syllable_count && r->pause_count == one->pause_count &&
                  r->f0_median_hz == one->f0_median_hz,
              "%d threads: same figures", counts[k]);
        vmcheck_report_free(&r);
    }
    vmcheck_report_free(&one);
    free(x);
    return test_done();
}
