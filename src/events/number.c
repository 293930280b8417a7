#include "events/number.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/common.h"

/* A pause this long around a number leaves no doubt where it starts and ends. */
#define HEARD_EDGE_GAP_S 0.25
/* ... and one this long inside it separates digit groups. */
#define GROUP_PAUSE_S 0.2

void vmc_number_params_default(VmcNumberParams *p)
{
    p->max_gap_s = 2.0;
    p->max_other_s = vmc_number_model.max_other_s;
    p->other_sure = 1.01;
    p->min_conf = 0.0;
    p->run_min_conf = 0.0;
    p->min_score = vmc_number_model.min_score;
    p->trim_conf = vmc_number_model.trim_conf;
    p->trim_group_conf = vmc_number_model.trim_group_conf;
    p->heard_min_conf = vmc_number_model.heard_min_conf;
    p->edge_min_p = vmc_number_model.edge_min_p;
}

/* A word that counts: a digit word (or "double") at least min_conf sure. */
static int is_word(const VmcDigitToken *t, const VmcNumberParams *p)
{
    return t->word >= 0 && (double)t->conf >= p->min_conf;
}

static int is_digit(const VmcDigitToken *t, const VmcNumberParams *p)
{
    return is_word(t, p) && t->word != VMC_DW_DOUBLE;
}

/* Fill *nb from tokens [i, j) (digits, "double", and short other speech
 * between them). */
static void collect(VmcNumber *nb, const VmcDigitWords *w, size_t i, size_t j, const VmcNumberParams *p)
{
    memset(nb, 0, sizeof(*nb));
    nb->min_conf = 1.0;
    int sure = 1, first = 1;
    double conf_sum = 0.0;
    size_t n_words = 0;
    for (size_t k = i; k < j; k++) {
        const VmcDigitToken *t = &w->v[k];
        if (!is_word(t, p)) continue;
        conf_sum += (double)t->conf;
        n_words++;
        if (first) nb->start_s = t->start_s;
        first = 0;
        nb->end_s = t->end_s;
        nb->syllables += vmc_digit_word_syllables(t->word);
        if ((double)t->conf < nb->min_conf) nb->min_conf = (double)t->conf;
        if ((double)t->conf < p->heard_min_conf) sure = 0;
        if (!is_digit(t, p)) continue;
        /* "double seven": the seven twice */
        const int twice = k > i && w->v[k - 1].word == VMC_DW_DOUBLE && is_word(&w->v[k - 1], p);
        for (int rep = 0; rep <= twice; rep++) {
            if (nb->digits < VMC_NUMBER_MAX_DIGITS) nb->said[nb->digits] = vmc_digit_word_char(t->word);
            nb->digits++;
        }
    }
    const size_t kept = nb->digits < VMC_NUMBER_MAX_DIGITS ? nb->digits : VMC_NUMBER_MAX_DIGITS;
    nb->said[kept] = '\0';
    if (sure && nb->digits) memcpy(nb->heard, nb->said, kept + 1);
    nb->mean_conf = n_words ? conf_sum / (double)n_words : 0.0;
}

/* Does token k end a run of digits?  Other speech (or a digit word too
 * unsure to count) that lasts or is sure. */
static int breaks(const VmcDigitWords *w, size_t k, const VmcNumberParams *p)
{
    const VmcDigitToken *t = &w->v[k];
    if (is_word(t, p)) return 0;
    return t->end_s - t->start_s > p->max_other_s || (t->word < 0 && (double)t->conf >= p->other_sure);
}

/* Is the token next to run end k (dir -1: before, +1: after) clearly not
 * part of the number: none, or after a pause, or other speech that is sure? */
static int edge_sure(const VmcDigitWords *w, size_t k, int dir, const VmcNumberParams *p)
{
    if (dir < 0 ? k == 0 : k + 1 >= w->n) return 1;
    const VmcDigitToken *a = &w->v[k], *b = &w->v[dir < 0 ? k - 1 : k + 1];
    const double gap = dir < 0 ? a->start_s - b->end_s : b->start_s - a->end_s;
    return gap >= HEARD_EDGE_GAP_S || (b->word < 0 && (double)b->conf >= p->heard_min_conf);
}

