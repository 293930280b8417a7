/* Finding the spoken phone number (segments with source "auto").
 *
 * Method: score every run of consecutive syllable nuclei that could be a
 * number with a small logistic model (log-odds that the run is a number),
 * add a bonus when a second run elsewhere has the same loudness contour (a
 * number said twice), and keep the best run, plus a second one that looks
 * like a repeat of it.  Nothing is reported when no run scores high enough.
 *
 * 1. Stressed nuclei.  Every digit is a stressed word, so a nucleus more
 *    than STRONG_DB below another one within STRONG_REACH_S is an unstressed
 *    syllable or half of a split vowel: the timing features below use the
 *    stressed ones only (the segment's syllable count later uses them all).
 *    In ordinary speech this removes the weak syllables and leaves uneven
 *    stress-timed intervals; in a digit string it changes nothing.
 * 2. Candidates: runs of MIN_NUCLEI..MAX_NUCLEI stressed nuclei without a
 *    silence over MAX_SILENCE_S inside, set off by at least EDGE_GAP_S of
 *    silence on both sides (a number is a prosodic unit of its own; when a
 *    caller runs it into the words before it, the run grows to the nearest
 *    break: the syllables, hence the verdict, stay inside).  A run starts at
 *    the onset of its first syllable (the silence edge before the nucleus,
 *    within ONSET_REACH_S, else the level valley) and ends at the offset of
 *    its last (OFFSET_REACH_S).  A run is no number when the same even
 *    pattern goes on for TRAIN_MORE or more syllables past its ends (spacing
 *    within the run's range widened by TRAIN_SPACING_LO / _HI, the same kind
 *    of gap, levels within TRAIN_LEVEL_DB of the run's median): a number
 *    stands out from what is around it, a long even train (counting, beeps,
 *    a test signal) does not.
 * 3. Score: W_* times the features below (logistic regression, weights fitted
 *    on the tune split of tools/bench-segments: windows overlapping a true
 *    number by IoU >= 0.7 against windows under 0.3, L2 1.0).  They describe
 *    the two ways numbers are read: slowly in groups, each digit its own word
 *    with a short silence after it and pauses between groups; or rattled off
 *    in one breath, faster than the speech around it; in both, each digit
 *    stressed (even levels, deep dips between syllables).
 * 4. Said twice: the band-level envelope of a run, stretched to TWIN_POINTS
 *    points, is correlated (Pearson) with that of every run of similar
 *    length that starts or ends within TWIN_MAX_GAP_S of it; a correlation r
 *    over TWIN_MIN_R adds TWIN_BONUS * (r - TWIN_MIN_R) / (1 - TWIN_MIN_R).
 *    This keeps two readings of a number apart when the words between them
 *    ("that's") look like another digit.
 * 5. Pick: the best run if it scores THRESHOLD_FIRST or more; then the best
 *    run not overlapping it, of similar length, if it scores THRESHOLD_REPEAT.
 *    At most two: "sometimes said twice".
 *
 * The stressed-nucleus filter, the edge rule, the repeat bonus and the
 * thresholds were chosen by 3-fold cross-validation over the tune split's
 * base messages (each fold's model fitted without them): 97 % of the numbers
 * located (IoU >= 0.5), 99 % of the verdicts right, while 2 of 35 recordings
 * of ordinary speech without a number (the shared test corpus) get one.
 *
 * All of it is O(runs x runs nearby): at most MAX_NUCLEI runs per nucleus,
 * the repeat search only among runs within TWIN_MAX_GAP_S. */
#include "events/number.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Durations, converted to frames once per hop (rounded to nearest). */
#define STRONG_REACH_S 0.25  /* neighbourhood for the stressed-nucleus test */
#define MAX_SILENCE_S 1.5    /* longest silence inside a number (a slow reader's group pause) */
#define EDGE_GAP_S 0.08      /* silence needed before and after a number */
#define ONSET_REACH_S 0.35   /* a syllable's onset lies at most this before its nucleus */
#define OFFSET_REACH_S 0.45  /* ... its offset at most this after (final consonants, release) */
#define GAP_CAP_S 1.0        /* silences before / after a run are measured up to this */
#define SHORT_SILENCE_S 0.03 /* a silence this long between two nuclei separates the words */
#define GROUP_PAUSE_S 0.25   /* ... this long, digit groups (the CLI's default --min-pause) */
#define SLOW_INTERVAL_S 0.40 /* nucleus spacing of a slow reader, about 2.5 digits/s or less */
#define TWIN_MAX_GAP_S 4.0   /* the repeat of a number follows within this */
#define TWIN_APART_S 0.05    /* ... and does not touch it */

