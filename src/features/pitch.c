#include "features/pitch.h"

#include <math.h>
#include <string.h>

#include "common/common.h"
#include "common/stats.h"

void vmc_pitch_params_default(VmcPitchParams *p, double floor_hz, double ceiling_hz)
{
    p->floor_hz = floor_hz;
    p->ceiling_hz = ceiling_hz;
    p->silence_threshold = 0.03;
    p->voicing_threshold = 0.45;
    p->octave_cost = 0.01;
    p->octave_jump_cost = 0.35;
    p->voiced_unvoiced_cost = 0.14;
    /* the local reference's reach, drop and margin, for the voicing that
     * activity and nuclei take: chosen on the tune splits (bench-segments
     * --set quiet, bench-rate): reaches of 0.3-1 s and drops of 15-30 dB
     * measure the same there; a margin of 50 dB loses quiet numbers (98.6
     * -> 97.8 % both verdicts right), no local reference at all 90.8 % */
    p->local_reach_frames = (size_t)floor(0.5 / VMCHECK_HOP_S + 0.5);
    p->local_drop_db = 30.0;
    p->noise_margin_db = 34.0;
}

/* The lowest reference the path can judge a frame against, as a fraction
 * of the loudest peak (see references()). */
static double lowest_reference(const VmcPitchParams *par)
{
    return par->local_reach_frames ? pow(10.0, -par->local_drop_db / 20.0) : 1.0;
}

int vmc_pitch_init(VmcPitch *p, const VmcPitchParams *par, const VmcSpectrum *s)
{
    memset(p, 0, sizeof(*p));
    p->par = *par;
    p->rate = s->rate_hz;
    p->lag_min = (size_t)floor(p->rate / par->ceiling_hz);
    p->lag_max = (size_t)ceil(p->rate / par->floor_hz);
    if (p->lag_min < 2) p->lag_min = 2;
    p->half = s->nfft / 2;
    if (s->nfft % 4 || s->win + p->lag_max / 2 + 2 > s->nfft || p->lag_max + 2 > p->half || p->lag_min >= p->lag_max)
        return VMCHECK_EINVAL;
    p->irw = vmc_calloc(p->lag_max + 2, sizeof(float));
    p->sn = vmc_calloc(p->half / 2, sizeof(float));
    p->cs = vmc_calloc(p->half / 2, sizeof(float));
    p->y = vmc_calloc(p->half, sizeof(float));
    p->bins = vmc_calloc(p->half / 2 + 1, sizeof(VmcCpx));
    p->ac = vmc_calloc(p->half + 1, sizeof(float));
    p->fft = vmc_fft_create(p->half);
    p->fft4 = vmc_fft4_create(p->half);
    if (p->fft4) {
        p->lanes8 = vmc_fft4_lanes8(p->fft4);
        const size_t lanes = p->lanes8 ? 8 : 4;
        p->y4 = vmc_calloc(lanes * p->half, sizeof(float));
        p->bins4 = vmc_calloc(lanes * (p->half / 2 + 1), sizeof(VmcCpx));
    }
    if (!p->irw || !p->sn || !p->cs || !p->y || !p->bins || !p->ac || !p->fft || (p->fft4 && (!p->y4 || !p->bins4))) {
        vmc_pitch_free(p);
        return VMCHECK_ENOMEM;
    }
    for (size_t j = 0; j < p->half / 2; j++) {
        p->sn[j] = (float)sin(M_PI * (double)j / (double)p->half);
        p->cs[j] = (float)cos(M_PI * (double)j / (double)p->half);
    }
    /* the window's own autocorrelation, computed directly (once) */
    double r0 = 0.0;
    for (size_t i = 0; i < s->win; i++) r0 += (double)s->window[i] * (double)s->window[i];
    for (size_t lag = 0; lag <= p->lag_max + 1; lag++) {
        double acc = 0.0;
        for (size_t i = 0; i + lag < s->win; i++) acc += (double)s->window[i] * (double)s->window[i + lag];
        p->irw[lag] = acc > 0.0 ? (float)(r0 / acc) : 0.0f;
    }
    return VMCHECK_OK;
}

