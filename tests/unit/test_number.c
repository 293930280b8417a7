/* The phone-number finder (events/number.c) on the digit words.
 *
 * Words first (STYLE T2): token lists built directly, so every answer is
 * known: a run of digits is a number from VMC_NUMBER_MIN_DIGITS on,
 * "double seven" is two sevens, other speech between digits ends the run
 * (years, times, "one or two"), a long silence ends it, a number said
 * twice is two numbers, and the span runs from the first digit's onset to
 * the last digit's end.  Then the real samples through the public API,
 * with nothing given (argv[1] = the samples folder, given by meson). */
#include <math.h>
#include <string.h>

#include "events/number.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

#define MAX_TOKENS 64

typedef struct Words {
    VmcDigitToken v[MAX_TOKENS];
    size_t n;
    double t_s;
} Words;

/* A word of dur_s after gap_s of silence; word -1 is other speech. */
static void say(Words *w, int word, double gap_s, double dur_s, float conf)
{
    if (w->n >= MAX_TOKENS) return;
    w->t_s += gap_s;
    w->v[w->n++] = (VmcDigitToken){word, w->t_s, w->t_s + dur_s, conf};
    w->t_s += dur_s;
}

/* Digits from a string: '0'-'9', 'o' for "oh", 'd' for "double", '-'
 * for other speech, ' ' for a pause of 0.4 s; words 0.3 s, run together. */
static void say_all(Words *w, const char *s, float conf)
{
    double gap = 0.0;
    for (; *s; s++) {
        if (*s == ' ') {
            gap += 0.4;
            continue;
        }
        int word = *s == 'o'   ? VMC_DW_OH
                   : *s == '0' ? VMC_DW_ZERO
                   : *s == 'd' ? VMC_DW_DOUBLE
                   : *s == '-' ? -1
                               : VMC_DW_ONE + (*s - '1');
        say(w, word, gap, 0.3, conf);
        gap = 0.0;
    }
}

static size_t find(VmcNumber **out, const Words *w)
{
    VmcNumberParams p;
    vmc_number_params_default(&p);
    const VmcDigitWords dw = {(VmcDigitToken *)w->v, w->n};
    size_t n = 0;
    CHECK(vmc_number_find(out, &n, &dw, &p) == 0, "find");
    return n;
}

/* How many numbers the words of say_all(s) hold. */
static size_t count_in(const char *s)
{
    Words w = {0};
    VmcNumber *nb = NULL;
    say_all(&w, s, 0.9f);
    const size_t n = find(&nb, &w);
    free(nb);
    return n;
}

