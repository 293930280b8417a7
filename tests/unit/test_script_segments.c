/* Script mode end to end, on messages of vowel-like bursts whose syllables
 * are known by construction: with a script, the name and the number count
 * the script's syllables, whatever the detector made of them.
 *  - a one-syllable name drawn out with a 6 dB swell in the middle (two
 *    nuclei): the name counts 1;
 *  - a two-syllable name said in one breath (one nucleus): it counts 2;
 *  - "0 1 0 1 0" said "zero one zero one zero" (eight nuclei): the number
 *    counts 8, the most the script allows; said with "oh" (five nuclei): it
 *    counts 5. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

#define RATE 16000.0

/* A burst of dur_s at f0 (a silence when f0 is 0); swell_db > 0 makes its
 * level dip by that much in the middle (a raised-cosine notch over its
 * middle third), as a drawn-out vowel wobbles. */
typedef struct Piece {
    double dur_s, f0_hz, swell_db;
} Piece;

static float *render(size_t *n, const Piece *p, size_t np)
{
    size_t total = 0;
    for (size_t i = 0; i < np; i++) total += (size_t)(p[i].dur_s * RATE);
    float *x = calloc(total ? total : 1, sizeof(float));
    if (!x) return NULL;
    size_t off = 0;
    for (size_t i = 0; i < np; i++) {
        size_t len = (size_t)(p[i].dur_s * RATE);
        if (p[i].f0_hz > 0.0) {
            double phase = 0.0;
            synth_harmonic(x + off, len, RATE, p[i].f0_hz, 4000.0, 0.1, &phase);
            const double ramp = 0.005 * RATE, depth = 1.0 - pow(10.0, -p[i].swell_db / 20.0);
            for (size_t k = 0; k < len; k++) {
                double g = 1.0, u = (double)k / (double)len;
                if (k < ramp) g = 0.5 - 0.5 * cos(M_PI * (double)k / ramp);
                if (len - 1 - k < ramp) g = 0.5 - 0.5 * cos(M_PI * (double)(len - 1 - k) / ramp);
                if (u > 1.0 / 3.0 && u < 2.0 / 3.0) g *= 1.0 - depth * (0.5 - 0.5 * cos(2.0 * M_PI * (u * 3.0 - 1.0)));
                x[off + k] *= (float)g;
            }
        }
        off += len;
    }
    *n = total;
    return x;
}

static const VmcheckSegment *segment(const VmcheckReport *r, enum VmcheckSegmentKind kind)
{
    for (size_t i = 0; r && i < r->segment_count; i++)
        if (r->segments[i].kind == kind && r->segments[i].source == VMCHECK_SOURCE_SCRIPT) return &r->segments[i];
    return NULL;
}

/* word: n syllables of 0.14 s, 0.06 s apart; then gap_s of silence */
static size_t word(Piece *p, size_t np, int n, double f0, double gap_s)
{
    for (int i = 0; i < n; i++) {
        p[np++] = (Piece){0.14, f0 * (1.0 + 0.05 * (i % 3)), 0.0};
        p[np++] = (Piece){i + 1 < n ? 0.06 : gap_s, 0.0, 0.0};
    }
    return np;
}

static void check(const char *what, const char *script, const Piece *name, size_t n_name, int zero_nuclei,
                  size_t want_name, size_t want_number)
{
    Piece p[128];
    size_t np = 0;
    p[np++] = (Piece){0.3, 0.0, 0.0};
    np = word(p, np, 1, 140, 0.08); /* Hi */
    np = word(p, np, 1, 130, 0.40); /* Sam, */
    np = word(p, np, 1, 150, 0.08); /* this */
    np = word(p, np, 1, 140, 0.12); /* is */
    for (size_t i = 0; i < n_name; i++) p[np++] = name[i];
    p[np++] = (Piece){0.5, 0.0, 0.0}; /* . */
    np = word(p, np, 1, 150, 0.08);   /* Please */
    np = word(p, np, 1, 140, 0.08);   /* call */
    np = word(p, np, 1, 135, 0.08);   /* me */
    np = word(p, np, 1, 130, 0.08);   /* back */
    np = word(p, np, 1, 125, 0.40);   /* on */
    for (int d = 0; d < 5; d++)       /* 0 1 0 1 0 */
        np = word(p, np, d % 2 ? 1 : zero_nuclei, 145, d < 4 ? 0.12 : 0.5);
    np = word(p, np, 1, 150, 0.08); /* Thanks */
    np = word(p, np, 1, 140, 0.08); /* a */
    np = word(p, np, 1, 130, 0.40); /* lot, */
    np = word(p, np, 1, 140, 0.08); /* bye */
    np = word(p, np, 1, 120, 0.5);  /* now. */
    size_t n;
    float *x = render(&n, p, np);
    CHECK(x != NULL, "render");
    if (!x) return;
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    VmcheckReport *r = test_analyse(x, n, (unsigned)RATE, &cfg, NULL, 0, script, 0);
    printf("%s\n", what);
    CHECK(r != NULL, "%s: analysed", what);
    const VmcheckSegment *nm = segment(r, VMCHECK_SEGMENT_NAME), *nb = segment(r, VMCHECK_SEGMENT_NUMBER);
    CHECK(nm && nb, "%s: name and number placed by the script", what);
    if (nm && nb) {
        printf("  name %.2f-%.2f s %zu syllables; number %.2f-%.2f s %zu syllables; %zu nuclei in all\n", nm->start_s,
               nm->end_s, nm->syllables, nb->start_s, nb->end_s, nb->syllables, r->syllable_count);
        CHECK(nm->syllables == want_name, "%s: name counts %zu syllables, want %zu", what, nm->syllables, want_name);
        CHECK(nb->syllables == want_number, "%s: number counts %zu syllables, want %zu", what, nb->syllables,
              want_number);
        CHECK_NEAR(nm->syllables_per_s, (double)nm->syllables / (nm->end_s - nm->start_s), 1e-9, "name rate");
    }
    vmcheck_report_free(&r);
    free(x);
}

int main(void)
{
    const char *one = "Hi Sam, this is [Ann]. Please call me back on 0 1 0 1 0. Thanks a lot, bye now.";
    const char *two = "Hi Sam, this is [Ann Bell]. Please call me back on 0 1 0 1 0. Thanks a lot, bye now.";
    const Piece drawn[] = {{0.45, 160.0, 6.0}};  /* Ann, drawn out: two nuclei */
    const Piece breath[] = {{0.22, 160.0, 0.0}}; /* Ann Bell in one breath: one nucleus */
    check("one-syllable name drawn out; zeros said 'zero'", one, drawn, 1, 2, 1, 8);
    check("one-syllable name drawn out; zeros said 'oh'", one, drawn, 1, 1, 1, 5);
    check("two-syllable name in one breath", two, breath, 1, 1, 2, 5);
    return test_done();
}