/* What the classifier weighs, for the run of tokens [i, last]:
 *  0 the words' mean confidence      1 the least sure word's
 *  2 share of words at least 0.5 sure 3 ln(digits / 10)
 *  4 share of the span in words      5 other-speech tokens inside, per word
 *  6 ln(words per second / 3)        7 SD of ln(word duration): even digits
 *  8 silence before (capped at 1 s)  9 silence after
 * 10 how sure the speech around it is not a digit (mean "other" confidence of
 *    the neighbouring tokens within 0.3 s; 1 when there are none). */
static void describe(VmcNumber *nb, const VmcDigitWords *w, size_t i, size_t last, const VmcNumberParams *p)
{
    double dur = 0.0, ld = 0.0, ld2 = 0.0;
    size_t words = 0, sure = 0, other = 0;
    for (size_t k = i; k <= last; k++) {
        const VmcDigitToken *t = &w->v[k];
        if (!is_word(t, p)) {
            other++;
            continue;
        }
        const double d = t->end_s - t->start_s > 0.01 ? t->end_s - t->start_s : 0.01;
        dur += d;
        ld += log(d);
        ld2 += log(d) * log(d);
        words++;
        sure += t->conf >= 0.5f;
    }
    const double span = nb->end_s - nb->start_s > 0.01 ? nb->end_s - nb->start_s : 0.01;
    const double m = words ? ld / (double)words : 0.0;
    const double var = words > 1 ? (ld2 - (double)words * m * m) / (double)(words - 1) : 0.0;
    const double before = i ? fmin(1.0, w->v[i].start_s - w->v[i - 1].end_s) : 1.0;
    const double after = last + 1 < w->n ? fmin(1.0, w->v[last + 1].start_s - w->v[last].end_s) : 1.0;
    double around = 0.0;
    int n_around = 0;
    if (i && w->v[i].start_s - w->v[i - 1].end_s < 0.3) {
        around += w->v[i - 1].word < 0 ? (double)w->v[i - 1].conf : 0.0;
        n_around++;
    }
    if (last + 1 < w->n && w->v[last + 1].start_s - w->v[last].end_s < 0.3) {
        around += w->v[last + 1].word < 0 ? (double)w->v[last + 1].conf : 0.0;
        n_around++;
    }
    double *f = nb->feature;
    f[0] = nb->mean_conf;
    f[1] = nb->min_conf;
    f[2] = words ? (double)sure / (double)words : 0.0;
    f[3] = log((double)(nb->digits ? nb->digits : 1) / 10.0);
    f[4] = dur / span;
    f[5] = words ? (double)other / (double)words : 0.0;
    f[6] = log((double)(words ? words : 1) / span / 3.0);
    f[7] = var > 0.0 ? sqrt(var) : 0.0;
    f[8] = before;
    f[9] = after;
    f[10] = n_around ? around / n_around : 1.0;
    nb->score = vmc_number_model.bias;
    for (int k = 0; k < VMC_NUMBER_FEATURES; k++) nb->score += vmc_number_model.w[k] * f[k];
}

/* Mean confidence of the digit words among tokens [a, b]. */
static double group_conf(const VmcDigitWords *w, size_t a, size_t b, const VmcNumberParams *p)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t k = a; k <= b; k++)
        if (is_word(&w->v[k], p)) sum += (double)w->v[k].conf, n++;
    return n ? sum / (double)n : 0.0;
}