static void check_words(void)
{
    VmcNumber *nb = NULL;
    Words w = {0};
    /* "call me back on oh seven seven oh oh, nine oh oh, one two three, thanks" */
    say_all(&w, "----o77oo 9oo 123--", 0.9f);
    size_t n = find(&nb, &w);
    CHECK(n == 1, "a UK number: %zu numbers", n);
    if (n == 1) {
        CHECK(!strcmp(nb[0].heard, "07700900123"), "heard %s", nb[0].heard);
        CHECK(nb[0].digits == 11, "digits %zu", nb[0].digits);
        /* onset of the first digit (after 4 other words) to the end of the last */
        CHECK_NEAR(nb[0].start_s, 1.2, 1e-9, "number starts at the first digit");
        CHECK_NEAR(nb[0].end_s, 5.3, 1e-9, "number ends with the last digit");
        /* oh seven seven oh oh nine oh oh one two three: 11 words, sevens 2 each */
        CHECK(nb[0].syllables == 13, "syllables %zu", nb[0].syllables);
    }
    free(nb);

    /* "double seven": two digits, two syllables for "double" */
    memset(&w, 0, sizeof(w));
    say_all(&w, "-o1d7 9oo", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 1 && !strcmp(nb[0].said, "0177900"), "double seven: %zu numbers, said %s", n, n ? nb[0].said : "");
    CHECK(n == 1 && nb[0].digits == 7 && nb[0].syllables == 9, "digits %zu syllables %zu", n ? nb[0].digits : 0,
          n ? nb[0].syllables : 0);
    free(nb);

    /* four digits, a year, a time, "one or two": no number */
    const char *none[] = {"--1234--", "-19-95-", "-10-30-", "1-2", "--12-34-56--"};
    for (size_t k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
        n = count_in(none[k]);
        CHECK(n == 0, "\"%s\" holds no number, found %zu", none[k], n);
    }

    /* said twice: two numbers */
    memset(&w, 0, sizeof(w));
    say_all(&w, "--4155550132---4155550132-", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 2, "said twice: %zu numbers", n);
    CHECK(n == 2 && nb[0].end_s < nb[1].start_s && !strcmp(nb[1].heard, "4155550132"), "the second reading");
    free(nb);

    /* said twice with no pause, the "that's" between heard as a six, one
     * digit of the second reading misheard: still two numbers, each from
     * its first digit to its last, the six in neither */
    memset(&w, 0, sizeof(w));
    say_all(&w, "--36178o145636178o145-", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 2, "said twice run together: %zu numbers", n);
    if (n == 2) {
        CHECK(!strcmp(nb[0].said, "361780145") && !strcmp(nb[1].said, "361780145"), "readings %s / %s", nb[0].said,
              nb[1].said);
        CHECK_NEAR(nb[0].end_s, 3.3, 1e-9, "the first reading ends before the six");
        CHECK_NEAR(nb[1].start_s, 3.6, 1e-9, "the second starts after it");
    }
    free(nb);
    memset(&w, 0, sizeof(w));
    say_all(&w, "--3617801456361780245-", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 2 && !strcmp(nb[1].said, "361780245"), "a slip in the second reading: %zu numbers", n);
    free(nb);
    /* ... but eleven digits whose halves differ are one number */
    const char *one[] = {"--07700900123--", "--0207946011--", "--4155524155599-"};
    for (size_t k = 0; k < sizeof(one) / sizeof(one[0]); k++) {
        n = count_in(one[k]);
        CHECK(n == 1, "\"%s\" is one number, found %zu", one[k], n);
    }

    /* a silence longer than the limit ends a number: 3 + 3 digits are none */
    memset(&w, 0, sizeof(w));
    say_all(&w, "123", 0.9f);
    say(&w, VMC_DW_FOUR, 2.5, 0.3f, 0.9f);
    say_all(&w, "56", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 0, "digits 2.5 s apart are two runs: %zu numbers", n);
    free(nb);

    /* a short slip of other speech inside a run does not break it */
    memset(&w, 0, sizeof(w));
    say_all(&w, "0770", 0.9f);
    say(&w, -1, 0.0, 0.08, 0.0f);
    say_all(&w, "0900123", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 1 && nb[0].digits == 11, "an 80 ms slip inside: %zu numbers", n);
    free(nb);

    /* one unsure digit: the number is found, but not "heard" */
    memset(&w, 0, sizeof(w));
    say_all(&w, "0770", 0.9f);
    say(&w, VMC_DW_NINE, 0.0, 0.3, 0.4f);
    say_all(&w, "00123", 0.9f);
    n = find(&nb, &w);
    CHECK(n == 1 && nb[0].heard[0] == 0 && !strcmp(nb[0].said, "0770900123"), "unsure digit: heard \"%s\"",
          n ? nb[0].heard : "");
    free(nb);

    /* the digits inside a given span */
    memset(&w, 0, sizeof(w));
    say_all(&w, "---o77oo--", 0.9f);
    VmcNumberParams p;
    vmc_number_params_default(&p);
    const VmcDigitWords dw = {w.v, w.n};
    VmcNumber in;
    CHECK(vmc_number_inside(&in, &dw, 0.85, 2.45, &p) == 1 && !strcmp(in.heard, "07700"), "inside: %s", in.heard);
    CHECK(vmc_number_inside(&in, &dw, 0.0, 0.85, &p) == 0, "no digits in the lead-in");
    /* nothing at all */
    const VmcDigitWords empty = {NULL, 0};
    n = 1;
    CHECK(vmc_number_find(&nb, &n, &empty, &p) == 0 && n == 0 && nb == NULL, "no words, no number");
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

/* The span of the digit words in a word-timing file (start_s end_s word
 * per line, a header first): the true number, as the forced alignment has
 * it.  Returns the number of digit words. */
static size_t digit_span(const char *path, double *s, double *e, char *digits, size_t size)
{
    static const char *const names[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256], w[64];
    double a, b;
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%lf %lf %63s", &a, &b, w) != 3) continue;
        int d = !strcmp(w, "oh") ? 0 : -1;
        for (int k = 0; k < 10 && d < 0; k++)
            if (!strcmp(w, names[k])) d = k;
        if (d < 0) continue;
        if (!n) *s = a;
        *e = b;
        if (n + 1 < size) digits[n] = (char)('0' + d), digits[n + 1] = 0;
        n++;
    }
    fclose(f);
    return n;
}