void vmc_pitch_free(VmcPitch *p)
{
    free(p->irw);
    free(p->sn);
    free(p->cs);
    free(p->y);
    free(p->bins);
    free(p->ac);
    vmc_fft_destroy(&p->fft);
    vmc_fft4_destroy(&p->fft4);
    free(p->y4);
    free(p->bins4);
    memset(p, 0, sizeof(*p));
}

/* Autocorrelation of the frame from its power spectrum f[0..m] (m = nfft/2):
 * ac[t] = f0 + (-1)^t fm + 2 sum_{j=1}^{m-1} f_j cos(pi j t / m), halved
 * (a DCT-I), for t = 0..m.  The scale does not matter: it is normalised.
 * fold() makes the DCT a real FFT of y (m points), unfold() takes ac from
 * its bins. */
static float fold(const VmcPitch *p, const float *f, float *y)
{
    const size_t m = p->half;
    float sum = 0.5f * (f[0] - f[m]);
    y[0] = 0.5f * (f[0] + f[m]);
    for (size_t j = 1; j < m / 2; j++) {
        float y1 = 0.5f * (f[j] + f[m - j]), y2 = f[j] - f[m - j];
        y[j] = y1 - p->sn[j] * y2;
        y[m - j] = y1 + p->sn[j] * y2;
        sum += p->cs[j] * y2;
    }
    y[m / 2] = f[m / 2];
    return sum;
}

static void unfold(VmcPitch *p, const VmcCpx *bins, float sum)
{
    const size_t m = p->half;
    float *ac = p->ac;
    ac[0] = bins[0].re;
    ac[m] = bins[m / 2].re;
    ac[1] = sum;
    for (size_t k = 1; k < m / 2; k++) {
        ac[2 * k] = bins[k].re;
        ac[2 * k + 1] = ac[2 * k - 1] - bins[k].im;
    }
}

static void autocorrelation(VmcPitch *p, const float *f)
{
    const float sum = fold(p, f, p->y);
    vmc_fft_forward(p->fft, p->bins, p->y);
    unfold(p, p->bins, sum);
}

/* Normalised, window-corrected autocorrelation at an integer lag. */
static inline double rx(const VmcPitch *p, size_t lag, double inv_r0)
{
    return (double)p->ac[lag] * inv_r0 * (double)p->irw[lag];
}

/* Too quiet to be voiced: no candidates needed. */
static int too_quiet(const VmcPitch *p, float peak, float max_peak)
{
    /* A frame this quiet is unvoiced whatever its periodicity: its unvoiced
     * score, v + 2 - (peak/ref)/(silence/(1+v)), is at least v + 1 = 1.45
     * once peak < silence/(1+v) * ref (2 % of its reference), more than any
     * voiced strength (<= 1) plus the two voicing changes a voiced detour
     * would save (2 * 0.14).  The reference is at least the lowest fraction
     * of the global peak, and the loudest peak so far is no more than the
     * global one, so skipping here never changes the path. */
    return (double)peak <
           p->par.silence_threshold / (1.0 + p->par.voicing_threshold) * lowest_reference(&p->par) * (double)max_peak;
}