/* Edit distance between digit strings a and b (at most VMC_NUMBER_MAX_DIGITS each). */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t row[VMC_NUMBER_MAX_DIGITS + 1];
    for (size_t j = 0; j <= nb; j++) row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            const size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* A number said twice with nothing but a word or two between ("...four
 * five, that's three six one ..."): the digits of tokens [first, last] as
 * two like strings A and B of at least VMC_NUMBER_MIN_DIGITS, at most
 * REPEAT_BETWEEN digit words apart (the "that's" heard as a digit), within
 * a quarter of their length of each other.  Then *a_last is A's last token
 * and *b_first B's first ("double" included) and it returns 1. */
#define REPEAT_BETWEEN 2
static int said_twice(const VmcDigitWords *w, size_t first, size_t last, const VmcNumberParams *p, size_t *a_last,
                      size_t *b_first)
{
    /* the digit words as units: a digit with the "double" before it */
    size_t start[2 * VMC_NUMBER_MAX_DIGITS], end[2 * VMC_NUMBER_MAX_DIGITS], at[2 * VMC_NUMBER_MAX_DIGITS + 1];
    char s[2 * VMC_NUMBER_MAX_DIGITS];
    size_t units = 0, len = 0;
    for (size_t k = first; k <= last; k++) {
        if (!is_digit(&w->v[k], p)) continue;
        if (units == 2 * VMC_NUMBER_MAX_DIGITS || len + 2 > sizeof(s)) return 0;
        const int twice = k > first && w->v[k - 1].word == VMC_DW_DOUBLE && is_word(&w->v[k - 1], p);
        start[units] = twice ? k - 1 : k;
        end[units] = k;
        at[units++] = len;
        for (int rep = 0; rep <= twice; rep++) s[len++] = vmc_digit_word_char(w->v[k].word);
    }
    at[units] = len;
    if (len < 2 * VMC_NUMBER_MIN_DIGITS) return 0;
    size_t best = SIZE_MAX;
    for (size_t a = 1; a < units; a++) {
        const size_t na = at[a];
        if (na < VMC_NUMBER_MIN_DIGITS || na > VMC_NUMBER_MAX_DIGITS) continue;
        for (size_t b = a; b <= a + REPEAT_BETWEEN && b < units; b++) {
            const size_t nb = len - at[b];
            if (nb < VMC_NUMBER_MIN_DIGITS || nb > VMC_NUMBER_MAX_DIGITS) continue;
            const size_t d = edit_distance(s, na, s + at[b], nb);
            if (d > (na > nb ? na : nb) / 4 || d >= best) continue;
            best = d;
            *a_last = end[a - 1];
            *b_first = start[b];
        }
    }
    return best != SIZE_MAX;
}

/* The words the edge trimmer weighs: word token k at a run's end (dir -1:
 * the start, +1: the end), the j-th from it, with the run's other words
 * dig[a, b) (the ones further in).  In order:
 *  0 its confidence                    1 the gap to the next token inward
 *  2 the gap to the token outward (1 s when none; both capped at 1 s)
 *  3 ln(its duration)                  4 the further words' mean confidence
 *  5 how sure the token outward is other speech (when within 0.3 s)
 *  6 other-speech tokens between it and the next word inward
 *  7-12 it is "oh", "zero", "one", "two", "four", "eight" (the digits
 *       carrier words are heard as: "know", "do", "for", "on" ...)
 * 13 1 at the start, 0 at the end     14 j */
static void edge_features(double f[VMC_EDGE_FEATURES], const VmcDigitWords *w, size_t k, int dir, int j,
                          const size_t *dig, size_t a, size_t b)
{
    const VmcDigitToken *t = &w->v[k];
    const size_t in = dir < 0 ? k + 1 : k - 1;
    const double gap_in = dir < 0 ? w->v[in].start_s - t->end_s : t->start_s - w->v[in].end_s;
    double gap_out = 1.0, oth = 0.0;
    if (dir < 0 ? k > 0 : k + 1 < w->n) {
        const VmcDigitToken *o = &w->v[dir < 0 ? k - 1 : k + 1];
        gap_out = dir < 0 ? t->start_s - o->end_s : o->start_s - t->end_s;
        if (o->word < 0 && gap_out < 0.3) oth = (double)o->conf;
    }
    size_t n_other = 0;
    for (size_t q = in; q < w->n && w->v[q].word < 0; q = dir < 0 ? q + 1 : q - 1) n_other++;
    double rest = 0.0;
    for (size_t q = a; q < b; q++) rest += (double)w->v[dig[q]].conf;
    rest = b > a ? rest / (double)(b - a) : 0.0;
    f[0] = (double)t->conf;
    f[1] = fmin(1.0, fmax(0.0, gap_in));
    f[2] = fmin(1.0, fmax(0.0, gap_out));
    f[3] = log(fmax(0.01, t->end_s - t->start_s));
    f[4] = rest;
    f[5] = oth;
    f[6] = (double)n_other;
    static const int homophone[6] = {VMC_DW_OH, VMC_DW_ZERO, VMC_DW_ONE, VMC_DW_TWO, VMC_DW_FOUR, VMC_DW_EIGHT};
    for (int h = 0; h < 6; h++) f[7 + h] = t->word == homophone[h] ? 1.0 : 0.0;
    f[13] = dir < 0 ? 1.0 : 0.0;
    f[14] = (double)j;
}

static double edge_p(const double f[VMC_EDGE_FEATURES])
{
    double z = vmc_number_model.edge_bias;
    for (int k = 0; k < VMC_EDGE_FEATURES; k++) z += vmc_number_model.edge_w[k] * f[k];
    return 1.0 / (1.0 + exp(-z));
}

/* The words of tokens [i, last] as a number; heard only when nothing
 * digit-like or unsure touches the run (a digit lost at an edge would
 * change the string, not the confidence). */
static void run_of(VmcNumber *nb, const VmcDigitWords *w, size_t i, size_t last, const VmcNumberParams *p)
{
    collect(nb, w, i, last + 1, p);
    if (!edge_sure(w, i, -1, p) || !edge_sure(w, last, 1, p)) nb->heard[0] = 0;
}

/* The edge trimmer on the accepted run [i, last] of *nb: its words, how
 * likely each of the first and last few is a neighbour's (kept in *nb for
 * tools/digits/train.py), and those it is sure of left out, from the ends
 * in, keeping at least a number's worth. */
static void trim_edges(VmcNumber *nb, const VmcDigitWords *w, size_t i, size_t last, const VmcNumberParams *p)
{
    size_t dig[2 * VMC_NUMBER_MAX_DIGITS] = {0}, nd = 0;
    for (size_t k = i; k <= last; k++)
        if (is_word(&w->v[k], p) && nd++ < sizeof(dig) / sizeof(dig[0])) dig[nd - 1] = k;
    if (nd > sizeof(dig) / sizeof(dig[0])) nd = 0; /* too long to be a number's: left as it is */
    nb->run_start_s = nb->start_s;
    nb->run_end_s = nb->end_s;
    nb->run_words = nd;
    nb->inner_start_s = nd > VMC_EDGE_WORDS ? w->v[dig[VMC_EDGE_WORDS]].start_s : nb->start_s;
    nb->inner_end_s = nd > VMC_EDGE_WORDS ? w->v[dig[nd - 1 - VMC_EDGE_WORDS]].end_s : nb->end_s;
    if (nd < VMC_NUMBER_MIN_DIGITS) return;
    double pe[2 * VMC_EDGE_WORDS];
    for (int e = 0; e < 2 * VMC_EDGE_WORDS; e++) {
        const int j = e % VMC_EDGE_WORDS, start = e < VMC_EDGE_WORDS;
        const size_t k = start ? dig[j] : dig[nd - 1 - (size_t)j];
        if (start)
            edge_features(nb->edge[e], w, k, -1, j, dig, (size_t)j + 1, nd);
        else
            edge_features(nb->edge[e], w, k, 1, j, dig, 0, nd - 1 - (size_t)j);
        nb->edge_start_s[e] = w->v[k].start_s;
        nb->edge_end_s[e] = w->v[k].end_s;
        pe[e] = edge_p(nb->edge[e]);
    }
    size_t lo = 0, hi = nd;
    for (int j = 0; j < VMC_EDGE_WORDS && pe[j] > p->edge_min_p && hi - lo > VMC_NUMBER_MIN_DIGITS; j++) lo++;
    for (int j = 0; j < VMC_EDGE_WORDS && pe[VMC_EDGE_WORDS + j] > p->edge_min_p && hi - lo > VMC_NUMBER_MIN_DIGITS;
         j++)
        hi--;
    if (lo == 0 && hi == nd) return;
    VmcNumber cut;
    run_of(&cut, w, dig[lo], dig[hi - 1], p);
    if (cut.digits < VMC_NUMBER_MIN_DIGITS) return;
    nb->start_s = cut.start_s;
    nb->end_s = cut.end_s;
    nb->digits = cut.digits;
    nb->syllables = cut.syllables;
    memcpy(nb->heard, cut.heard, sizeof(nb->heard));
    memcpy(nb->said, cut.said, sizeof(nb->said));
    nb->edges_cut = (int)(lo + (nd - hi));
}

/* The number of tokens [i, last] into v (when the classifier takes it). */
static int keep(VmcNumber **v, size_t *n, size_t *cap, const VmcDigitWords *w, size_t i, size_t last,
                const VmcNumberParams *p)
{
    VmcNumber nb;
    run_of(&nb, w, i, last, p);
    describe(&nb, w, i, last, p);
    if (nb.digits < VMC_NUMBER_MIN_DIGITS || nb.mean_conf < p->run_min_conf || nb.score < p->min_score)
        return VMCHECK_OK;
    trim_edges(&nb, w, i, last, p);
    if (vmc_grow((void **)v, cap, *n + 1, sizeof(VmcNumber))) return VMCHECK_ENOMEM;
    (*v)[(*n)++] = nb;
    return VMCHECK_OK;
}

int vmc_number_find(VmcNumber **out, size_t *n_out, const VmcDigitWords *w, const VmcNumberParams *p)
{
    *out = NULL;
    *n_out = 0;
    VmcNumber *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < w->n;) {
        if (!is_word(&w->v[i], p)) {
            i++;
            continue;
        }
        /* extend over digits, "double" and short other speech; stop at a
         * long silence or real other speech */
        size_t j = i + 1, last = i;
        while (j < w->n) {
            if (w->v[j].start_s - w->v[j - 1].end_s > p->max_gap_s || breaks(w, j, p)) break;
            if (is_word(&w->v[j], p)) last = j;
            j++;
        }
        /* unsure words at either end are more likely a neighbour's than a digit */
        const size_t next = last + 1;
        size_t first = i;
        while (first < last && (!is_word(&w->v[first], p) || (double)w->v[first].conf < p->trim_conf)) first++;
        while (last > first && (!is_word(&w->v[last], p) || (double)w->v[last].conf < p->trim_conf)) last--;
        /* ... and so is a group of unsure words set off by a pause at either
         * end ("...one two three. Thanks, bye") */
        for (int rep = 0; rep < 2; rep++) {
            size_t g = last;
            while (g > first && w->v[g].start_s - w->v[g - 1].end_s < GROUP_PAUSE_S) g--;
            if (g > first && group_conf(w, g, last, p) < p->trim_group_conf) {
                last = g - 1;
                while (last > first && !is_word(&w->v[last], p)) last--;
            }
            g = first;
            while (g < last && w->v[g + 1].start_s - w->v[g].end_s < GROUP_PAUSE_S) g++;
            if (g < last && group_conf(w, first, g, p) < p->trim_group_conf) {
                first = g + 1;
                while (first < last && !is_word(&w->v[first], p)) first++;
            }
        }
        size_t a_last, b_first;
        int r;
        if (said_twice(w, first, last, p, &a_last, &b_first))
            r = keep(&v, &n, &cap, w, first, a_last, p) || keep(&v, &n, &cap, w, b_first, last, p);
        else
            r = keep(&v, &n, &cap, w, first, last, p);
        if (r) {
            free(v);
            return VMCHECK_ENOMEM;
        }
        i = next > i ? next : i + 1;
    }
    *out = v;
    *n_out = n;
    return VMCHECK_OK;
}

int vmc_number_inside(VmcNumber *out, const VmcDigitWords *w, double start_s, double end_s, const VmcNumberParams *p)
{
    size_t i = 0;
    /* words whose middle lies inside the span */
    while (i < w->n && 0.5 * (w->v[i].start_s + w->v[i].end_s) < start_s) i++;
    size_t j = i;
    while (j < w->n && 0.5 * (w->v[j].start_s + w->v[j].end_s) < end_s) j++;
    collect(out, w, i, j, p);
    return out->digits > 0;
}