/* A recording (tests/data): its number found within 0.15 s of the
 * aligned span when it holds one, none found when it does not; the digits,
 * when heard, are the ones said. */
static void real_file_judged(const char *dir, const char *name, int has_number, int too_fast);
static void real_file(const char *dir, const char *name, int has_number)
{
    real_file_judged(dir, name, has_number, -1);
}

/* As real_file; too_fast >= 0: and the verdict is that. */
static void real_file_judged(const char *dir, const char *name, int has_number, int too_fast)
{
    char wav[1024], tsv[1024], digits[64] = "";
    snprintf(wav, sizeof(wav), "%s/%s", dir, name);
    snprintf(tsv, sizeof(tsv), "%s/%.*s.words.tsv", dir, (int)(strrchr(name, '.') - name), name);
    double t0 = 0.0, t1 = 0.0;
    const size_t n_digits = digit_span(tsv, &t0, &t1, digits, sizeof(digits));
    VmcheckReport *r = NULL;
    int e = vmcheck_analyze_file(NULL, &r, wav, NULL, 0, NULL);
    CHECK(e == VMCHECK_OK, "%s: %s", wav, vmcheck_strerror(e));
    if (e) return;
    size_t found = 0;
    for (size_t k = 0; k < r->segment_count; k++) {
        const VmcheckSegment *s = &r->segments[k];
        if (s->kind != VMCHECK_SEGMENT_NUMBER) continue;
        found++;
        printf("  %s: number %.2f-%.2f s (aligned %.2f-%.2f s), %zu digits, heard \"%s\" (said %s)\n", name, s->start_s,
               s->end_s, t0, t1, s->digits, s->heard, digits);
        if (!has_number) continue;
        CHECK(fabs(s->start_s - t0) <= 0.15 && fabs(s->end_s - t1) <= 0.15, "%s: %.2f-%.2f s, aligned %.2f-%.2f s",
              name, s->start_s, s->end_s, t0, t1);
        CHECK(!s->heard[0] || !strcmp(s->heard, digits), "%s: heard %s, said %s", name, s->heard, digits);
        CHECK(too_fast < 0 || s->too_fast == too_fast, "%s: verdict %s", name, s->too_fast ? "too fast" : "ok");
    }
    if (!found) printf("  %s: no number (%zu digit words said)\n", name, n_digits);
    CHECK(found == (size_t)(has_number ? 1 : 0), "%s: %zu numbers found, want %d", name, found, has_number);
    vmcheck_report_free(&r);
}

static int has_flag(const VmcheckReport *r, enum VmcheckFlagCode code, const char **msg)
{
    for (size_t k = 0; k < r->flag_count; k++)
        if (r->flags[k].code == code) {
            if (msg) *msg = r->flags[k].message;
            return 1;
        }
    return 0;
}

/* number_mismatch: the digits heard (8561490, as said) against a script
 * with the right number and with two digits swapped. */
/* The edge trimmer: a carrier word heard as an unsure digit, set off from
 * the number by a short gap ("I hardly know, er, six one one ...": "know"
 * as "oh"; "... seven four for, thanks") is left out of the number, which
 * then starts and ends at its own digits; sure digits run together keep
 * their place, and no number is cut under VMC_NUMBER_MIN_DIGITS. */
static void check_edges(void)
{
    VmcNumber *nb = NULL;
    Words w = {0};
    say(&w, -1, 0.0, 0.6, 0.9f);        /* "I hardly" */
    say(&w, VMC_DW_OH, 0.0, 0.2, 0.2f); /* "know" */
    const double first = w.t_s + 0.3;
    say(&w, VMC_DW_SIX, 0.3, 0.3, 0.95f);
    say_all(&w, "11564662", 0.95f);
    const double last = w.t_s;
    say(&w, VMC_DW_FOUR, 0.4, 0.2, 0.25f); /* "for" */
    say(&w, -1, 0.0, 0.5, 0.9f);           /* "thanks" */
    size_t n = find(&nb, &w);
    CHECK(n == 1 && !strcmp(nb[0].said, "611564662") && nb[0].edges_cut == 2,
          "carrier words at both ends left out: said %s, %d cut", n ? nb[0].said : "-", n ? nb[0].edges_cut : -1);
    CHECK(n == 1 && fabs(nb[0].start_s - first) < 1e-9 && fabs(nb[0].end_s - last) < 1e-9,
          "the span is the digits' (%.2f-%.2f s)", n ? nb[0].start_s : 0.0, n ? nb[0].end_s : 0.0);
    CHECK(n == 1 && nb[0].run_start_s < first && nb[0].run_end_s > last, "the run before trimming is kept for tools");
    free(nb);

    /* the same digits said surely, run into the words: nothing cut */
    memset(&w, 0, sizeof(w));
    say(&w, -1, 0.0, 0.6, 0.9f);
    say_all(&w, "o611564662", 0.95f);
    say(&w, -1, 0.0, 0.5, 0.9f);
    n = find(&nb, &w);
    CHECK(n == 1 && !strcmp(nb[0].said, "0611564662") && nb[0].edges_cut == 0, "sure digits kept: said %s",
          n ? nb[0].said : "-");
    free(nb);

    /* five unsure digits after a gap: a number's worth, nothing to cut */
    memset(&w, 0, sizeof(w));
    say(&w, -1, 0.0, 0.6, 0.9f);
    say(&w, VMC_DW_OH, 0.0, 0.2, 0.2f);
    say(&w, VMC_DW_SIX, 0.3, 0.3, 0.95f);
    say_all(&w, "115", 0.95f);
    n = find(&nb, &w);
    CHECK(n == 0 || nb[0].digits >= VMC_NUMBER_MIN_DIGITS, "never cut under five digits");
    free(nb);
}