/* Candidates from the autocorrelation in p->ac, into out. */
static void candidates(const VmcPitch *p, float out[VMC_PITCH_STRIDE])
{
    const double r0 = (double)p->ac[0];
    size_t n = 0;
    if (r0 > 1e-20) {
        const double inv_r0 = 1.0 / r0;
        const double min_r = 0.5 * p->par.voicing_threshold;
        float f[VMC_PITCH_CANDS], r[VMC_PITCH_CANDS];
        double prev = rx(p, p->lag_min - 1, inv_r0), cur = rx(p, p->lag_min, inv_r0);
        for (size_t lag = p->lag_min; lag <= p->lag_max; lag++) {
            double next = rx(p, lag + 1, inv_r0);
            if (cur > min_r && cur > prev && cur >= next) {
                /* parabola through (lag-1, lag, lag+1) */
                double den = prev - 2.0 * cur + next;
                double d = den < 0.0 ? 0.5 * (prev - next) / den : 0.0;
                if (d > 0.5) d = 0.5;
                if (d < -0.5) d = -0.5;
                double strength = cur - 0.25 * (prev - next) * d;
                if (strength > 1.0)
                    strength = 1.0 / strength; /* over 1 is window error at large lags, not extra periodicity */
                double freq = p->rate / ((double)lag + d);
                if (freq >= p->par.floor_hz && freq <= p->par.ceiling_hz) {
                    /* keep the strongest VMC_PITCH_CANDS */
                    size_t slot = n;
                    if (n == VMC_PITCH_CANDS) {
                        slot = 0;
                        for (size_t j = 1; j < n; j++)
                            if (r[j] < r[slot]) slot = j;
                        if ((double)r[slot] >= strength) slot = VMC_PITCH_CANDS;
                    } else {
                        n++;
                    }
                    if (slot < VMC_PITCH_CANDS) {
                        f[slot] = (float)freq;
                        r[slot] = (float)strength;
                    }
                }
            }
            prev = cur;
            cur = next;
        }
        for (size_t j = 0; j < n; j++) {
            out[2 + j] = f[j];
            out[2 + VMC_PITCH_CANDS + j] = r[j];
        }
    }
    out[0] = (float)n;
}

void vmc_pitch_process(VmcPitch *p, float out[VMC_PITCH_STRIDE], const VmcSpectrum *s, float peak, float max_peak)
{
    memset(out, 0, VMC_PITCH_STRIDE * sizeof(float));
    out[1] = peak;
    if (too_quiet(p, peak, max_peak)) return;
    autocorrelation(p, s->power);
    candidates(p, out);
}

/* vmc_pitch_process4 and 8: lanes frames' transforms at once */
static void process_lanes(VmcPitch *p, int lanes, float *const out[], const float *const power[], const float peak[],
                          const float max_peak[])
{
    int any = 0, skip[8];
    const float *y[8];
    VmcCpx *bins[8];
    for (int l = 0; l < lanes; l++) {
        memset(out[l], 0, VMC_PITCH_STRIDE * sizeof(float));
        out[l][1] = peak[l];
        skip[l] = too_quiet(p, peak[l], max_peak[l]);
        any |= !skip[l];
        float *yl = p->y4 + (size_t)l * p->half;
        p->sum4[l] = skip[l] ? 0.0f : fold(p, power[l], yl);
        if (skip[l]) memset(yl, 0, p->half * sizeof(float));
        y[l] = yl;
        bins[l] = p->bins4 + (size_t)l * (p->half / 2 + 1);
    }
    if (!any) return;
    if (lanes == 8)
        vmc_fft4_forward8(p->fft4, bins, y);
    else
        vmc_fft4_forward(p->fft4, bins, y);
    for (int l = 0; l < lanes; l++) {
        if (skip[l]) continue;
        unfold(p, bins[l], p->sum4[l]);
        candidates(p, out[l]);
    }
}

void vmc_pitch_process4(VmcPitch *p, float *const out[4], const float *const power[4], const float peak[4],
                        const float max_peak[4])
{
    process_lanes(p, 4, out, power, peak, max_peak);
}

void vmc_pitch_process8(VmcPitch *p, float *const out[8], const float *const power[8], const float peak[8],
                        const float max_peak[8])
{
    process_lanes(p, 8, out, power, peak, max_peak);
}