#define STRONG_DB 10.0         /* weaker than a neighbour by this: not a stressed syllable */
#define TRAIN_SPACING_LO 0.8   /* spacing from 0.8 x the run's shortest ... */
#define TRAIN_SPACING_HI 1.25  /* ... to 1.25 x its longest is "the same pattern" */
#define TRAIN_LEVEL_DB 3.0     /* level difference still "the same pattern" */
#define DIP_CAP_DB 30.0        /* dips deeper than this (silence between words) count as this */
#define ENVELOPE_RANGE_DB 30.0 /* envelope for the repeat test floored this below the speech level */

enum { MIN_NUCLEI = 6, MAX_NUCLEI = 22, TRAIN_MORE = 4, TWIN_POINTS = 48, MAX_FOUND = 2 };

/* The scoring model: log-odds of "a phone number" for a run of k stressed
 * nuclei.  Each weight multiplies the feature named after it. */
#define W_BIAS (-2.802)
#define W_SEPARATED 0.926       /* fraction of intervals with a silence (SHORT_SILENCE_S) inside: words said apart */
#define W_SLOW 1.880            /* fraction of within-group intervals over SLOW_INTERVAL_S */
#define W_GROUPS 1.055          /* group pauses inside, min(count, 4) / 4 */
#define W_FAST 3.939            /* max(0, ln(nuclei per second) - FAST_LN_RATE): rattled off */
#define W_IRREGULAR (-0.942)    /* SD of ln(interval) within groups: digits come evenly */
#define W_LEVEL_SPREAD (-1.834) /* SD of the nucleus levels / 5 dB: every digit stressed */
#define W_DIP 1.152             /* mean dip between nuclei (capped at DIP_CAP_DB) / 20 dB */
#define W_POSITION 2.752        /* centre of the run in the speech span, 0..1: numbers come late */
#define W_POSITION_SQ (-3.219)  /* 4 (position - 0.65)^2: ... but before the goodbye */
#define W_COUNT (-1.082)        /* |k - 12| / 4: 7 to 15 digit syllables */
#define W_LAST (-1.423)         /* the run holds the last nucleus: messages end with a goodbye */
#define FAST_LN_RATE 1.3        /* ln 3.7 nuclei/s: faster than this is faster than talk */
#define FEW_INTERVALS_SD 0.6    /* irregularity assumed when a run has fewer than 3 intervals in groups */

#define TWIN_MIN_R 0.5           /* envelope correlation that starts to count as a repeat */
#define TWIN_BONUS 2.5           /* log-odds added at correlation 1 */
#define TWIN_MIN_SCORE (-2.0)    /* a run must score this on its own to vouch for a twin */
#define TWIN_MAX_LN_DUR 0.3      /* |ln(duration ratio)| of twins */
#define THRESHOLD_FIRST (-1.0)   /* log-odds needed to report a number */
#define THRESHOLD_REPEAT (-0.5)  /* ... and a second one */
#define REPEAT_MAX_LN_COUNT 0.35 /* |ln(nuclei ratio)| of a second reading to the first */
#define REPEAT_MAX_LN_DUR 0.45   /* |ln(duration ratio)| of a second reading to the first */

typedef struct Run {
    size_t i, j; /* first and last stressed nucleus */
    size_t s, e; /* frames [s, e) */
    double score, bonus;
    float *env; /* TWIN_POINTS values, or NULL */
} Run;

typedef struct Finder {
    const VmcNumberInput *in;
    size_t *nu; /* stressed nuclei, frames */
    size_t n;
    size_t *s, *gb; /* per nucleus: onset frame, silence before it (frames) */
    size_t *e, *ga; /* offset frame (exclusive), silence after it */
    size_t *sil;    /* per interval m (nu[m] .. nu[m+1]): longest silence inside, frames */
    double *dip;    /* ... level dip, dB, capped */
    double *lniv;   /* ... ln(interval in frames) */
    Run *runs;
    size_t n_runs, cap_runs;
    size_t f_reach, f_gap_cap, f_short, f_pause, f_slow, f_max_sil, f_edge, f_onset, f_offset;
    size_t f_twin_gap, f_twin_apart;
} Finder;

static size_t to_frames(double s, double hop_s) { return (size_t)floor(s / hop_s + 0.5); }