static void check_mismatch(const char *dir)
{
    char wav[1024];
    snprintf(wav, sizeof(wav), "%s/an4_cen7-mtcv-b.flac", dir);
    VmcheckReport *r = NULL;
    const char *msg = "";
    CHECK(vmcheck_analyze_file(NULL, &r, wav, NULL, 0, "My number is 856 1490.") == 0, "analyse %s", wav);
    CHECK(r && !has_flag(r, VMCHECK_FLAG_NUMBER_MISMATCH, &msg), "the right script: no number_mismatch (%s)", msg);
    vmcheck_report_free(&r);
    CHECK(vmcheck_analyze_file(NULL, &r, wav, NULL, 0, "My number is 856 1409.") == 0, "analyse %s", wav);
    CHECK(r && has_flag(r, VMCHECK_FLAG_NUMBER_MISMATCH, &msg), "a wrong script: number_mismatch");
    if (r && has_flag(r, VMCHECK_FLAG_NUMBER_MISMATCH, &msg)) {
        printf("  number_mismatch: %s\n", msg);
        CHECK(!strcmp(msg, "you said 856 1490; your script says 856 1409"), "message \"%s\"", msg);
    }
    vmcheck_report_free(&r);
    /* without the detector nothing is heard, so nothing is compared */
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.digit_detector = 0;
    CHECK(vmcheck_analyze_file(&cfg, &r, wav, NULL, 0, "My number is 856 1409.") == 0, "analyse %s", wav);
    CHECK(r && !has_flag(r, VMCHECK_FLAG_NUMBER_MISMATCH, NULL), "no detector: no number_mismatch");
    vmcheck_report_free(&r);
}

int main(int argc, char **argv)
{
    check_words();
    check_edges();
    if (argc > 2) {
        /* CMU AN4 speakers the detector never trained on (tests/data/SOURCES.md) */
        real_file(argv[2], "an4_cen7-fsaf2-b.flac", 1); /* a phone number, 10 digits, female speaker */
        real_file(argv[2], "an4_cen7-mtcv-b.flac", 1);  /* 7 digits, male */
        real_file(argv[2], "an4_cen1-fjdn-b.flac", 0);  /* a spelled name: N E L S O N */
        real_file(argv[2], "an4_an122-fjdn-b.flac", 0); /* "enter eight two four two": four digits */
        real_file(argv[2], "ljs_LJ002-0020.wav", 0);    /* "in eighteen thirteen": a year */
        check_mismatch(argv[2]);
        /* whole messages synthesised in one breath (espeak-ng voices the
         * detector never heard), clean and through a phone line (8 kHz
         * mu-law): the number run into "call me on", rushed, and slow */
        real_file_judged(argv[2], "onebreath-rushed.flac", 1, 1);
        real_file_judged(argv[2], "onebreath-rushed-phone.wav", 1, 1);
        real_file_judged(argv[2], "onebreath-slow.flac", 1, 0);
        real_file_judged(argv[2], "onebreath-slow-phone.wav", 1, 0);
    }
    if (argc > 1) {
        int ran = real_sample(argv[1], "good", 0);
        ran += real_sample(argv[1], "rushed-number", 1);
        if (!ran) printf("samples not found in %s\n", argv[1]);
    } else {
        printf("no samples folder given: real-audio checks skipped\n");
    }
    return test_done();
}