/* The local rule's loudness reference of each frame, into ref[0..n): the
 * loudest peak within the reach, between the lowest reference and the
 * global peak, and at least noise_margin_db over the 10th percentile of
 * peaks (see pitch.h).  scratch: n floats for the percentile.  (The global
 * rule's reference is the global peak itself.) */
static int references(float *ref, const float *peak, size_t n, const VmcPitchParams *par, double global, float *scratch)
{
    double noise = 0.0;
    const double p10 = 10.0;
    int r = vmc_percentiles_in(&noise, peak, NULL, n, &p10, 1, scratch);
    if (!r) r = vmc_sliding_max(ref, peak, NULL, n, par->local_reach_frames, par->local_reach_frames, 0.0f);
    if (r) return r;
    const double lo = fmax(global * lowest_reference(par), noise * pow(10.0, par->noise_margin_db / 20.0));
    for (size_t i = 0; i < n; i++) ref[i] = (float)fmin(global, fmax((double)ref[i], lo));
    return VMCHECK_OK;
}

/* Praat's frame scores ("delta"): voiced = strength less the octave cost;
 * unvoiced = the voicing threshold, more for frames near silence (of the
 * rule's reference). */
static double unvoiced_score(const VmcPitchTrellis *T, int p, size_t i)
{
    const VmcPitchParams *par = T->pars[0];
    const double vt = par->voicing_threshold;
    const double u = 2.0 - ((double)T->peak[i] / (double)(T->ref[p] ? T->ref[p][i] : T->gref)) /
                               (par->silence_threshold / (1.0 + vt));
    return vt + (u > 0.0 ? u : 0.0);
}

static double voiced_score(const VmcPitchParams *par, const float *c, size_t j)
{
    return (double)c[2 * (j - 1) + 1] - par->octave_cost * log2(par->ceiling_hz / (double)c[2 * (j - 1)]);
}

/* The octave-jump cost of the move from the previous frame's candidate q to
 * this frame's candidate j (both voiced). */
static inline double jump_cost(const VmcPitchParams *par, const float *pc, size_t q, const float *cc, size_t j)
{
    return par->octave_jump_cost * fabs(log2((double)pc[2 * (q - 1)] / (double)cc[2 * (j - 1)]));
}

int vmc_pitch_trellis_init(VmcPitchTrellis *T, const VmcPitchParams *const pars[], int m, const float *peak, size_t n)
{
    memset(T, 0, sizeof(*T));
    T->m = m;
    T->n = n;
    T->peak = peak;
    for (int p = 0; p < m; p++) T->pars[p] = pars[p];
    if (n == 0) return VMCHECK_OK;
    /* back-pointers for all frames, four bits each (K <= 16), n * K / 2
     * bytes: an hour's two paths at once were a quarter of the analysis's
     * peak memory at a byte each */
    const size_t from_bytes = (n * VMC_TRELLIS_K + 1) / 2;
    double global_peak = 0.0;
    for (size_t i = 0; i < n; i++)
        if ((double)peak[i] > global_peak) global_peak = (double)peak[i];
    if (global_peak <= 0.0) global_peak = 1.0;
    /* the global rule's reference is one number; the local one a track,
     * whose percentile works in the back-pointers' room before they need it */
    T->gref = (float)global_peak;
    for (int p = 0; p < m; p++) {
        const int local = pars[p]->local_reach_frames != 0;
        const size_t room = local && n * sizeof(float) > from_bytes ? n * sizeof(float) : from_bytes;
        T->from[p] = vmc_calloc(room, 1);
        T->ref[p] = local ? vmc_calloc(n, sizeof(float)) : NULL;
        if (!T->from[p] || (local && !T->ref[p])) goto fail;
        if (local) {
            if (references(T->ref[p], peak, n, pars[p], global_peak, (float *)(void *)T->from[p])) goto fail;
            memset(T->from[p], 0, from_bytes);
        }
    }
    return VMCHECK_OK;
fail:
    vmc_pitch_trellis_free(T);
    return VMCHECK_ENOMEM;
}

