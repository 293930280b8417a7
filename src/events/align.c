#include "events/align.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"

/* Costs of the alignment (in units of one syllable). */
#define COST_MISSED 1.0 /* an expected syllable with no nucleus */
#define COST_EXTRA 1.0  /* a nucleus the text does not have (hesitation, a miscount) */
/* The detector's typical errors, cheaper than a miss plus an extra: two
 * fast syllables in one nucleus, one drawn-out vowel in two. */
#define COST_MERGE 0.5
#define COST_SPLIT 0.5
/* ... but a split costs more as the valley between the two nuclei deepens,
 * up to the cost of an extra nucleus (band level dips, dB) */
#define SPLIT_DIP_LO_DB 4.0
#define SPLIT_DIP_HI_DB 12.0
/* A phrase break in the text where the audio has a silence earns a bonus; one
 * with no silence costs a little (people run phrases on), more at the end of
 * a sentence.  Weak breaks: commas, digit groups, the edges of the name and
 * number; strong: the end of a sentence.  A sentence end is where a reader
 * almost always stops, so it anchors the alignment firmly. */
#define BONUS_BREAK 0.8
#define COST_NO_SILENCE 0.2
#define BONUS_BREAK_STRONG 1.0
#define COST_NO_SILENCE_STRONG 0.5
/* A silence between two nuclei that counts as a phrase break. */
#define BREAK_SILENCE_S 0.15
/* The recording follows the script when at least this share of the
 * expected syllables found a nucleus and the extra nuclei are fewer than
 * this share of all nuclei. */
#define MIN_MATCHED 0.6
#define MAX_EXTRA 0.4
/* Syllables found may differ from those expected by this share (nuclei
 * are counted within about 10 %). */
#define MAX_LENGTH_DIFF 0.35
/* Missed and extra syllables, plus merged and split ones at the weight of
 * their cost (the detector's own slips), as a share of the longer sequence,
 * beyond which the recording is another message.  On the tune split of
 * tools/bench-mismatch (107 messages x 4 conditions) a practised reading
 * needs at most 10.8 %; the limit keeps a third of that as margin.  Another
 * message from the same template often passes (caught 30 %); a message of
 * another shape is caught by its length. */
#define MAX_EDITS 0.14
/* The table is (syllables + 1) x (nuclei + 1): 4 M cells (36 MB) is a
 * script of some 2000 syllables, ten minutes of speech. */
#define MAX_CELLS 4.0e6

typedef struct Syl {
    unsigned tok;   /* token index */
    int brk_before; /* a phrase break precedes this syllable: 0 none, 1 weak, 2 strong */
} Syl;

/* Cost of a phrase break of strength brk (1, 2) at a nucleus with (gap) or
 * without a silence before it. */
static double break_cost(int brk, int gap)
{
    if (brk >= 2) return gap ? -BONUS_BREAK_STRONG : COST_NO_SILENCE_STRONG;
    return gap ? -BONUS_BREAK : COST_NO_SILENCE;
}

void vmc_alignment_free(VmcAlignment *a)
{
    free(a->segs);
    free(a->syllables);
    free(a->syllables_max);
    free(a->text);
    memset(a, 0, sizeof(*a));
}

/* Silence of at least BREAK_SILENCE_S between frames a and b. */
static int silence_between(const VmcActivity *act, size_t a, size_t b, size_t min_frames)
{
    size_t run = 0;
    for (size_t k = a; k < b; k++) {
        run = act->active[k] ? 0 : run + 1;
        if (run >= min_frames) return 1;
    }
    return 0;
}

/* Boundary between nucleus frames a < b: the end of the last silence
 * between them when before_b, else the start of the first, where a pause
 * (min_frames or longer) wins over a short gap (a stop closure, the gap
 * inside "ze-ro"); without silence, the quietest frame of the envelope
 * between frames qa < qb (the nuclei either side of the boundary, within
 * [a, b]). */
static double boundary(const VmcActivity *act, const float *band, size_t a, size_t b, size_t qa, size_t qb,
                       int before_b, size_t min_frames, double hop_s)
{
    size_t s0 = b, s1 = a, p0 = b, p1 = a;
    for (size_t k = a; k < b;) {
        if (act->active[k]) {
            k++;
            continue;
        }
        size_t j = k;
        while (j < b && !act->active[j]) j++;
        if (s0 == b) s0 = k;
        s1 = j;
        if (j - k >= min_frames) {
            if (p0 == b) p0 = k;
            p1 = j;
        }
        k = j;
    }
    if (p0 < b) return (double)(before_b ? p1 : p0) * hop_s;
    if (s0 < b) return (double)(before_b ? s1 : s0) * hop_s;
    size_t m = qa;
    for (size_t k = qa; k <= qb; k++)
        if (band[k] < band[m]) m = k;
    return (double)m * hop_s;
}

