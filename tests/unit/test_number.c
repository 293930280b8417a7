/* The phone-number finder (events/number.c).
 *
 * Synthetic events first (STYLE T2): activity, nuclei and level tracks are
 * built directly, so every answer is known to the frame.  A message is a
 * list of words; a word is a stretch of sound with one or more syllable
 * nuclei, its level a tent of NUCLEUS_SLOPE_DB_S around each nucleus.
 * Ordinary talk: phrases of 5-9 syllables, uneven spacing (0.12-0.34 s) and
 * stress (unstressed syllables 4-14 dB down), from a fixed-seed generator.
 * A slowly read number: one word per digit, 0.5 s apart, 0.2 s of silence
 * after each digit and 0.6 s between groups.  A rattled-off one: one word,
 * syllables 0.17 s apart.  Then the real samples through the public API
 * (argv[1] = the samples folder, given by meson). */
#include <string.h>

#include "events/number.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

#define HOP_S 0.01
#define MSG_S 32.0
#define NOISE_DB (-90.0)
#define NUCLEUS_SLOPE_DB_S 80.0 /* level falls 8 dB in 0.1 s either side of a nucleus */
#define MAX_WORDS 256
#define MAX_SYL 16

typedef struct Word {
    double start_s, end_s;
    size_t n;
    double t_s[MAX_SYL], level_db[MAX_SYL];
} Word;

typedef struct Message {
    Word w[MAX_WORDS];
    size_t n;
    double t_s; /* where the next word may start */
} Message;

/* Deterministic generator (T13): a 64-bit LCG, seed printed on failure. */
static unsigned long long rng_state;
static double uniform(double lo, double hi)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (double)(rng_state >> 11) / 9007199254740992.0;
}

static Word *new_word(Message *m, double start_s)
{
    if (m->n >= MAX_WORDS) return NULL;
    Word *w = &m->w[m->n++];
    memset(w, 0, sizeof(*w));
    w->start_s = start_s;
    return w;
}

static void add_syllable(Word *w, double t_s, double level_db)
{
    if (w->n < MAX_SYL) {
        w->t_s[w->n] = t_s;
        w->level_db[w->n++] = level_db;
    }
}

/* A phrase of ordinary talk (one breath), then a pause. */
static void talk(Message *m, size_t syllables, double pause_s)
{
    Word *w = new_word(m, m->t_s);
    if (!w) return;
    double t = m->t_s + 0.08;
    for (size_t k = 0; k < syllables; k++) {
        const int stressed = uniform(0.0, 1.0) < 0.45;
        add_syllable(w, t, stressed ? uniform(-17.0, -14.0) : uniform(-30.0, -20.0));
        if (k + 1 < syllables) t += uniform(0.12, 0.34);
    }
    w->end_s = t + 0.12;
    m->t_s = w->end_s + pause_s;
}

/* Digits one word each, 0.5 s apart, groups as given; then a pause. */
static void read_slowly(Message *m, const size_t *groups, size_t n_groups, double pause_s)
{
    double t = m->t_s + 0.12;
    for (size_t g = 0; g < n_groups; g++) {
        for (size_t d = 0; d < groups[g]; d++) {
            Word *w = new_word(m, t - 0.12);
            if (!w) return;
            add_syllable(w, t, -16.0 + 0.5 * (double)((g + d) % 3) - 0.5);
            w->end_s = t + 0.18;
            t += d + 1 < groups[g] ? 0.5 : 0.9;
        }
    }
    m->t_s = m->w[m->n - 1].end_s + pause_s;
}

/* Syllables in one breath, 0.17 s apart; then a pause. */
static void rattle_off(Message *m, size_t syllables, double pause_s)
{
    Word *w = new_word(m, m->t_s);
    if (!w) return;
    double t = m->t_s + 0.08;
    for (size_t k = 0; k < syllables; k++, t += 0.17) add_syllable(w, t, -15.0 - 0.7 * (double)(k % 3));
    w->end_s = t - 0.17 + 0.12;
    m->t_s = w->end_s + pause_s;
}