/* One step; vs and jump, when not NULL, hold what fill_moves() computed for
 * this frame (the same doubles the step would compute itself). */
static inline __attribute__((always_inline)) void trellis_step(VmcPitchTrellis *T, size_t count, const float *fr,
                                                               const double *vs, const double *jump)
{
    enum { K = VMC_TRELLIS_K, M = 2 }; /* state 0 is unvoiced */
    const size_t i = T->i++;
    if (i >= T->n) return;
    const int m = T->m < M ? T->m : M; /* 1 or 2 (vmc_pitch_trellis_init) */
    /* the costs are the first rule's (vmc_pitch_paths checks they agree) */
    const VmcPitchParams *par = T->pars[0];
    const float *pc = T->prev_fr, *cc = fr;
    float cur[M][K];
    if (i == 0) {
        for (int p = 0; p < m; p++)
            for (size_t j = 0; j < K; j++)
                T->score[p][j] = (float)(j == 0       ? unvoiced_score(T, p, 0)
                                         : j <= count ? (vs ? vs[j - 1] : voiced_score(par, cc, j))
                                                      : -1e30);
    } else {
        const size_t np = T->prev_count, nc = count, bit = i * K;
        for (size_t j = 0; j <= nc; j++) {
            double d[M], best[M] = {-1e30, -1e30};
            unsigned char arg[M] = {0, 0};
            if (j == 0)
                for (int p = 0; p < m; p++) d[p] = unvoiced_score(T, p, i);
            else
                d[0] = d[1] = vs ? vs[j - 1] : voiced_score(par, cc, j);
            for (size_t q = 0; q <= np; q++) {
                double cost;
                if ((q == 0) != (j == 0))
                    cost = par->voiced_unvoiced_cost;
                else if (j == 0)
                    cost = 0.0;
                else
                    cost = jump ? jump[(q - 1) * nc + (j - 1)] : jump_cost(par, pc, q, cc, j);
                for (int p = 0; p < m; p++) {
                    double v = (double)T->score[p][q] - cost;
                    if (v > best[p]) {
                        best[p] = v;
                        arg[p] = (unsigned char)q;
                    }
                }
            }
            for (int p = 0; p < m; p++) {
                cur[p][j] = (float)(best[p] + d[p]);
                T->from[p][(bit + j) >> 1] |= (unsigned char)(arg[p] << (((bit + j) & 1) * 4));
            }
        }
        for (int p = 0; p < m; p++) {
            for (size_t j = nc + 1; j < K; j++) cur[p][j] = -1e30f;
            memcpy(T->score[p], cur[p], sizeof(T->score[p]));
        }
    }
    /* the previous frame's pairs, for the next step's moves */
    memcpy(T->prev_fr, fr, 2 * count * sizeof(float));
    T->prev_count = count;
}

void vmc_pitch_trellis_step(VmcPitchTrellis *T, size_t count, const float *fr)
{
    trellis_step(T, count, fr, NULL, NULL);
}

void vmc_pitch_trellis_release(VmcPitchTrellis *T)
{
    for (int p = 0; p < T->m; p++) {
        free(T->ref[p]);
        T->ref[p] = NULL;
    }
    T->peak = NULL;
}

void vmc_pitch_trellis_back(VmcPitchTrellis *T, float *const choice[])
{
    enum { K = VMC_TRELLIS_K };
    vmc_pitch_trellis_release(T);
    for (int p = 0; p < T->m && T->n; p++) {
        size_t j = 0;
        for (size_t q = 1; q <= T->prev_count; q++)
            if (T->score[p][q] > T->score[p][j]) j = q;
        for (size_t i = T->n; i-- > 0;) {
            choice[p][i] = (float)j;
            j = (size_t)(T->from[p][(i * K + j) >> 1] >> (((i * K + j) & 1) * 4)) & 15;
        }
        free(T->from[p]);
        T->from[p] = NULL;
    }
}