/* Nuclei not more than STRONG_DB below another nucleus within f_reach. */
static size_t stressed(size_t *out, const size_t *nu, size_t n, const float *band, size_t reach)
{
    size_t m = 0, lo = 0;
    for (size_t k = 0; k < n; k++) {
        while (nu[lo] + reach < nu[k]) lo++;
        int keep = 1;
        for (size_t q = lo; q < n && nu[q] <= nu[k] + reach; q++)
            if ((double)band[nu[q]] - (double)band[nu[k]] > STRONG_DB) keep = 0;
        if (keep) out[m++] = nu[k];
    }
    return m;
}

static size_t argmin(const float *v, size_t a, size_t b)
{
    size_t m = a;
    for (size_t k = a + 1; k < b; k++)
        if (v[k] < v[m]) m = k;
    return m;
}

/* Onset of nucleus i's syllable: the silence edge before it, at most
 * f_onset back and after the previous nucleus; else the level valley. */
static size_t onset(const Finder *F, size_t i)
{
    const unsigned char *a = F->in->act->active;
    const size_t f = F->nu[i], lo = i ? F->nu[i - 1] : 0;
    const size_t lim = f > lo + F->f_onset ? f - F->f_onset : lo;
    size_t x = f;
    while (x > lim && a[x - 1]) x--;
    if (x > lo && !a[x - 1]) return x;
    const size_t from = lim > lo ? lim : lo + 1;
    return from < f ? argmin(F->in->band_db, from, f) : f;
}

/* Offset (exclusive) of nucleus j's syllable, the same way forwards. */
static size_t offset(const Finder *F, size_t j)
{
    const unsigned char *a = F->in->act->active;
    const size_t n = F->in->n_frames, f = F->nu[j];
    const size_t hi = j + 1 < F->n ? F->nu[j + 1] : n;
    const size_t lim = f + F->f_offset < hi ? f + F->f_offset : hi;
    size_t x = f;
    while (x < lim && a[x]) x++;
    if (x < n && !a[x] && x < hi) return x;
    return f + 1 < lim ? argmin(F->in->band_db, f + 1, lim) : f + 1;
}

static size_t silence_before(const Finder *F, size_t s)
{
    const unsigned char *a = F->in->act->active;
    size_t c = 0;
    while (s > c && !a[s - c - 1] && c < F->f_gap_cap) c++;
    return c;
}

static size_t silence_after(const Finder *F, size_t e)
{
    const unsigned char *a = F->in->act->active;
    size_t c = 0;
    while (e + c < F->in->n_frames && !a[e + c] && c < F->f_gap_cap) c++;
    return c;
}

/* Per nucleus and per interval measurements. */
static void measure(Finder *F)
{
    const unsigned char *a = F->in->act->active;
    const float *band = F->in->band_db;
    const double floor_db = F->in->act->noise_db - 5.0; /* valleys in silence count down to the noise */
    for (size_t i = 0; i < F->n; i++) {
        F->s[i] = onset(F, i);
        F->e[i] = offset(F, i);
        F->gb[i] = silence_before(F, F->s[i]);
        F->ga[i] = silence_after(F, F->e[i]);
    }
    for (size_t m = 0; m + 1 < F->n; m++) {
        const size_t x = F->nu[m], y = F->nu[m + 1];
        size_t run = 0, best = 0;
        for (size_t k = x; k < y; k++) {
            run = a[k] ? 0 : run + 1;
            if (run > best) best = run;
        }
        F->sil[m] = best;
        const double valley = fmax((double)band[argmin(band, x, y + 1)], floor_db);
        const double dip = fmin((double)band[x], (double)band[y]) - valley;
        F->dip[m] = fmin(dip, DIP_CAP_DB);
        F->lniv[m] = log((double)(y - x));
    }
}

static double sd(double sum, double sum2, size_t n)
{
    if (n < 2) return 0.0;
    const double m = sum / (double)n;
    const double v = (sum2 - (double)n * m * m) / (double)(n - 1);
    return v > 0.0 ? sqrt(v) : 0.0;
}