typedef struct Events {
    VmcActivity act;
    VmcNuclei nu;
    float *energy, *band, *f0;
    size_t n;
} Events;

static size_t frame_of(double t_s) { return (size_t)(t_s / HOP_S + 0.5); }

/* The events of message m on the 10 ms grid; 0 or -1 (out of memory). */
static int render(Events *ev, const Message *m)
{
    memset(ev, 0, sizeof(*ev));
    const size_t n = (size_t)(MSG_S / HOP_S);
    ev->n = n;
    ev->energy = calloc(n, sizeof(float));
    ev->band = calloc(n, sizeof(float));
    ev->f0 = calloc(n, sizeof(float));
    ev->act.active = calloc(n, 1);
    ev->nu.frames = calloc(MAX_WORDS * MAX_SYL, sizeof(size_t));
    if (!ev->energy || !ev->band || !ev->f0 || !ev->act.active || !ev->nu.frames) return -1;
    for (size_t k = 0; k < n; k++) ev->band[k] = ev->energy[k] = (float)NOISE_DB;
    for (size_t i = 0; i < m->n; i++) {
        const Word *w = &m->w[i];
        for (size_t k = frame_of(w->start_s); k < frame_of(w->end_s) && k < n; k++) {
            double v = -60.0;
            for (size_t s = 0; s < w->n; s++) {
                const double x = w->level_db[s] - NUCLEUS_SLOPE_DB_S * fabs((double)k * HOP_S - w->t_s[s]);
                if (x > v) v = x;
            }
            ev->band[k] = (float)v;
            ev->energy[k] = (float)(v + 3.0);
            ev->f0[k] = 120.0f;
            ev->act.active[k] = 1;
        }
        for (size_t s = 0; s < w->n; s++) ev->nu.frames[ev->nu.n++] = frame_of(w->t_s[s]);
    }
    ev->act.n = n;
    ev->act.has_speech = m->n > 0;
    if (m->n) {
        ev->act.start = frame_of(m->w[0].start_s);
        ev->act.end = frame_of(m->w[m->n - 1].end_s);
        ev->act.start_s = (double)ev->act.start * HOP_S;
        ev->act.end_s = (double)ev->act.end * HOP_S;
    }
    ev->act.noise_db = NOISE_DB;
    ev->act.speech_db = -20.0;
    ev->act.on_db = -50.0;
    ev->act.off_db = -55.0;
    return 0;
}

static void events_free(Events *ev)
{
    free(ev->energy);
    free(ev->band);
    free(ev->f0);
    free(ev->act.active);
    free(ev->nu.frames);
}

static int find(VmcheckSegmentSpec **out, size_t *n_out, const Message *m)
{
    Events ev;
    *out = NULL;
    *n_out = 0;
    int r = render(&ev, m);
    if (!r) {
        const VmcNumberInput in = {&ev.act, &ev.nu, ev.energy, ev.band, ev.f0, ev.n, HOP_S};
        r = vmc_number_find(out, n_out, &in);
    }
    events_free(&ev);
    return r;
}

/* Greeting and reason for calling: about 8 s of talk. */
static void opening(Message *m)
{
    m->t_s = 0.5;
    const size_t phrase[] = {6, 8, 9, 7};
    for (size_t k = 0; k < sizeof(phrase) / sizeof(phrase[0]); k++) talk(m, phrase[k], uniform(0.35, 0.7));
}

static void check_span(const VmcheckSegmentSpec *s, double start_s, double end_s, const char *what)
{
    char label[80];
    snprintf(label, sizeof(label), "%s: start_s", what);
    CHECK_NEAR(s->start_s, start_s, 2 * HOP_S, label);
    snprintf(label, sizeof(label), "%s: end_s", what);
    CHECK_NEAR(s->end_s, end_s, 2 * HOP_S, label);
    CHECK(s->kind == VMCHECK_SEGMENT_NUMBER, "%s: kind %d", what, (int)s->kind);
}