void vmc_pitch_trellis_free(VmcPitchTrellis *T)
{
    vmc_pitch_trellis_release(T);
    for (int p = 0; p < 2; p++) {
        free(T->from[p]);
        T->from[p] = NULL;
    }
}

/* The paths of m (1 or 2) rules through stored candidates: the trellis fed
 * frame after frame, then each frame's choice replaced by its frequency. */
static int viterbi(float *const f0[], const VmcPitchParams *const pars[], int m, const VmcPitchCands *cands, size_t n)
{
    if (n == 0) return VMCHECK_OK;
    VmcPitchTrellis T;
    if (vmc_pitch_trellis_init(&T, pars, m, cands->peak, n)) return VMCHECK_ENOMEM;
    static const float no_pairs[1] = {0.0f}; /* no candidate anywhere: nothing stored */
    const float *fr = cands->fr ? cands->fr : no_pairs;
    for (size_t i = 0; i < n; fr += 2 * (size_t)cands->count[i++]) vmc_pitch_trellis_step(&T, cands->count[i], fr);
    vmc_pitch_trellis_back(&T, f0);
    fr = cands->fr ? cands->fr : no_pairs;
    for (size_t i = 0; i < n; fr += 2 * (size_t)cands->count[i++])
        for (int p = 0; p < m; p++) f0[p][i] = vmc_pitch_choice_hz(f0[p][i], fr);
    return VMCHECK_OK;
}

/* The trellis with a second thread: while this thread steps through one
 * block of frames, a pool thread computes the next block's voiced scores and
 * moves' costs (their logarithms were some 40 % of a step), the same doubles
 * the step computes alone, so the paths are the same bits. */
#define MOVES_CAP 32768 /* doubles a block holds: at least VMC_PITCH_CANDS * (1 + VMC_PITCH_CANDS) */

typedef struct MovesBlock {
    size_t f0, f1;     /* frames [f0, f1) */
    const float *fr0;  /* frame f0's pairs */
    const float *fr1;  /* frame f1's pairs (set by fill_moves) */
    size_t prev_count; /* frame f0 - 1's candidates (0 for frame 0) */
    const float *prev; /* and their pairs */
    double *v;         /* per frame: count voiced scores, then prev_count * count move costs */
} MovesBlock;

typedef struct MovesJob {
    const VmcPitchParams *par;
    const VmcPitchCands *cands;
    size_t n;
    MovesBlock *blk;
} MovesJob;

static void fill_moves(const VmcPitchParams *par, const VmcPitchCands *cands, size_t n, MovesBlock *b)
{
    size_t used = 0, np = b->prev_count, f = b->f0;
    const float *pc = b->prev, *cc = b->fr0;
    for (; f < n; f++) {
        const size_t nc = cands->count[f];
        if (used + nc + np * nc > MOVES_CAP) break;
        double *vs = b->v + used, *jump = vs + nc;
        for (size_t j = 1; j <= nc; j++) vs[j - 1] = voiced_score(par, cc, j);
        for (size_t q = 1; q <= np; q++)
            for (size_t j = 1; j <= nc; j++) jump[(q - 1) * nc + (j - 1)] = jump_cost(par, pc, q, cc, j);
        used += nc + np * nc;
        pc = cc;
        np = nc;
        cc += 2 * nc;
    }
    b->f1 = f;
    b->fr1 = cc;
}

static void moves_job(void *ctx, unsigned worker)
{
    MovesJob *j = ctx;
    if (worker == 1) fill_moves(j->par, j->cands, j->n, j->blk);
}