/* The model's log-odds for the run of stressed nuclei i..j, frames [s, e). */
static double score(const Finder *F, size_t i, size_t j, size_t s, size_t e)
{
    const VmcActivity *act = F->in->act;
    const size_t k = j - i + 1;
    size_t separated = 0, pauses = 0, within = 0, slow = 0;
    double lsum = 0.0, lsum2 = 0.0, dips = 0.0;
    for (size_t m = i; m < j; m++) {
        separated += F->sil[m] >= F->f_short;
        dips += F->dip[m];
        if (F->sil[m] >= F->f_pause) {
            pauses++;
            continue;
        }
        within++;
        slow += F->nu[m + 1] - F->nu[m] > F->f_slow;
        lsum += F->lniv[m];
        lsum2 += F->lniv[m] * F->lniv[m];
    }
    double vsum = 0.0, vsum2 = 0.0;
    for (size_t m = i; m <= j; m++) {
        const double v = (double)F->in->band_db[F->nu[m]];
        vsum += v;
        vsum2 += v * v;
    }
    const double dur_s = (double)(e - s) * F->in->hop_s;
    const double span = act->end > act->start ? (double)(act->end - act->start) : 1.0;
    const double pos = (0.5 * (double)(s + e) - (double)act->start) / span;
    const double irregular = within >= 3 ? sd(lsum, lsum2, within) : FEW_INTERVALS_SD;
    return W_BIAS + W_SEPARATED * (double)separated / (double)(k - 1) +
           W_SLOW * (double)slow / (double)(within ? within : 1) + W_GROUPS * (double)(pauses < 4 ? pauses : 4) / 4.0 +
           W_FAST * fmax(0.0, log((double)k / dur_s) - FAST_LN_RATE) + W_IRREGULAR * irregular +
           W_LEVEL_SPREAD * sd(vsum, vsum2, k) / 5.0 + W_DIP * dips / (double)(k - 1) / 20.0 + W_POSITION * pos +
           W_POSITION_SQ * 4.0 * (pos - 0.65) * (pos - 0.65) + W_COUNT * fabs((double)k - 12.0) / 4.0 +
           W_LAST * (j + 1 == F->n ? 1.0 : 0.0);
}

/* The upper median of v[0..n) (n >= 1, n <= MAX_NUCLEI), v left sorted. */
static double upper_median(double *v, size_t n)
{
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && v[b - 1] > v[b]; b--) {
            const double t = v[b];
            v[b] = v[b - 1];
            v[b - 1] = t;
        }
    return v[n / 2];
}

/* Does the run i..j sit inside a longer even train (step 2)? */
static int in_train(const Finder *F, size_t i, size_t j)
{
    double sep[MAX_NUCLEI], lv[MAX_NUCLEI];
    double lo = HUGE_VAL, hi = 0.0;
    size_t w = 0;
    for (size_t m = i; m < j; m++)
        if (F->sil[m] < F->f_pause) {
            const double iv = (double)(F->nu[m + 1] - F->nu[m]);
            lo = fmin(lo, iv);
            hi = fmax(hi, iv);
            sep[w++] = F->sil[m] >= F->f_short;
        }
    if (!w) return 0;
    lo *= TRAIN_SPACING_LO;
    hi *= TRAIN_SPACING_HI;
    for (size_t m = i; m <= j; m++) lv[m - i] = (double)F->in->band_db[F->nu[m]];
    const double med_sep = upper_median(sep, w), med_lv = upper_median(lv, j - i + 1);
    size_t more = 0;
    /* interval m (nucleus m to m + 1) continues the pattern */
#define GOES_ON(m)                                                                                                     \
    (F->sil[m] < F->f_pause && (double)(F->nu[(m) + 1] - F->nu[m]) >= lo &&                                            \
     (double)(F->nu[(m) + 1] - F->nu[m]) <= hi && (double)(F->sil[m] >= F->f_short) == med_sep &&                      \
     fabs((double)F->in->band_db[F->nu[m]] - med_lv) <= TRAIN_LEVEL_DB &&                                              \
     fabs((double)F->in->band_db[F->nu[(m) + 1]] - med_lv) <= TRAIN_LEVEL_DB)
    for (size_t m = i; m > 0 && more < TRAIN_MORE && GOES_ON(m - 1); m--) more++;
    for (size_t m = j, after = 0; m + 1 < F->n && after < TRAIN_MORE && GOES_ON(m); m++) after++, more++;
#undef GOES_ON
    return more >= TRAIN_MORE;
}