static void slow_number(unsigned long long seed)
{
    rng_state = seed;
    static Message m;
    memset(&m, 0, sizeof(m));
    opening(&m);
    const size_t first = m.n;
    const size_t groups[] = {3, 4, 4};
    read_slowly(&m, groups, 3, 0.6);
    const double start_s = m.w[first].start_s, end_s = m.w[m.n - 1].end_s;
    talk(&m, 5, 0.0); /* goodbye */
    VmcheckSegmentSpec *s = NULL;
    size_t n = 0;
    CHECK(find(&s, &n, &m) == VMCHECK_OK, "slow number: finder failed");
    printf("slow number %.2f-%.2f s, seed %llu: %zu found\n", start_s, end_s, seed, n);
    CHECK(n == 1, "slow number (seed %llu): %zu segments, want 1", seed, n);
    if (n >= 1) check_span(&s[0], start_s, end_s, "slow number");
    free(s);
}

static void fast_number(unsigned long long seed)
{
    rng_state = seed;
    static Message m;
    memset(&m, 0, sizeof(m));
    opening(&m);
    const size_t first = m.n;
    rattle_off(&m, 12, 0.6);
    const double start_s = m.w[first].start_s, end_s = m.w[first].end_s;
    talk(&m, 5, 0.0);
    VmcheckSegmentSpec *s = NULL;
    size_t n = 0;
    CHECK(find(&s, &n, &m) == VMCHECK_OK, "fast number: finder failed");
    printf("fast number %.2f-%.2f s, seed %llu: %zu found\n", start_s, end_s, seed, n);
    CHECK(n == 1, "fast number (seed %llu): %zu segments, want 1", seed, n);
    if (n >= 1) check_span(&s[0], start_s, end_s, "fast number");
    free(s);
}

static void said_twice(unsigned long long seed)
{
    rng_state = seed;
    static Message m;
    memset(&m, 0, sizeof(m));
    opening(&m);
    const size_t groups[] = {3, 3, 4};
    const size_t a = m.n;
    read_slowly(&m, groups, 3, 0.6);
    const size_t a_end = m.n - 1;
    talk(&m, 1, 0.45); /* "that's" */
    const size_t b = m.n;
    read_slowly(&m, groups, 3, 0.6);
    const size_t b_end = m.n - 1;
    talk(&m, 3, 0.0);
    VmcheckSegmentSpec *s = NULL;
    size_t n = 0;
    CHECK(find(&s, &n, &m) == VMCHECK_OK, "said twice: finder failed");
    printf("said twice %.2f-%.2f and %.2f-%.2f s, seed %llu: %zu found\n", m.w[a].start_s, m.w[a_end].end_s,
           m.w[b].start_s, m.w[b_end].end_s, seed, n);
    CHECK(n == 2, "said twice (seed %llu): %zu segments, want 2", seed, n);
    if (n == 2) {
        check_span(&s[0], m.w[a].start_s, m.w[a_end].end_s, "first reading");
        check_span(&s[1], m.w[b].start_s, m.w[b_end].end_s, "second reading");
    }
    free(s);
}

static void talk_only(unsigned long long seed)
{
    rng_state = seed;
    static Message m;
    memset(&m, 0, sizeof(m));
    opening(&m);
    for (int k = 0; k < 8; k++) talk(&m, 5 + (size_t)uniform(0.0, 5.0), uniform(0.3, 0.7));
    VmcheckSegmentSpec *s = NULL;
    size_t n = 0;
    CHECK(find(&s, &n, &m) == VMCHECK_OK, "talk only: finder failed");
    printf("talk only, %zu words, seed %llu: %zu found\n", m.n, seed, n);
    CHECK(n == 0 && !s, "talk only (seed %llu): %zu segments, want none (first %.2f-%.2f s)", seed, n,
          n ? s[0].start_s : 0.0, n ? s[0].end_s : 0.0);
    free(s);
}