int vmc_align(VmcAlignment *out, const VmcScript *sc, const VmcActivity *act, const VmcNuclei *nu, const float *band,
              size_t n_frames, double hop_s)
{
    memset(out, 0, sizeof(*out));
    size_t M = sc->syllables, N = nu->n;
    if (!act->has_speech || N == 0 || M == 0) {
        out->mismatch = 1;
        snprintf(out->why, sizeof(out->why), "no syllables found to align the script to");
        return VMCHECK_OK;
    }
    if ((double)(M + 1) * (double)(N + 1) > MAX_CELLS) {
        out->mismatch = 1;
        snprintf(out->why, sizeof(out->why), "too long to align: %zu syllables expected, %zu found", M, N);
        return VMCHECK_OK;
    }
    Syl *e = vmc_calloc(M, sizeof(Syl));
    unsigned char *gap = vmc_calloc(N, 1); /* silence before nucleus j */
    double *D = vmc_calloc((M + 1) * (N + 1), sizeof(double));
    unsigned char *from = vmc_calloc((M + 1) * (N + 1), 1);
    long *match = vmc_calloc(M, sizeof(long));
    double *split_cost = vmc_calloc(N, sizeof(double));
    unsigned char *used = vmc_calloc(N, 1); /* nucleus matched to a syllable */
    int r = VMCHECK_ENOMEM;
    if (!e || !gap || !D || !from || !match || !split_cost || !used) goto done;
    size_t k = 0;
    for (size_t t = 0; t < sc->n; t++)
        for (unsigned s = 0; s < sc->tok[t].syllables && k < M; s++)
            e[k++] = (Syl){(unsigned)t, s == 0 && t > 0 ? sc->tok[t - 1].brk : 0};
    const size_t min_sil = (size_t)ceil(BREAK_SILENCE_S / hop_s - 1e-9);
    for (size_t j = 1; j < N; j++)
        gap[j] = (unsigned char)silence_between(act, nu->frames[j - 1], nu->frames[j], min_sil);
    /* a split is cheap where the valley between the two nuclei is shallow
     * (one drawn-out vowel wobbling) and as dear as an extra nucleus where it
     * is deep (a consonant: two syllables) */
    for (size_t j = 1; j < N; j++) {
        const size_t a = nu->frames[j - 1], b = nu->frames[j];
        float valley = band[a];
        for (size_t q = a; q <= b; q++)
            if (band[q] < valley) valley = band[q];
        const double dip = (double)(band[a] < band[b] ? band[a] : band[b]) - (double)valley;
        double f = (dip - SPLIT_DIP_LO_DB) / (SPLIT_DIP_HI_DB - SPLIT_DIP_LO_DB);
        if (f < 0.0) f = 0.0;
        if (f > 1.0) f = 1.0;
        split_cost[j] = COST_SPLIT + (COST_EXTRA - COST_SPLIT) * f;
    }

    /* D[i][j]: best cost of the first i syllables against the first j nuclei */
#define AT(i, j) ((i) * (N + 1) + (j))
    for (size_t i = 0; i <= M; i++)
        for (size_t j = 0; j <= N; j++) {
            if (!i && !j) continue;
            double best = INFINITY;
            unsigned char arg = 0;
            if (i && j) { /* syllable i-1 on nucleus j-1 */
                double c = D[AT(i - 1, j - 1)];
                if (e[i - 1].brk_before && j > 1) c += break_cost(e[i - 1].brk_before, gap[j - 1]);
                if (c < best) best = c, arg = 1;
            }
            if (i >= 2 && j && !e[i - 1].brk_before) { /* syllables i-2, i-1 in nucleus j-1 */
                double c = D[AT(i - 2, j - 1)] + COST_MERGE;
                if (e[i - 2].brk_before && j > 1) c += break_cost(e[i - 2].brk_before, gap[j - 1]);
                if (c < best) best = c, arg = 4;
            }
            if (i && j >= 2 && !gap[j - 1]) { /* syllable i-1 over nuclei j-2, j-1 */
                double c = D[AT(i - 1, j - 2)] + split_cost[j - 1];
                if (e[i - 1].brk_before && j > 2) c += break_cost(e[i - 1].brk_before, gap[j - 2]);
                if (c < best) best = c, arg = 5;
            }
            if (i && D[AT(i - 1, j)] + COST_MISSED < best) best = D[AT(i - 1, j)] + COST_MISSED, arg = 2;
            if (j && D[AT(i, j - 1)] + COST_EXTRA < best) best = D[AT(i, j - 1)] + COST_EXTRA, arg = 3;
            D[AT(i, j)] = best;
            from[AT(i, j)] = arg;
        }
    for (size_t i = 0; i < M; i++) match[i] = -1;

    for (size_t i = M, j = N; i || j;) {
        unsigned char a = from[AT(i, j)];
        if (a == 1) {
            match[i - 1] = (long)(j - 1);
            i--, j--;
        } else if (a == 4) {
            match[i - 1] = match[i - 2] = (long)(j - 1);
            out->merged++;
            i -= 2, j--;
        } else if (a == 5) {
            match[i - 1] = (long)(j - 2);
            out->split++;
            i--, j -= 2;
        } else if (a == 2) {
            out->missed++;
            i--;
        } else {
            out->extra++;
            j--;
        }
    }
#undef AT
    for (size_t i = 0; i < M; i++)
        if (match[i] >= 0) used[match[i]] = 1;
    out->matched = M - out->missed;
    const double ratio = (double)N / (double)M;
    if (ratio < 1.0 - MAX_LENGTH_DIFF || ratio > 1.0 + MAX_LENGTH_DIFF) {
        out->mismatch = 1;
        snprintf(out->why, sizeof(out->why), "the recording is %s than the script: %zu syllables expected, %zu found",
                 ratio < 1.0 ? "much shorter" : "much longer", M, N);
        r = VMCHECK_OK;
        goto done;
    }
    if ((double)out->matched < MIN_MATCHED * (double)M || (double)out->extra > MAX_EXTRA * (double)N) {
        out->mismatch = 1;
        snprintf(out->why, sizeof(out->why),
                 "the recording does not follow the script: %zu syllables expected, %zu found, %zu matched", M, N,
                 out->matched);
        r = VMCHECK_OK;
        goto done;
    }
    /* Without a recogniser the evidence that the recording follows the
     * script is how little the alignment had to bend: a practised reading
     * misses or adds a few syllables (the detector's own errors, ~5 %); a
     * different message of about the same length needs many more. */
    const double edits = ((double)(out->missed + out->extra) * COST_MISSED + (double)out->merged * COST_MERGE +
                          (double)out->split * COST_SPLIT) /
                         (double)(M > N ? M : N);
    if (edits > MAX_EDITS) {
        out->mismatch = 1;
        snprintf(out->why, sizeof(out->why),
                 "the recording does not follow the script: %zu syllables expected, %zu found, %zu left unmatched", M,
                 N, out->missed + out->extra);
        r = VMCHECK_OK;
        goto done;
    }
    /* spans of the name and of each number: from the boundary before the
     * first matched nucleus of their syllables to the one after the last */
    size_t cap = 0, cap_syl = 0, cap_max = 0, cap_txt = 0;
    for (unsigned q = 0; q < sc->names + sc->numbers; q++) {
        const int is_name = q < sc->names;
        const unsigned g = is_name ? q + 1 : q - sc->names + 1;
        enum VmcTokenRole role = is_name ? VMC_TOK_NAME : VMC_TOK_NUMBER;
        long first = -1, last = -1;
        size_t want = 0, want_max = 0, got = 0;
        for (size_t i = 0; i < M; i++) {
            const VmcToken *t = &sc->tok[e[i].tok];
            if (t->role != role || t->group != g) continue;
            want++;
            if (i == 0 || e[i - 1].tok != e[i].tok) want_max += t->syllables_max;
            if (match[i] < 0) continue;
            got++;
            if (first < 0) first = match[i];
            last = match[i];
        }
        if (!want) continue;
        if (2 * got < want) {
            out->mismatch = 1;
            snprintf(out->why, sizeof(out->why),
                     "the %s in the script was not found in the recording (%zu of %zu syllables)",
                     is_name ? "name" : "phone number", got, want);
            continue;
        }
        const size_t f0 = nu->frames[first], f1 = nu->frames[last];
        /* a silence up to the nearest nuclei matched to other syllables
         * bounds the span (an extra nucleus before it, a drawn-out last
         * vowel, is the name's); without one, the quietest frame between
         * the span's outer nuclei and their very next ones */
        long before = first - 1, after = last + 1;
        while (before >= 0 && !used[before]) before--;
        while (after < (long)N && !used[after]) after++;
        double start = before >= 0
                           ? boundary(act, band, nu->frames[before], f0, nu->frames[first - 1], f0, 1, min_sil, hop_s)
                           : (double)act->start * hop_s;
        double end = (size_t)after < N
                         ? boundary(act, band, f1, nu->frames[after], f1, nu->frames[last + 1], 0, min_sil, hop_s)
                         : act->end_s;
        if (start < act->start_s) start = act->start_s;
        if (end > act->end_s) end = act->end_s;
        if (end <= start) continue;
        if (vmc_grow((void **)&out->segs, &cap, out->n_segs + 1, sizeof(VmcheckSegmentSpec)) ||
            vmc_grow((void **)&out->syllables, &cap_syl, out->n_segs + 1, sizeof(unsigned)) ||
            vmc_grow((void **)&out->syllables_max, &cap_max, out->n_segs + 1, sizeof(unsigned)) ||
            vmc_grow((void **)&out->text, &cap_txt, out->n_segs + 1, sizeof(out->text[0])))
            goto done;
        out->syllables[out->n_segs] = (unsigned)want;
        out->syllables_max[out->n_segs] = (unsigned)want_max;
        /* the number as the caller wrote it, groups separated by spaces */
        out->text[out->n_segs][0] = 0;
        if (!is_name) vmc_script_number_text(sc, g, out->text[out->n_segs], sizeof(out->text[0]));
        out->segs[out->n_segs++] =
            (VmcheckSegmentSpec){is_name ? VMCHECK_SEGMENT_NAME : VMCHECK_SEGMENT_NUMBER, start, end, 0};
    }
    (void)n_frames;
    r = VMCHECK_OK;
done:
    free(e);
    free(gap);
    free(D);
    free(from);
    free(match);
    free(split_cost);
    free(used);
    if (r) vmc_alignment_free(out);
    return r;
}