static int collect(Finder *F)
{
    for (size_t i = 0; i < F->n; i++) {
        if (F->gb[i] < F->f_edge) continue;
        for (size_t j = i + 1; j < F->n && j < i + MAX_NUCLEI; j++) {
            if (F->sil[j - 1] > F->f_max_sil) break;
            if (j < i + MIN_NUCLEI - 1) continue;
            if (F->ga[j] < F->f_edge || F->e[j] <= F->s[i] || in_train(F, i, j)) continue;
            if (vmc_grow((void **)&F->runs, &F->cap_runs, F->n_runs + 1, sizeof(Run))) return VMCHECK_ENOMEM;
            F->runs[F->n_runs++] = (Run){i, j, F->s[i], F->e[j], score(F, i, j, F->s[i], F->e[j]), 0.0, NULL};
        }
    }
    return VMCHECK_OK;
}

/* The band level over [s, e) stretched to TWIN_POINTS points (linear
 * interpolation), floored ENVELOPE_RANGE_DB under the speech level. */
static int envelope(const Finder *F, Run *r)
{
    r->env = malloc(TWIN_POINTS * sizeof(float));
    if (!r->env) return VMCHECK_ENOMEM;
    const float *band = F->in->band_db;
    const double floor_db = F->in->act->speech_db - ENVELOPE_RANGE_DB;
    const double last = (double)(r->e - 1);
    for (size_t q = 0; q < TWIN_POINTS; q++) {
        const double x = (double)r->s + (last - (double)r->s) * (double)q / (TWIN_POINTS - 1);
        const size_t a = (size_t)x;
        const size_t b = a + 1 < r->e ? a + 1 : r->e - 1;
        const double t = x - (double)a;
        r->env[q] = (float)fmax((double)band[a] * (1.0 - t) + (double)band[b] * t, floor_db);
    }
    return VMCHECK_OK;
}

