/* Script alignment on hand-built nuclei, activity and envelope (10 ms
 * frames), where the right answer is known by construction:
 *  - one syllable per nucleus: the name spans from the valley before its
 *    first vowel to the valley after its last;
 *  - the name's last vowel drawn out into two peaks with a shallow valley,
 *    then a pause: the extra peak belongs to the name, which ends where the
 *    pause starts, and the two peaks are one split syllable (a shallow
 *    valley makes a split cheaper than an extra nucleus);
 *  - a rushed name (three syllables in two nuclei) before the end of a
 *    sentence, and a drawn-out word after it: the silence at the sentence
 *    end anchors the name's end, rather than the name taking the next
 *    sentence's first nucleus and stretching over the silence. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events/align.h"
#include "test.h"
#include "text/script.h"

#define HOP 0.01
#define FRAMES 400

typedef struct Scene {
    float band[FRAMES];
    unsigned char active[FRAMES];
    size_t nuc[32];
    size_t n_nuc;
} Scene;

/* Silence everywhere (-70 dB), speech from a to b at a -35 dB valley level. */
static void speech(Scene *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        s->active[i] = 1;
        s->band[i] = -35.0f;
    }
}

/* A vowel peaking at frame c, -20 dB, a triangle 6 frames wide either side,
 * over whatever floor is there. */
static void vowel(Scene *s, size_t c, float peak)
{
    for (int d = -6; d <= 6; d++) {
        size_t i = (size_t)((long)c + d);
        float v = peak - 2.5f * (float)abs(d);
        if (v > s->band[i]) s->band[i] = v;
    }
    s->nuc[s->n_nuc++] = c;
}

static void scene_init(Scene *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < FRAMES; i++) s->band[i] = -70.0f;
}

/* Align text against the scene; the name span, or returns 0 if none. */
static int name_span(const Scene *s, const char *text, double *start, double *end, VmcAlignment *al)
{
    VmcScript sc;
    CHECK(vmc_script_parse(&sc, text, strlen(text)) == 0, "parse");
    VmcActivity act;
    memset(&act, 0, sizeof(act));
    act.active = (unsigned char *)s->active;
    act.n = FRAMES;
    act.has_speech = 1;
    while (act.start < FRAMES && !s->active[act.start]) act.start++;
    act.end = FRAMES;
    while (act.end > 0 && !s->active[act.end - 1]) act.end--;
    act.start_s = (double)act.start * HOP;
    act.end_s = (double)act.end * HOP;
    VmcNuclei nu = {(size_t *)s->nuc, s->n_nuc};
    int r = vmc_align(al, &sc, &act, &nu, s->band, FRAMES, HOP);
    CHECK(r == 0, "align: %d", r);
    vmc_script_free(&sc);
    for (size_t i = 0; i < al->n_segs; i++)
        if (al->segs[i].kind == VMCHECK_SEGMENT_NAME) {
            *start = al->segs[i].start_s;
            *end = al->segs[i].end_s;
            return 1;
        }
    return 0;
}

static const char TEXT[] = "Hello, this is [Ann Bell] from the shop.";

/* hel-lo | this is Ann Bell | from the shop: one nucleus per syllable */
static void base(Scene *s)
{
    scene_init(s);
    speech(s, 40, 80);
    speech(s, 105, 200);
    speech(s, 250, 320);
    vowel(s, 50, -20.0f);
    vowel(s, 70, -20.0f);
    vowel(s, 115, -20.0f);
    vowel(s, 135, -20.0f);
    vowel(s, 160, -20.0f); /* Ann */
    vowel(s, 185, -20.0f); /* Bell */
    vowel(s, 265, -20.0f);
    vowel(s, 285, -20.0f);
    vowel(s, 305, -20.0f);
}

int main(void)
{
    Scene s;
    VmcAlignment al;
    double a = 0, b = 0;

    printf("one nucleus per syllable\n");
    base(&s);
    int found = name_span(&s, TEXT, &a, &b, &al);
    CHECK(found && !al.mismatch, "name found, no mismatch (%s)", al.why);
    /* valleys: between 135 and 160 the floor runs 142..153 (-35 dB): the
     * first quietest frame is 141; after Bell, speech ends at 200 */
    CHECK_NEAR(a, 1.41, 0.015, "name start s");
    CHECK_NEAR(b, 2.00, 0.015, "name end s");
    vmc_alignment_free(&al);

    printf("Bell drawn out into two peaks (3 dB valley), then the pause\n");
    base(&s);
    s.n_nuc = 0;
    speech(&s, 105, 215);
    vowel(&s, 50, -20.0f);
    vowel(&s, 70, -20.0f);
    vowel(&s, 115, -20.0f);
    vowel(&s, 135, -20.0f);
    vowel(&s, 160, -20.0f);
    vowel(&s, 185, -20.0f);
    for (size_t i = 186; i < 200; i++) s.band[i] = -23.0f; /* the vowel goes on, 3 dB down */
    vowel(&s, 200, -21.0f);
    for (size_t i = 186; i < 200; i++) s.band[i] = fmaxf(s.band[i], -23.0f);
    vowel(&s, 265, -20.0f);
    vowel(&s, 285, -20.0f);
    vowel(&s, 305, -20.0f);
    found = name_span(&s, TEXT, &a, &b, &al);
    CHECK(found && !al.mismatch, "name found, no mismatch (%s)", al.why);
    CHECK_NEAR(b, 2.15, 0.015, "name end s (the pause starts at 2.15)");
    CHECK_NEAR(a, 1.41, 0.015, "name start s");
    CHECK(al.split == 1 && al.extra == 0, "Bell's two peaks are one split syllable: %zu splits, %zu extra", al.split,
          al.extra);
    vmc_alignment_free(&al);

    printf("rushed name, then a sentence end with a silence\n");
    scene_init(&s);
    speech(&s, 30, 60);
    speech(&s, 90, 200);
    speech(&s, 250, 380);
    vowel(&s, 45, -20.0f);  /* Hi */
    vowel(&s, 100, -20.0f); /* this */
    vowel(&s, 120, -20.0f); /* is */
    vowel(&s, 145, -20.0f); /* Ann */
    vowel(&s, 170, -20.0f); /* Bell Cole, said as one */
    vowel(&s, 265, -20.0f); /* I */
    vowel(&s, 290, -20.0f); /* am */
    vowel(&s, 320, -20.0f); /* here, */
    for (size_t i = 321; i < 345; i++) s.band[i] = fmaxf(s.band[i], -23.0f);
    vowel(&s, 345, -20.0f); /* ... drawn out: 3 dB valley */
    found = name_span(&s, "Hi, this is [Ann Bell Cole]. I am here.", &a, &b, &al);
    CHECK(found && !al.mismatch, "name found, no mismatch (%s)", al.why);
    /* between "is" (120) and Ann (145) the floor runs 126..139 */
    CHECK_NEAR(a, 1.26, 0.015, "name start s");
    CHECK_NEAR(b, 2.00, 0.015, "name end s (the silence starts at 2.00)");
    CHECK(al.merged == 1 && al.split == 1, "Bell Cole merged, here split: %zu merged, %zu split", al.merged, al.split);
    vmc_alignment_free(&al);

    return test_done();
}
