/* Clipping is counted once, whichever way the samples arrive: pushed alone,
 * or pushed while the caller also gives its own count with
 * vmcheck_analyzer_add_clipping() (before, between or after the pushes). */
#include <string.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

#define RATE 16000
#define N (4 * RATE)

/* 4 s of bursts; every 20th sample of the loud part set to full scale: 5 %
 * of the samples clipped, exactly. */
static float *signal(size_t *clipped)
{
    SynthPiece p[16];
    size_t np = 0, n = 0;
    for (int i = 0; i < 8; i++) {
        p[np++] = (SynthPiece){0.3, 120.0 + 10.0 * i};
        p[np++] = (SynthPiece){0.2, 0};
    }
    float *m = synth_message(&n, RATE, p, np, 4000, 0.1);
    float *x = calloc(N, sizeof(float));
    if (!m || !x) exit(99);
    memcpy(x, m, (n < N ? n : N) * sizeof(float));
    free(m);
    *clipped = 0;
    for (size_t i = 0; i < N; i += 20) {
        x[i] = i % 40 ? 1.0f : -1.0f;
        ++*clipped;
    }
    return x;
}

/* when: 0 no add_clipping, 1 before the pushes, 2 between blocks, 3 after */
static double ratio(const float *x, size_t clipped, int when, size_t block)
{
    VmcheckAnalyzer *a = NULL;
    VmcheckReport *r = NULL;
    if (vmcheck_analyzer_create(&a, NULL, RATE)) return -1.0;
    int bad = 0;
    if (when == 1) bad |= vmcheck_analyzer_add_clipping(a, clipped, N);
    size_t given = 0;
    for (size_t off = 0; off < N; off += block) {
        size_t k = N - off < block ? N - off : block;
        bad |= vmcheck_analyzer_push(a, x + off, k);
        if (when == 2) {
            size_t c = 0;
            for (size_t i = off; i < off + k; i++) c += x[i] == 1.0f || x[i] == -1.0f;
            bad |= vmcheck_analyzer_add_clipping(a, c, k);
            given += c;
        }
    }
    if (when == 3) bad |= vmcheck_analyzer_add_clipping(a, clipped, N);
    if (when == 2 && given != clipped) bad = 1;
    double v = -1.0;
    if (!bad && !vmcheck_analyzer_finish(a, &r, NULL, 0, NULL)) v = r->clipped_ratio;
    vmcheck_report_free(&r);
    vmcheck_analyzer_destroy(&a);
    return v;
}

int main(void)
{
    size_t clipped;
    float *x = signal(&clipped);
    const double truth = (double)clipped / N;
    CHECK_NEAR(truth, 0.05, 1e-12, "fixture: 5 % of samples clipped");
    static const char *const how[4] = {"pushed only", "add_clipping first", "add_clipping per block",
                                       "add_clipping last"};
    const size_t blocks[3] = {N, 4096, 777};
    for (int when = 0; when < 4; when++)
        for (int b = 0; b < 3; b++) {
            char what[80];
            snprintf(what, sizeof(what), "%s, blocks of %zu", how[when], blocks[b]);
            CHECK_NEAR(ratio(x, clipped, when, blocks[b]), truth, 1e-12, what);
        }

    /* the caller's count covers every channel before its mix: stereo, one
     * channel clipped in 3 % of its samples, is 1.5 % of the samples */
    VmcheckAnalyzer *a = NULL;
    VmcheckReport *r = NULL;
    CHECK(!vmcheck_analyzer_create(&a, NULL, RATE), "create");
    CHECK(!vmcheck_analyzer_push(a, x, N), "push");
    CHECK(!vmcheck_analyzer_add_clipping(a, 3 * N / 100, 2 * N), "add_clipping");
    CHECK(vmcheck_analyzer_add_clipping(a, 3, 2) == VMCHECK_EINVAL, "more clipped than samples: EINVAL");
    CHECK(!vmcheck_analyzer_finish(a, &r, NULL, 0, NULL), "finish");
    CHECK_NEAR(r ? r->clipped_ratio : -1.0, 0.015, 1e-12, "stereo count, mono pushed");
    vmcheck_report_free(&r);
    vmcheck_analyzer_destroy(&a);
    free(x);
    return test_done();
}