/* Degenerate input: nothing found, nothing allocated, no crash. */
static void degenerate(void)
{
    static Message m;
    memset(&m, 0, sizeof(m));
    VmcheckSegmentSpec *s = (VmcheckSegmentSpec *)&m;
    size_t n = 7;
    CHECK(find(&s, &n, &m) == VMCHECK_OK && n == 0 && !s, "no speech");
    m.t_s = 8.0;
    const size_t groups[] = {2};
    read_slowly(&m, groups, 1, 0.0); /* two syllables */
    CHECK(find(&s, &n, &m) == VMCHECK_OK && n == 0 && !s, "two syllables");
    memset(&m, 0, sizeof(m));
    talk(&m, 12, 0.0); /* from the first frame to the last: no silence around any run */
    m.w[0].end_s = MSG_S;
    CHECK(find(&s, &n, &m) == VMCHECK_OK && n == 0 && !s, "no run set off by silence");
}

static double iou(double a0, double a1, double b0, double b1)
{
    const double inter = fmin(a1, b1) - fmax(a0, b0), uni = fmax(a1, b1) - fmin(a0, b0);
    return inter > 0.0 && uni > 0.0 ? inter / uni : 0.0;
}

/* The "number" line of an Audacity label file; 0 if found. */
static int label_of(const char *path, double *start_s, double *end_s)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256], name[64];
    int r = -1;
    while (r && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lf %lf %63s", start_s, end_s, name) == 3 && !strcmp(name, "number")) r = 0;
    fclose(f);
    return r;
}

static int real_sample(const char *dir, const char *name, int too_fast)
{
    char wav[1024], labels[1024];
    snprintf(wav, sizeof(wav), "%s/%s.wav", dir, name);
    snprintf(labels, sizeof(labels), "%s/%s.labels.txt", dir, name);
    double t0, t1;
    if (label_of(labels, &t0, &t1)) {
        printf("%s: no labels, skipped\n", labels);
        return 0;
    }
    VmcheckReport *r = NULL;
    int e = vmcheck_analyze_file(NULL, &r, wav, NULL, 0, NULL);
    CHECK(e == VMCHECK_OK, "%s: %s", wav, vmcheck_strerror(e));
    if (e) return 1;
    size_t found = 0;
    for (size_t k = 0; k < r->segment_count; k++) {
        const VmcheckSegment *s = &r->segments[k];
        if (s->kind != VMCHECK_SEGMENT_NUMBER) continue;
        found++;
        const double o = iou(s->start_s, s->end_s, t0, t1);
        printf("  %s: number %.2f-%.2f s, label %.2f-%.2f s, IoU %.2f, %.2f syl/s\n", name, s->start_s, s->end_s, t0,
               t1, o, s->syllables_per_s);
        CHECK(s->source == VMCHECK_SOURCE_AUTO, "%s: source %d", name, (int)s->source);
        CHECK(o >= 0.5, "%s: IoU %.2f with the label, want >= 0.5", name, o);
        CHECK(s->too_fast == too_fast, "%s: too_fast %d, want %d", name, s->too_fast, too_fast);
    }
    CHECK(found == 1, "%s: %zu number segments, want 1", name, found);
    vmcheck_report_free(&r);
    return 1;
}

int main(int argc, char **argv)
{
    const unsigned long long seeds[] = {1, 2, 3, 4, 5};
    for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
        slow_number(seeds[k]);
        fast_number(seeds[k]);
        said_twice(seeds[k]);
        talk_only(seeds[k]);
    }
    degenerate();
    if (argc > 1) {
        int ran = real_sample(argv[1], "good", 0);
        ran += real_sample(argv[1], "rushed-number", 1);
        if (!ran) printf("samples not found in %s\n", argv[1]);
    } else {
        printf("no samples folder given: real-audio checks skipped\n");
    }
    return test_done();
}