static double correlation(const float *x, const float *y)
{
    double mx = 0.0, my = 0.0;
    for (size_t q = 0; q < TWIN_POINTS; q++) {
        mx += (double)x[q];
        my += (double)y[q];
    }
    mx /= TWIN_POINTS;
    my /= TWIN_POINTS;
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (size_t q = 0; q < TWIN_POINTS; q++) {
        const double dx = (double)x[q] - mx, dy = (double)y[q] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    return sxx > 0.0 && syy > 0.0 ? sxy / sqrt(sxx * syy) : 0.0;
}

/* Step 4: the repeat bonus.  Runs are in order of their start frame. */
static int twins(Finder *F)
{
    const double low = THRESHOLD_FIRST - TWIN_BONUS; /* below this a bonus cannot make a run count */
    for (size_t a = 0; a < F->n_runs; a++) {
        Run *ra = &F->runs[a];
        if (ra->score < low && ra->score < TWIN_MIN_SCORE) continue;
        for (size_t b = a + 1; b < F->n_runs; b++) {
            Run *rb = &F->runs[b];
            if (rb->s > ra->e + F->f_twin_gap) break;
            if (rb->s < ra->e + F->f_twin_apart) continue;
            const int a_gets = ra->score >= low && rb->score >= TWIN_MIN_SCORE;
            const int b_gets = rb->score >= low && ra->score >= TWIN_MIN_SCORE;
            if (!a_gets && !b_gets) continue;
            if (fabs(log((double)(ra->e - ra->s) / (double)(rb->e - rb->s))) > TWIN_MAX_LN_DUR) continue;
            if ((!ra->env && envelope(F, ra)) || (!rb->env && envelope(F, rb))) return VMCHECK_ENOMEM;
            const double r = correlation(ra->env, rb->env);
            if (r <= TWIN_MIN_R) continue;
            const double bonus = TWIN_BONUS * (r - TWIN_MIN_R) / (1.0 - TWIN_MIN_R);
            if (a_gets && bonus > ra->bonus) ra->bonus = bonus;
            if (b_gets && bonus > rb->bonus) rb->bonus = bonus;
        }
    }
    return VMCHECK_OK;
}

/* Best first; ties by time, so the order never depends on qsort. */
static int by_score(const void *pa, const void *pb)
{
    const Run *a = pa, *b = pb;
    const double x = a->score + a->bonus, y = b->score + b->bonus;
    if (x != y) return x > y ? -1 : 1;
    if (a->s != b->s) return a->s < b->s ? -1 : 1;
    return a->e < b->e ? -1 : a->e > b->e;
}

static int pick(VmcheckSegmentSpec **out, size_t *n_out, Finder *F)
{
    if (!F->n_runs) return VMCHECK_OK; /* (qsort wants a non-NULL array even for 0 elements) */
    for (size_t r = 0; r < F->n_runs; r++) {
        free(F->runs[r].env);
        F->runs[r].env = NULL;
    }
    qsort(F->runs, F->n_runs, sizeof(Run), by_score);
    const Run *got[MAX_FOUND];
    size_t n = 0;
    for (size_t r = 0; r < F->n_runs && n < MAX_FOUND; r++) {
        const Run *c = &F->runs[r];
        if (c->score + c->bonus < (n ? THRESHOLD_REPEAT : THRESHOLD_FIRST)) break;
        if (n) {
            const Run *f = got[0];
            if (c->s < f->e && f->s < c->e) continue;
            const double kc = (double)(c->j - c->i + 1), kf = (double)(f->j - f->i + 1);
            if (fabs(log(kc / kf)) > REPEAT_MAX_LN_COUNT) continue;
            if (fabs(log((double)(c->e - c->s) / (double)(f->e - f->s))) > REPEAT_MAX_LN_DUR) continue;
        }
        got[n++] = c;
    }
    if (!n) return VMCHECK_OK;
    if (n == 2 && got[1]->s < got[0]->s) {
        const Run *t = got[0];
        got[0] = got[1];
        got[1] = t;
    }
    VmcheckSegmentSpec *v = vmc_calloc(n, sizeof(*v));
    if (!v) return VMCHECK_ENOMEM;
    for (size_t q = 0; q < n; q++)
        v[q] = (VmcheckSegmentSpec){VMCHECK_SEGMENT_NUMBER, (double)got[q]->s * F->in->hop_s,
                                    (double)got[q]->e * F->in->hop_s, 0};
    *out = v;
    *n_out = n;
    return VMCHECK_OK;
}

int vmc_number_find(VmcheckSegmentSpec **out, size_t *n_out, const VmcNumberInput *in)
{
    *out = NULL;
    *n_out = 0;
    const VmcActivity *act = in->act;
    if (!act || !act->has_speech || !act->active || act->n < in->n_frames || !in->nu || in->nu->n < MIN_NUCLEI ||
        !in->band_db || !(in->hop_s > 0.0))
        return VMCHECK_OK;
    for (size_t k = 0; k < in->nu->n; k++)
        if (in->nu->frames[k] >= in->n_frames || (k && in->nu->frames[k] <= in->nu->frames[k - 1]))
            return VMCHECK_OK; /* not nuclei of these tracks */

    Finder F = {0};
    F.in = in;
    const double hop = in->hop_s;
    F.f_reach = to_frames(STRONG_REACH_S, hop);
    F.f_gap_cap = to_frames(GAP_CAP_S, hop);
    F.f_short = to_frames(SHORT_SILENCE_S, hop);
    F.f_pause = to_frames(GROUP_PAUSE_S, hop);
    F.f_slow = to_frames(SLOW_INTERVAL_S, hop);
    F.f_max_sil = to_frames(MAX_SILENCE_S, hop);
    F.f_edge = to_frames(EDGE_GAP_S, hop);
    F.f_onset = to_frames(ONSET_REACH_S, hop);
    F.f_offset = to_frames(OFFSET_REACH_S, hop);
    F.f_twin_gap = to_frames(TWIN_MAX_GAP_S, hop);
    F.f_twin_apart = to_frames(TWIN_APART_S, hop);

    const size_t n = in->nu->n;
    int r = VMCHECK_ENOMEM;
    F.nu = vmc_calloc(n, sizeof(size_t));
    F.s = vmc_calloc(n, sizeof(size_t));
    F.e = vmc_calloc(n, sizeof(size_t));
    F.gb = vmc_calloc(n, sizeof(size_t));
    F.ga = vmc_calloc(n, sizeof(size_t));
    F.sil = vmc_calloc(n, sizeof(size_t));
    F.dip = vmc_calloc(n, sizeof(double));
    F.lniv = vmc_calloc(n, sizeof(double));
    if (!F.nu || !F.s || !F.e || !F.gb || !F.ga || !F.sil || !F.dip || !F.lniv) goto done;
    F.n = stressed(F.nu, in->nu->frames, n, in->band_db, F.f_reach);
    r = VMCHECK_OK;
    if (F.n < MIN_NUCLEI) goto done;
    measure(&F);
    r = collect(&F);
    if (!r) r = twins(&F);
    if (!r) r = pick(out, n_out, &F);
done:
    for (size_t k = 0; k < F.n_runs; k++) free(F.runs[k].env);
    free(F.runs);
    free(F.nu);
    free(F.s);
    free(F.e);
    free(F.gb);
    free(F.ga);
    free(F.sil);
    free(F.dip);
    free(F.lniv);
    return r;
}