int vmc_pitch_paths_pool(float *f0_a, const VmcPitchParams *par_a, float *f0_b, const VmcPitchParams *par_b,
                         const VmcPitchCands *cands, size_t n, VmcPool *pool)
{
    /* the moves need a pool thread (a pool whose threads did not start has none) */
    if (vmc_pool_threads(pool) < 2 || !vmc_pitch_paths_share(par_a, par_b))
        return vmc_pitch_paths(f0_a, par_a, f0_b, par_b, cands, n);
    if (n == 0) return VMCHECK_OK;
    float *const f0[2] = {f0_a, f0_b};
    const VmcPitchParams *const pars[2] = {par_a, par_b};
    double *buf = vmc_calloc(2 * MOVES_CAP, sizeof(double));
    VmcPitchTrellis T;
    if (!buf || vmc_pitch_trellis_init(&T, pars, 2, cands->peak, n)) {
        free(buf);
        return VMCHECK_ENOMEM;
    }
    static const float no_pairs[1] = {0.0f};
    const float *fr = cands->fr ? cands->fr : no_pairs;
    MovesBlock blk[2] = {{0, 0, fr, NULL, 0, no_pairs, buf}, {0, 0, NULL, NULL, 0, NULL, buf + MOVES_CAP}};
    MovesJob job = {par_a, cands, n, NULL};
    fill_moves(par_a, cands, n, &blk[0]);
    for (int k = 0;; k ^= 1) {
        MovesBlock *cur = &blk[k], *next = &blk[k ^ 1];
        const int more = cur->f1 < n;
        if (more) { /* the next block, from where this one ends */
            next->f0 = cur->f1;
            next->fr0 = cur->fr1;
            next->prev_count = cands->count[cur->f1 - 1];
            next->prev = cur->fr1 - 2 * next->prev_count;
            job.blk = next;
            vmc_pool_start(pool, moves_job, &job);
        }
        const double *v = cur->v;
        const float *cc = cur->fr0;
        for (size_t i = cur->f0; i < cur->f1; i++) {
            const size_t nc = cands->count[i], np = T.prev_count;
            trellis_step(&T, nc, cc, v, v + nc);
            v += nc + np * nc;
            cc += 2 * nc;
        }
        if (!more) break;
        vmc_pool_wait(pool);
    }
    free(buf);
    vmc_pitch_trellis_back(&T, f0);
    fr = cands->fr ? cands->fr : no_pairs;
    for (size_t i = 0; i < n; fr += 2 * (size_t)cands->count[i++])
        for (int p = 0; p < 2; p++) f0[p][i] = vmc_pitch_choice_hz(f0[p][i], fr);
    return VMCHECK_OK;
}

int vmc_pitch_path(float *f0, const VmcPitchCands *cands, size_t n, const VmcPitchParams *par)
{
    float *const f[1] = {f0};
    const VmcPitchParams *const p[1] = {par};
    return viterbi(f, p, 1, cands, n);
}

int vmc_pitch_paths_share(const VmcPitchParams *par_a, const VmcPitchParams *par_b)
{
    return par_a->voicing_threshold == par_b->voicing_threshold &&
           par_a->silence_threshold == par_b->silence_threshold && par_a->octave_cost == par_b->octave_cost &&
           par_a->octave_jump_cost == par_b->octave_jump_cost &&
           par_a->voiced_unvoiced_cost == par_b->voiced_unvoiced_cost && par_a->ceiling_hz == par_b->ceiling_hz;
}

int vmc_pitch_paths(float *f0_a, const VmcPitchParams *par_a, float *f0_b, const VmcPitchParams *par_b,
                    const VmcPitchCands *cands, size_t n)
{
    if (!vmc_pitch_paths_share(par_a, par_b)) {
        int r = vmc_pitch_path(f0_a, cands, n, par_a);
        return r ? r : vmc_pitch_path(f0_b, cands, n, par_b);
    }
    float *const f[2] = {f0_a, f0_b};
    const VmcPitchParams *const p[2] = {par_a, par_b};
    return viterbi(f, p, 2, cands, n);
}
