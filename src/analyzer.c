#include "analyzer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "common/fmt.h"
#include "common/profile.h"
#include "features/energy.h"
#include "events/align.h"
#include "events/digits.h"
#include "events/number.h"
#include "features/digitnet.h"
#include "text/script.h"
#include "score/score.h"

/* Full scale within 0.0001 (about -0.001 dB): int16 +32767 counts. */
#define CLIP_LEVEL 0.9999f

/* The level (the rumble high-pass and block sums) of n input samples, in
 * order: on the pool with threads (see VmcheckAnalyzer.lvl), else inline. */
static void run_level(VmcheckAnalyzer *a, const float *x, size_t n)
{
    VMC_PROFILE_START(t);
    for (size_t off = 0; off < n && !a->lvl_err; off += VMC_CHUNK) {
        const size_t m = n - off < VMC_CHUNK ? n - off : VMC_CHUNK;
        if (vmc_energy_push(&a->energy, &a->tracks.energy_db, x + off, m)) a->lvl_err = 1;
    }
    VMC_PROFILE_STOP(t, VMC_STAGE_LEVEL);
}

/* What the pass computes (VmcPass). */
static int does_level(const VmcheckAnalyzer *a) { return a->pass == VMC_PASS_ALL || a->pass == VMC_PASS_LEVEL; }
static int does_cands(const VmcheckAnalyzer *a)
{
    return a->pass == VMC_PASS_ALL || a->pass == VMC_PASS_PATH || a->pass == VMC_PASS_F0;
}
static int does_mel(const VmcheckAnalyzer *a)
{
    return a->pass == VMC_PASS_ALL || a->pass == VMC_PASS_SUMS || a->pass == VMC_PASS_DIGITS;
}

/* Spectrum, band level and pitch candidates of the busy batch's frames, a
 * few at a time, until none is left.  Run by the pool's threads and by the
 * caller when it has nothing better to do.  Pure per frame, each result in
 * its own slot, so nothing depends on who analysed what. */
static void analyse_frames(void *ctx, unsigned w)
{
    VmcheckAnalyzer *a = ctx;
    VmcBatch *b = a->busy;
    VmcFrameWork *fw = &a->work[w];
    const int band = does_level(a), mel = does_mel(a), cands = does_cands(a);
    /* the level of the input that came with this batch: whoever is first */
    if (a->lvl_busy >= 0 && atomic_exchange(&a->lvl_claim, 0) == 1)
        run_level(a, a->lvl[a->lvl_busy], a->lvl_n[a->lvl_busy]);
    for (;;) {
        size_t lo = atomic_fetch_add(&a->next_claim, VMC_CLAIM);
        if (lo >= b->n) return;
        size_t hi = lo + VMC_CLAIM < b->n ? lo + VMC_CLAIM : b->n;
        for (size_t i = lo; i < hi;) {
            /* eight frames' spectra at once where the CPU has AVX, four
             * where the FFT size allows, else one (the batch's last frames,
             * or sizes with a 5): every path gives the same bits */
            const int lanes = fw->spec.lanes8 && hi - i >= 8 ? 8 : fw->spec.fft4 && hi - i >= 4 ? 4 : 1;
            const float *frames[8];
            float mean[8];
            VMC_PROFILE_MARK(t);
            for (int l = 0; l < lanes; l++) {
                frames[l] = b->samples + b->off[i + (size_t)l];
                vmc_frame_stats(frames[l], a->win, &mean[l], &b->peak[i + (size_t)l]);
            }
            VMC_PROFILE_LAP(t, VMC_STAGE_FRAMING);
            if (lanes == 8)
                vmc_spectrum_process8(&fw->spec, frames, mean);
            else if (lanes == 4)
                vmc_spectrum_process4(&fw->spec, frames, mean);
            else
                vmc_spectrum_process(&fw->spec, frames[0], mean[0]);
            VMC_PROFILE_LAP(t, VMC_STAGE_FFT);
            float ref[8];
            for (int l = 0; l < lanes; l++) {
                if (lanes > 1) vmc_spectrum_lane(&fw->spec, l);
                const size_t f = i + (size_t)l;
                /* the loudest peak before this batch, or this frame's: never
                 * more than the running maximum, so a frame is skipped only
                 * when it is certainly unvoiced (see pitch.c); the path is
                 * the same */
                ref[l] = a->max_peak > b->peak[f] ? a->max_peak : b->peak[f];
                if (band) b->band_db[f] = vmc_band_db(&a->band, fw->spec.power);
                if (mel && lanes == 1) vmc_melbands_process(&a->mel, b->mel + f * VMC_MEL_BANDS, fw->spec.power);
            }
            const float *pw[8];
            for (int l = 0; l < lanes; l++) pw[l] = fw->spec.lane_power + (size_t)l * fw->spec.nbins;
            for (int g = 0; mel && g + 4 <= lanes; g += 4) {
                unsigned char *mo[4];
                for (int l = 0; l < 4; l++) mo[l] = b->mel + (i + (size_t)(g + l)) * VMC_MEL_BANDS;
                vmc_melbands_process4(&a->mel, mo, pw + g);
            }
            VMC_PROFILE_LAP(t, VMC_STAGE_BANDS);
            if (!cands) {
                i += (size_t)lanes;
                continue;
            }
            float *out[8];
            for (int l = 0; l < lanes; l++) out[l] = b->cands + (i + (size_t)l) * VMC_PITCH_STRIDE;
            if (lanes == 8 && fw->pitch.lanes8) {
                vmc_pitch_process8(&fw->pitch, out, pw, b->peak + i, ref);
            } else if (lanes >= 4 && fw->pitch.fft4) {
                for (int g = 0; g < lanes; g += 4)
                    vmc_pitch_process4(&fw->pitch, out + g, pw + g, b->peak + i + g, ref + g);
            } else {
                for (int l = 0; l < lanes; l++) {
                    if (lanes > 1) vmc_spectrum_lane(&fw->spec, l);
                    vmc_pitch_process(&fw->pitch, out[l], &fw->spec, b->peak[i + (size_t)l], ref[l]);
                }
            }
            VMC_PROFILE_STOP(t, VMC_STAGE_PITCH);
            i += (size_t)lanes;
        }
    }
}

/* A frame's candidates compactly: its count, and its (f, r) pairs into fr. */
static unsigned char cand_pairs(const float *c, float fr[2 * VMC_PITCH_CANDS])
{
    const unsigned char count = (unsigned char)c[0];
    for (size_t j = 0; j < count; j++) {
        fr[2 * j] = c[2 + j];
        fr[2 * j + 1] = c[2 + VMC_PITCH_CANDS + j];
    }
    return count;
}

/* A finished batch's results where the pass keeps them. */
static int commit(VmcheckAnalyzer *a, const VmcBatch *b)
{
    int r = 0;
    float fr[2 * VMC_PITCH_CANDS];
    /* later passes see the first pass's frames; more is a changed input */
    const size_t k = a->pass > VMC_PASS_LEVEL && b->n > a->n_frames - a->frame_at ? a->n_frames - a->frame_at : b->n;
    switch (a->pass) {
    case VMC_PASS_ALL:
        r = vmc_track_push_n(&a->tracks.band_db, b->band_db, b->n);
        /* the candidates compactly: a frame keeps only the ones it has */
        for (size_t i = 0; i < b->n && !r; i++) {
            const float *c = b->cands + i * VMC_PITCH_STRIDE;
            const unsigned char count = cand_pairs(c, fr);
            r |= vmc_track_push(&a->tracks.pitch_peak, c[1]);
            r |= vmc_track8_push_n(&a->tracks.pitch_count, &count, 1);
            r |= vmc_track_push_n(&a->tracks.pitch_fr, fr, 2 * (size_t)count);
        }
        r |= vmc_track8_push_n(&a->tracks.mel, b->mel, b->n);
        break;
    case VMC_PASS_LEVEL:
        r = vmc_track_push_n(&a->tracks.band_db, b->band_db, b->n);
        r |= vmc_track_push_n(&a->tracks.pitch_peak, b->peak, b->n);
        break;
    case VMC_PASS_PATH:
        for (size_t i = 0; i < k; i++) {
            const unsigned char count = cand_pairs(b->cands + i * VMC_PITCH_STRIDE, fr);
            for (int t = 0; t < a->n_trellis; t++) vmc_pitch_trellis_step(&a->trellis[t], count, fr);
        }
        break;
    case VMC_PASS_F0:
        for (size_t i = 0; i < k; i++) {
            cand_pairs(b->cands + i * VMC_PITCH_STRIDE, fr);
            for (int p = 0; p < 2; p++) a->f0[p][a->frame_at + i] = vmc_pitch_choice_hz(a->f0[p][a->frame_at + i], fr);
        }
        break;
    case VMC_PASS_SUMS:
        vmc_digitnet_norm_add(a->sum_speech, &a->n_speech, a->sum_all, b->mel, a->active, a->frame_at, k);
        break;
    case VMC_PASS_DIGITS: r = vmc_digits_stream_push(a->dstream, b->mel, k); break;
    }
    a->frame_at += k;
    return r ? (r == VMCHECK_EINVAL ? r : VMCHECK_ENOMEM) : 0;
}

/* Finish the busy batch (helping the pool) and append its results. */
static int finish_busy(VmcheckAnalyzer *a)
{
    VmcBatch *b = a->busy;
    if (!b) return 0;
    analyse_frames(a, 0);
    VMC_PROFILE_START(t);
    vmc_pool_wait(a->pool);
    VMC_PROFILE_STOP(t, VMC_STAGE_WAIT);
    if (a->lvl_busy >= 0) {
        a->lvl_n[a->lvl_busy] = 0;
        a->lvl_busy = -1;
    }
    if (a->lvl_err) return VMCHECK_ENOMEM;
    const int r = commit(a, b);
    for (size_t i = 0; i < b->n; i++)
        if (b->peak[i] > a->max_peak) a->max_peak = b->peak[i];
    b->n = 0;
    a->busy = NULL;
    return r;
}

/* The filled batch goes to the pool; the framer gets the other one. */
static int hand_over(VmcheckAnalyzer *a)
{
    int r = finish_busy(a);
    if (r || !a->filling->n) return r;
    a->busy = a->filling;
    a->filling = a->busy == &a->batches[0] ? &a->batches[1] : &a->batches[0];
    atomic_store(&a->next_claim, 0);
    if (a->pool && a->lvl_n[a->lvl_fill]) {
        a->lvl_busy = a->lvl_fill;
        a->lvl_fill ^= 1;
        atomic_store(&a->lvl_claim, 1);
    }
    if (a->pool)
        vmc_pool_start(a->pool, analyse_frames, a);
    else
        r = finish_busy(a); /* alone: analyse it now */
    return r;
}

/* The framer's callback: into the batch. */
static int on_frame(void *ctx, const float *frame, size_t index)
{
    VmcheckAnalyzer *a = ctx;
    VmcBatch *b = a->filling;
    const long long start = vmc_framer_start(a->framer, index);
    if (!b->n) {
        b->pos0 = start;
        b->len = 0;
    }
    /* only the samples the batch does not hold yet (frames start in order,
     * each within a hop of the last) */
    const long long held = b->pos0 + (long long)b->len - start;
    if (held < 0 || held > (long long)a->win || b->len + a->win - (size_t)held > b->cap) return VMCHECK_EINVAL;
    const size_t have = (size_t)held;
    memcpy(b->samples + b->len, frame + have, (a->win - have) * sizeof(float));
    b->off[b->n] = (size_t)(start - b->pos0);
    b->len += a->win - have;
    if (++b->n == VMC_BATCH) return hand_over(a);
    return 0;
}

int vmc_analyzer_create(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate)
{
    VmcheckAnalyzer *a = vmc_calloc(1, sizeof(*a));
    if (!a) return VMCHECK_ENOMEM;
    a->cfg = *cfg;
    a->rate = rate;
    /* Analyse at 8-16 kHz: integer decimation keeps every cue the features
     * use (pitch under 500 Hz, the 300-1200 Hz syllable band) and bounds
     * the per-frame FFT.  The frame level is measured on the input. */
    a->decim = rate >= 16000 ? rate / 8000 : 1;
    a->arate = (double)rate / (double)a->decim;
    a->tracks.hop_s = VMCHECK_HOP_S;
    vmc_energy_init(&a->energy, (double)rate);
    /* Analysis window: three periods of the pitch floor (Boersma 1993), even,
     * and at least 2 hops so frames overlap. */
    size_t win = (size_t)floor(3.0 / cfg->pitch_floor_hz * a->arate + 0.5);
    size_t min_win = (size_t)ceil(2.0 * VMCHECK_HOP_S * a->arate);
    if (win < min_win) win = min_win;
    win += win & 1;
    /* FFT size 2^k or 3*2^k (fast in kissfft) covering the window plus half
     * the longest pitch lag: the circular wrap this allows at the longest
     * lags adds the Hann window's autocorrelation at 5/6 of its length,
     * about 0.2 % of the value measured there. */
    size_t max_lag = (size_t)ceil(a->arate / cfg->pitch_floor_hz) + 2;
    size_t need = win + max_lag / 2 + 2, nfft = 4;
    while (nfft < need && 3 * nfft / 2 < need) nfft *= 2;
    if (nfft < need) nfft = 3 * nfft / 2;
    a->win = win;
    int r = VMCHECK_ENOMEM;
    const unsigned threads = cfg->threads > 1 ? (unsigned)cfg->threads : 1;
    a->work = vmc_calloc(threads, sizeof(VmcFrameWork));
    if (!a->work) goto fail;
    a->n_work = threads; /* zeroed: each frees cleanly however far init got */
    vmc_pitch_params_default(&a->pitch_par, cfg->pitch_floor_hz, cfg->pitch_ceiling_hz);
    for (unsigned t = 0; t < threads; t++) {
        r = vmc_spectrum_init(&a->work[t].spec, a->arate, win, nfft);
        if (!r) r = vmc_pitch_init(&a->work[t].pitch, &a->pitch_par, &a->work[t].spec);
        if (r) goto fail;
    }
    vmc_band_init(&a->band, &a->work[0].spec, 300.0, 1200.0);
    a->tracks.mel.width = VMC_MEL_BANDS;
    a->tracks.pitch_count.width = 1;
    if ((r = vmc_melbands_init(&a->mel, &a->work[0].spec))) goto fail;
    r = VMCHECK_ENOMEM;
    if (threads > 1 && vmc_pool_create(&a->pool, threads)) goto fail;
    for (int k = 0; k < 2; k++) {
        VmcBatch *b = &a->batches[k];
        /* frames start at most ceil(arate * hop) samples apart (one more
         * for the rounding of a long recording's positions) */
        const size_t hop_max = (size_t)ceil(a->arate * VMCHECK_HOP_S) + 1;
        b->cap = (VMC_BATCH - 1) * hop_max + win;
        b->samples = vmc_calloc(b->cap, sizeof(float));
        b->off = vmc_calloc(VMC_BATCH, sizeof(size_t));
        b->peak = vmc_calloc(VMC_BATCH, sizeof(float));
        b->band_db = vmc_calloc(VMC_BATCH, sizeof(float));
        b->cands = vmc_calloc(VMC_BATCH * VMC_PITCH_STRIDE, sizeof(float));
        b->mel = vmc_calloc(VMC_BATCH * VMC_MEL_BANDS, 1);
        if (!b->samples || !b->off || !b->peak || !b->band_db || !b->cands || !b->mel) goto fail;
    }
    a->filling = &a->batches[0];
    a->busy = NULL;
    a->lvl_busy = -1;
    atomic_init(&a->next_claim, 0);
    a->framer = vmc_framer_create(a->arate, VMCHECK_HOP_S, win, VMC_CHUNK);
    if (!a->framer) goto fail;
    if (a->decim > 1) {
        a->dec = vmc_decimator_create(a->decim, VMC_CHUNK);
        if (!a->dec) goto fail;
        a->dec_out = vmc_calloc(vmc_decimator_max_out(a->dec), sizeof(float));
        if (!a->dec_out) goto fail;
    }
    *out = a;
    return VMCHECK_OK;
fail:
    vmc_analyzer_destroy(&a);
    return r;
}

void vmc_analyzer_destroy(VmcheckAnalyzer **pa)
{
    if (!pa || !*pa) return;
    VmcheckAnalyzer *a = *pa;
    vmc_decimator_destroy(&a->dec);
    vmc_framer_destroy(&a->framer);
    if (a->busy) vmc_pool_wait(a->pool); /* never leave threads inside a batch we free */
    vmc_pool_destroy(&a->pool);
    for (unsigned t = 0; a->work && t < a->n_work; t++) {
        vmc_pitch_free(&a->work[t].pitch);
        vmc_spectrum_free(&a->work[t].spec);
    }
    free(a->work);
    for (int k = 0; k < 2; k++) {
        free(a->batches[k].samples);
        free(a->batches[k].off);
        free(a->batches[k].peak);
        free(a->batches[k].band_db);
        free(a->batches[k].cands);
        free(a->batches[k].mel);
    }
    vmc_melbands_free(&a->mel);
    free(a->dec_out);
    free(a->lvl[0]);
    free(a->lvl[1]);
    vmc_track_free(&a->tracks.energy_db);
    vmc_track_free(&a->tracks.band_db);
    vmc_track_free(&a->tracks.pitch_peak);
    vmc_track8_free(&a->tracks.pitch_count);
    vmc_track_free(&a->tracks.pitch_fr);
    vmc_track8_free(&a->tracks.mel);
    free(a);
    *pa = NULL;
}

static int feed(VmcheckAnalyzer *a, const float *x, size_t n)
{
    if (!a->dec) return vmc_framer_push(a->framer, x, n, on_frame, a);
    VMC_PROFILE_START(t);
    size_t k = vmc_decimator_push(a->dec, a->dec_out, x, n);
    VMC_PROFILE_STOP(t, VMC_STAGE_DECIMATE);
    for (size_t off = 0; off < k; off += VMC_CHUNK) {
        size_t m = k - off < VMC_CHUNK ? k - off : VMC_CHUNK;
        int r = vmc_framer_push(a->framer, a->dec_out + off, m, on_frame, a);
        if (r) return r;
    }
    return 0;
}

int vmc_analyzer_push(VmcheckAnalyzer *a, const float *x, size_t n) { return vmc_analyzer_push_checked(a, x, n, 0); }

int vmc_analyzer_push_checked(VmcheckAnalyzer *a, const float *x, size_t n, int checked)
{
    if (a->status) return a->status;
    const double max_samples = VMCHECK_MAX_DURATION_S * (double)a->rate;
    if ((double)a->n_in + (double)n > max_samples) return a->status = VMCHECK_ERANGE;
    while (n) {
        size_t m = n < VMC_CHUNK ? n : VMC_CHUNK;
        if (!checked) {
            unsigned long long clip = 0;
            for (size_t i = 0; i < m; i++) {
                if (!isfinite(x[i])) return a->status = VMCHECK_EDATA;
                clip += fabsf(x[i]) >= CLIP_LEVEL;
            }
            a->clipped += clip;
        }
        int level_r = 0;
        if (!does_level(a)) {
            /* measured on the first pass */
        } else if (a->pool) {
            const int f = a->lvl_fill;
            level_r = vmc_grow((void **)&a->lvl[f], &a->lvl_cap[f], a->lvl_n[f] + m, sizeof(float));
            if (!level_r) {
                memcpy(a->lvl[f] + a->lvl_n[f], x, m * sizeof(float));
                a->lvl_n[f] += m;
            }
        } else {
            run_level(a, x, m);
            level_r = a->lvl_err;
        }
        int r = level_r ? VMCHECK_ENOMEM : feed(a, x, m);
        if (r) return a->status = r;
        a->n_in += m;
        x += m;
        n -= m;
    }
    return VMCHECK_OK;
}

int vmc_analyzer_reserve(VmcheckAnalyzer *a, unsigned long long samples)
{
    /* frames whose centre lies in the signal, one spare */
    size_t frames = (size_t)((double)samples / (double)a->rate / VMCHECK_HOP_S) + 2;
    int r = vmc_grow((void **)&a->tracks.energy_db.v, &a->tracks.energy_db.cap, frames, sizeof(float));
    r |= vmc_grow((void **)&a->tracks.band_db.v, &a->tracks.band_db.cap, frames, sizeof(float));
    r |= vmc_grow((void **)&a->tracks.pitch_peak.v, &a->tracks.pitch_peak.cap, frames, sizeof(float));
    if (a->refeed) return r ? VMCHECK_ENOMEM : VMCHECK_OK; /* candidates and codes are never held */
    r |= vmc_track8_reserve(&a->tracks.pitch_count, frames);
    /* room for every candidate: only what is written becomes resident */
    r |= vmc_grow((void **)&a->tracks.pitch_fr.v, &a->tracks.pitch_fr.cap, frames * 2 * VMC_PITCH_CANDS, sizeof(float));
    r |= vmc_track8_reserve(&a->tracks.mel, frames);
    return r ? VMCHECK_ENOMEM : VMCHECK_OK;
}

void vmc_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped, size_t total)
{
    a->clip_external = 1;
    a->ext_clipped += clipped;
    a->ext_total += total;
}

static int flush(VmcheckAnalyzer *a)
{
    if (a->dec) {
        size_t k;
        while ((k = vmc_decimator_flush(a->dec, a->dec_out)) > 0) {
            for (size_t off = 0; off < k; off += VMC_CHUNK) {
                size_t m = k - off < VMC_CHUNK ? k - off : VMC_CHUNK;
                int r = vmc_framer_push(a->framer, a->dec_out + off, m, on_frame, a);
                if (r) return r;
            }
        }
    }
    int r = vmc_framer_flush(a->framer, on_frame, a);
    if (!r) r = hand_over(a);
    if (!r) r = finish_busy(a);
    if (!does_level(a)) return r;
    /* input since the last hand-over (or all of a short recording) */
    if (!r && a->pool && a->lvl_n[a->lvl_fill]) {
        run_level(a, a->lvl[a->lvl_fill], a->lvl_n[a->lvl_fill]);
        a->lvl_n[a->lvl_fill] = 0;
        if (a->lvl_err) r = VMCHECK_ENOMEM;
    }
    if (!r && vmc_energy_flush(&a->energy, &a->tracks.energy_db, vmc_framer_count(a->framer))) r = VMCHECK_ENOMEM;
    /* the level track may have run a frame ahead of the framer */
    if (a->tracks.energy_db.n > vmc_framer_count(a->framer)) a->tracks.energy_db.n = vmc_framer_count(a->framer);
    return r;
}

static int check_segments(const VmcheckAnalyzer *a, const VmcheckSegmentSpec *segs, size_t n, double dur)
{
    const double tol = VMCHECK_HOP_S; /* labels a hair past the end are rounding */
    for (size_t i = 0; i < n; i++) {
        const VmcheckSegmentSpec *s = &segs[i];
        const char *what = s->kind == VMCHECK_SEGMENT_NAME ? "name" : "number";
        char where[32] = "";
        if (s->line) snprintf(where, sizeof(where), "line %u: ", s->line);
        if (!isfinite(s->start_s) || !isfinite(s->end_s) || s->end_s <= s->start_s) {
            vmc_log(&a->cfg.logger, VMCHECK_LOG_ERROR, "%s%s segment ends before it starts", where, what);
            return VMCHECK_ELABELS;
        }
        if (s->start_s < 0.0) {
            vmc_log(&a->cfg.logger, VMCHECK_LOG_ERROR, "%s%s segment starts before 0 s", where, what);
            return VMCHECK_ELABELS;
        }
        if (s->end_s > dur + tol) {
            char e[32], d[32];
            vmc_fmt_fixed(e, sizeof(e), s->end_s, 2);
            vmc_fmt_fixed(d, sizeof(d), dur, 2);
            vmc_log(&a->cfg.logger, VMCHECK_LOG_ERROR,
                    "%s%s segment ends at %s s, after the end of the recording (%s s)", where, what, e, d);
            return VMCHECK_ELABELS;
        }
    }
    return VMCHECK_OK;
}

/* A number segment's digits, from the digit words inside it (none when
 * fewer than a number's worth were heard there). */
static void digits_of(VmcheckSegment *s, const VmcDigitWords *words, const VmcNumberParams *np)
{
    VmcNumber nb;
    if (!vmc_number_inside(&nb, words, s->start_s, s->end_s, np) || nb.digits < VMC_NUMBER_MIN_DIGITS) return;
    s->digits = nb.digits;
    const double dur = s->end_s - s->start_s;
    s->digits_per_s = dur > 0.0 ? (double)nb.digits / dur : 0.0;
    snprintf(s->heard, sizeof(s->heard), "%s", nb.heard);
}

/* The name and number segments: those given (labels) come first; else
 * those the script locates; when still no number, the ones found in the
 * audio from the digit words heard. */
static int find_segments(const VmcheckAnalyzer *a, VmcAnalysis *an, const VmcheckSegmentSpec *segs, size_t n_segs,
                         const VmcScript *script)
{
    VmcNumberParams np;
    vmc_number_params_default(&np);
    if (a->tap && a->tap->number_params) np = *a->tap->number_params;
    int has_number = 0;
    for (size_t i = 0; i < n_segs; i++) has_number |= segs[i].kind == VMCHECK_SEGMENT_NUMBER;
    int r = vmc_segments_measure(&an->segments, segs, n_segs, VMCHECK_SOURCE_LABELS, &an->activity, &an->nuclei,
                                 an->n_frames, a->tracks.hop_s);
    if (r || !an->activity.has_speech) return r;
    if (script && !n_segs) {
        VmcAlignment al;
        r = vmc_align(&al, script, &an->activity, &an->nuclei, a->tracks.band_db.v, an->n_frames, a->tracks.hop_s);
        if (r) return r;
        if (al.mismatch) {
            an->script_mismatch = 1;
            snprintf(an->script_why, sizeof(an->script_why), "%s", al.why);
        }
        if (al.n_segs) {
            VmcSegments more;
            r = vmc_segments_measure(&more, al.segs, al.n_segs, VMCHECK_SOURCE_SCRIPT, &an->activity, &an->nuclei,
                                     an->n_frames, a->tracks.hop_s);
            /* The script says how many syllables the name and number hold,
             * up to how a written 0 is said ("oh" or "zero"); the detector
             * misses some in rushed speech and splits drawn-out vowels in
             * slow speech, so its count is kept only within that range. */
            for (size_t i = 0; !r && i < more.n; i++) {
                VmcheckSegment *s = &more.v[i];
                memcpy(s->text, al.text[i], sizeof(s->text));
                if (s->syllables < al.syllables[i]) s->syllables = al.syllables[i];
                if (s->syllables > al.syllables_max[i]) s->syllables = al.syllables_max[i];
                const double dur = s->end_s - s->start_s;
                s->syllables_per_s = dur > 0.0 ? (double)s->syllables / dur : 0.0;
            }
            if (!r) r = vmc_segments_append(&an->segments, &more);
            for (size_t i = 0; i < al.n_segs; i++) has_number |= al.segs[i].kind == VMCHECK_SEGMENT_NUMBER;
        }
        /* A script whose number could not be placed: no times are made up
         * from it; the number may still be found in the audio (source auto)
         * when the recording as a whole did not follow the script. */
        if (script->numbers && !al.mismatch) has_number = 1;
        vmc_alignment_free(&al);
        if (r) return r;
    }
    /* the numbers heard in the audio */
    VmcNumber *found = NULL;
    size_t n_found = 0;
    r = vmc_number_find(&found, &n_found, &an->digits, &np);
    if (r) return r;
    /* given and aligned numbers: the digits heard inside them, or those of
     * the number heard that overlaps them most (a script aligned a little
     * off still gets the caller's digits) */
    for (size_t i = 0; i < an->segments.n; i++) {
        VmcheckSegment *s = &an->segments.v[i];
        if (s->kind != VMCHECK_SEGMENT_NUMBER) continue;
        digits_of(s, &an->digits, &np);
        if (!s->digits) {
            double best = 0.0;
            for (size_t k = 0; k < n_found; k++) {
                const double o = fmin(s->end_s, found[k].end_s) - fmax(s->start_s, found[k].start_s);
                if (o <= best) continue;
                best = o;
                s->digits = found[k].digits;
                s->digits_per_s = s->end_s > s->start_s ? (double)found[k].digits / (s->end_s - s->start_s) : 0.0;
                snprintf(s->heard, sizeof(s->heard), "%s", found[k].heard);
            }
        }
        /* the number as written (the script's) counts its digits better
         * than the ear does; what was heard stays in heard */
        const char *written = s->text[0] ? s->text : an->script_number;
        size_t n_written = 0;
        for (const char *c = written; *c; c++) n_written += *c >= '0' && *c <= '9';
        if (n_written >= VMC_NUMBER_MIN_DIGITS) {
            s->digits = n_written;
            s->digits_per_s = s->end_s > s->start_s ? (double)n_written / (s->end_s - s->start_s) : 0.0;
        }
    }
    if (has_number) {
        free(found);
        return VMCHECK_OK;
    }
    VmcheckSegmentSpec *specs = r || !n_found ? NULL : vmc_calloc(n_found, sizeof(*specs));
    if (!r && n_found && !specs) r = VMCHECK_ENOMEM;
    if (!r && n_found) {
        for (size_t i = 0; i < n_found; i++)
            specs[i] = (VmcheckSegmentSpec){VMCHECK_SEGMENT_NUMBER, found[i].start_s, found[i].end_s, 0};
        VmcSegments more;
        r = vmc_segments_measure(&more, specs, n_found, VMCHECK_SOURCE_AUTO, &an->activity, &an->nuclei, an->n_frames,
                                 a->tracks.hop_s);
        /* the words heard say how many syllables were said */
        for (size_t i = 0; !r && i < more.n; i++) {
            VmcheckSegment *s = &more.v[i];
            const double dur = s->end_s - s->start_s;
            s->syllables = found[i].syllables;
            s->syllables_per_s = dur > 0.0 ? (double)s->syllables / dur : 0.0;
            s->digits = found[i].digits;
            s->digits_per_s = dur > 0.0 ? (double)s->digits / dur : 0.0;
            snprintf(s->heard, sizeof(s->heard), "%s", found[i].heard);
        }
        if (!r) r = vmc_segments_append(&an->segments, &more);
    }
    free(specs);
    free(found);
    return r;
}

void vmc_analyzer_set_tap(VmcheckAnalyzer *a, VmcDigitsTap *tap) { a->tap = tap; }

void vmc_analyzer_set_refeed(VmcheckAnalyzer *a, VmcRefeed fn, void *ctx)
{
    a->refeed = fn;
    a->refeed_ctx = ctx;
    a->pass = fn ? VMC_PASS_LEVEL : VMC_PASS_ALL;
}

/* The next pass: the front end as new, then the whole input again. */
static int pass_over(VmcheckAnalyzer *a, int pass)
{
    vmc_decimator_destroy(&a->dec);
    vmc_framer_destroy(&a->framer);
    a->framer = vmc_framer_create(a->arate, VMCHECK_HOP_S, a->win, VMC_CHUNK);
    if (!a->framer) return VMCHECK_ENOMEM;
    if (a->decim > 1 && !(a->dec = vmc_decimator_create(a->decim, VMC_CHUNK))) return VMCHECK_ENOMEM;
    a->batches[0].n = a->batches[1].n = 0;
    a->filling = &a->batches[0];
    a->busy = NULL;
    a->max_peak = 0.0f;
    a->n_in = 0;
    a->frame_at = 0;
    a->pass = pass;
    int r = a->refeed(a->refeed_ctx, a);
    if (!r) r = a->status;
    if (!r) r = flush(a);
    /* the input must be the one the first pass read */
    if (!r && (vmc_framer_count(a->framer) != a->n_frames || a->frame_at != a->n_frames)) r = VMCHECK_EIO;
    return r;
}

/* Both pitch paths over a long file (the analyser reads it in passes):
 * the trellis fed on one pass, the frequencies of its choices on the next;
 * the peaks are let go before the paths are allocated. */
static int paths_by_passes(VmcheckAnalyzer *a, VmcAnalysis *an, const VmcPitchParams *global_par)
{
    const VmcPitchParams *both[2] = {global_par, &a->pitch_par};
    const int shared = vmc_pitch_paths_share(global_par, &a->pitch_par);
    a->n_trellis = shared ? 1 : 2;
    int r = VMCHECK_OK;
    for (int t = 0; !r && t < a->n_trellis; t++)
        r = vmc_pitch_trellis_init(&a->trellis[t], shared ? both : both + t, shared ? 2 : 1, a->tracks.pitch_peak.v,
                                   an->n_frames);
    if (!r) r = pass_over(a, VMC_PASS_PATH);
    for (int t = 0; t < a->n_trellis; t++) vmc_pitch_trellis_release(&a->trellis[t]);
    vmc_track_free(&a->tracks.pitch_peak);
    if (!r) {
        an->f0_hz = vmc_calloc(an->n_frames, sizeof(float));
        an->f0_local_hz = vmc_calloc(an->n_frames, sizeof(float));
        r = an->f0_hz && an->f0_local_hz ? VMCHECK_OK : VMCHECK_ENOMEM;
    }
    if (!r) {
        float *const f[2] = {an->f0_hz, an->f0_local_hz};
        for (int t = 0; t < a->n_trellis; t++) vmc_pitch_trellis_back(&a->trellis[t], f + t);
    }
    for (int t = 0; t < a->n_trellis; t++) vmc_pitch_trellis_free(&a->trellis[t]);
    a->f0[0] = an->f0_hz;
    a->f0[1] = an->f0_local_hz;
    if (!r) r = pass_over(a, VMC_PASS_F0);
    return r;
}

/* The detector over a long file: its normalisation sums on one pass, the
 * network and the search on the next, the band codes a batch at a time. */
static int digits_by_passes(VmcheckAnalyzer *a, VmcAnalysis *an, const VmcDigitsInput *din, const VmcDigitsParams *dp)
{
    a->active = an->activity.active;
    memset(a->sum_speech, 0, sizeof(a->sum_speech));
    memset(a->sum_all, 0, sizeof(a->sum_all));
    a->n_speech = 0;
    int r = pass_over(a, VMC_PASS_SUMS);
    if (!r) r = vmc_digits_stream_create(&a->dstream, din, dp, a->sum_speech, a->n_speech, a->sum_all);
    if (!r) r = pass_over(a, VMC_PASS_DIGITS);
    if (!r) r = vmc_digits_stream_finish(a->dstream, &an->digits);
    vmc_digits_stream_destroy(&a->dstream);
    return r;
}

void vmc_analyzer_set_promise(VmcheckAnalyzer *a, double promised_s) { a->promised_s = promised_s; }

void vmc_digits_tap_free(VmcDigitsTap *t)
{
    const VmcDigitsParams *dp = t->digits_params;
    const struct VmcNumberParams *np = t->number_params;
    free(t->x);
    free(t->logp);
    free(t->active);
    free(t->energy_db);
    vmc_digits_free(&t->words);
    memset(t, 0, sizeof(*t));
    t->digits_params = dp; /* the caller's, kept */
    t->number_params = np;
}

/* For tools/digits: the network's inputs and outputs over the whole
 * recording, the activity and the words. */
static int tap_fill(VmcDigitsTap *t, const VmcheckAnalyzer *a, const VmcAnalysis *an, const VmcDigitsInput *din)
{
    vmc_digits_tap_free(t);
    const size_t n = din->n_frames, steps = (n + 1) / 2;
    t->n_frames = n;
    t->n_steps = steps;
    t->x = vmc_calloc(n, VMC_DN_INPUTS * sizeof(float));
    t->logp = vmc_calloc(steps, VMC_DN_CLASSES * sizeof(float));
    t->active = vmc_calloc(n, 1);
    t->energy_db = vmc_calloc(n, sizeof(float));
    VmcDnScratch sc;
    if (!t->x || !t->logp || !t->active || !t->energy_db || vmc_dn_scratch_init(&sc, din->net, 256)) {
        vmc_digits_tap_free(t);
        return VMCHECK_ENOMEM;
    }
    VmcDnNorm norm;
    vmc_digitnet_norm(&norm, din->mel, an->activity.has_speech ? an->activity.active : NULL, n, din->hop_s);
    vmc_digitnet_inputs(&norm, t->x, 0, (long)n);
    for (size_t s0 = 0; din->net->n_layers && s0 < steps; s0 += 256)
        vmc_digitnet_eval(din->net, &sc, t->logp + s0 * VMC_DN_CLASSES, &norm, s0, s0 + 256 < steps ? s0 + 256 : steps);
    vmc_dn_scratch_free(&sc);
    if (an->activity.active) memcpy(t->active, an->activity.active, n);
    memcpy(t->energy_db, a->tracks.energy_db.v, n * sizeof(float));
    if (an->digits.n) {
        t->words.v = vmc_calloc(an->digits.n, sizeof(VmcDigitToken));
        if (!t->words.v) {
            vmc_digits_tap_free(t);
            return VMCHECK_ENOMEM;
        }
        memcpy(t->words.v, an->digits.v, an->digits.n * sizeof(VmcDigitToken));
        t->words.n = an->digits.n;
    }
    return VMCHECK_OK;
}

/* Parse the script, or say on which line it is not text. */
/* One pitch path, for the pool's first thread (the others return). */
typedef struct PathJob {
    float *f0;
    const VmcPitchCands *cands;
    size_t n;
    const VmcPitchParams *par;
    int status;
} PathJob;

static void path_job(void *ctx, unsigned worker)
{
    PathJob *j = ctx;
    if (worker == 1) j->status = vmc_pitch_path(j->f0, j->cands, j->n, j->par);
}

static int parse_script(const VmcheckAnalyzer *a, VmcScript *sc, const char *text)
{
    size_t len = strlen(text);
    int r = vmc_script_parse(sc, text, len);
    if (r == VMCHECK_ESCRIPT) {
        unsigned line = 1;
        size_t i = 0;
        for (; i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c == '\n') line++;
            if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) break;
        }
        if (i < len)
            vmc_log(&a->cfg.logger, VMCHECK_LOG_ERROR, "line %u: not UTF-8 text", line);
        else
            vmc_log(&a->cfg.logger, VMCHECK_LOG_ERROR, "no words in the script");
    }
    return r;
}

int vmc_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out, const VmcheckSegmentSpec *segs, size_t n_segs,
                        const char *script)
{
    if (a->status) return a->status;
    if (a->finished) return VMCHECK_EINVAL;
    a->finished = 1;
    if (a->n_in == 0) return a->status = VMCHECK_EEMPTY;
    int r = flush(a);
    if (r) return a->status = r;
    const double dur = (double)a->n_in / (double)a->rate;
    r = check_segments(a, segs, n_segs, dur);
    if (r) return a->status = r;
    VmcScript sc;
    memset(&sc, 0, sizeof(sc));
    if (script && (r = parse_script(a, &sc, script))) return a->status = r;

    VmcAnalysis an = {0};
    an.tracks = &a->tracks;
    an.n_frames = a->tracks.energy_db.n;
    an.duration_s = dur;
    an.sample_rate_hz = a->rate;
    an.clipped = a->clip_external ? a->ext_clipped : a->clipped;
    an.total_samples = a->clip_external ? a->ext_total : a->n_in;
    if (script && sc.words) an.syllables_per_word = (double)sc.syllables / (double)sc.words;
    an.has_script = script != NULL;
    if (script && sc.numbers) vmc_script_number_text(&sc, 1, an.script_number, sizeof(an.script_number));
    an.has_labels = n_segs > 0;
    an.promised_s = a->promised_s;
    VmcheckReport *rep = vmc_calloc(1, sizeof(*rep));
    if (!rep) {
        vmc_script_free(&sc);
        return a->status = VMCHECK_ENOMEM;
    }
    /* two pitch paths through the same candidates: the reported one judges
     * loudness against the loudest frame of the recording, as Praat does
     * (whispers and breath stay unvoiced); the one speech activity and the
     * syllable nuclei take as voicing judges it against the frame's
     * surroundings, so a quiet passage keeps its voicing (pitch.h).  With
     * threads each path has one; alone, one pass finds both. */
    VMC_PROFILE_MARK(t);
    VmcPitchParams global_par = a->pitch_par;
    global_par.local_reach_frames = 0;
    a->n_frames = an.n_frames;
    if (a->refeed) {
        r = paths_by_passes(a, &an, &global_par);
    } else {
        an.f0_hz = vmc_calloc(an.n_frames, sizeof(float));
        an.f0_local_hz = vmc_calloc(an.n_frames, sizeof(float));
        r = an.f0_hz && an.f0_local_hz ? VMCHECK_OK : VMCHECK_ENOMEM;
    }
    const VmcPitchCands cands = {a->tracks.pitch_peak.v, a->tracks.pitch_count.v, a->tracks.pitch_fr.v};
    if (!r && !a->refeed) {
        PathJob job = {an.f0_hz, &cands, an.n_frames, &global_par, VMCHECK_OK};
        if (vmc_pool_threads(a->pool) > 1 && vmc_pitch_paths_share(&global_par, &a->pitch_par)) {
            /* one pass for both, the pool's first thread computing the
             * moves' costs a block of frames ahead (the two paths on a
             * thread each computed every cost twice, as slow as one pass) */
            r = vmc_pitch_paths_pool(an.f0_hz, &global_par, an.f0_local_hz, &a->pitch_par, &cands, an.n_frames,
                                     a->pool);
        } else if (vmc_pool_threads(a->pool) > 1) {
            /* the two paths are independent: the pool's first thread takes
             * the reported one while this thread finds the local one (a
             * pool whose threads did not start has no first thread) */
            vmc_pool_start(a->pool, path_job, &job);
            r = vmc_pitch_path(an.f0_local_hz, &cands, an.n_frames, &a->pitch_par);
            vmc_pool_wait(a->pool);
            if (!r) r = job.status;
        } else {
            /* alone: both in one pass, sharing the moves' costs */
            r = vmc_pitch_paths(an.f0_hz, &global_par, an.f0_local_hz, &a->pitch_par, &cands, an.n_frames);
        }
    }
    /* the candidates serve the paths only: an hour's are some megabytes */
    vmc_track_free(&a->tracks.pitch_peak);
    vmc_track8_free(&a->tracks.pitch_count);
    vmc_track_free(&a->tracks.pitch_fr);
    VMC_PROFILE_LAP(t, VMC_STAGE_PATH);
    if (!r)
        r = vmc_activity_detect(&an.activity, a->tracks.energy_db.v, an.f0_local_hz, an.n_frames, a->tracks.hop_s,
                                0.020, a->cfg.min_pause_s);
    if (!r) {
        VmcNucleiParams np;
        vmc_nuclei_params_default(&np);
        /* a quiet passage is judged by its own level only inside the name
         * and number the caller marked (ordinary speech fades at phrase
         * ends, and there the message's own level decides, as before) */
        unsigned char *quiet_mask = vmc_calloc(an.n_frames ? an.n_frames : 1, 1);
        if (!quiet_mask) r = VMCHECK_ENOMEM;
        for (size_t k = 0; !r && k < n_segs; k++) {
            const double lo = segs[k].start_s / a->tracks.hop_s, hi = segs[k].end_s / a->tracks.hop_s;
            for (size_t i = lo > 0.0 ? (size_t)lo : 0; i < an.n_frames && (double)i <= hi; i++) quiet_mask[i] = 1;
        }
        if (!r)
            r = vmc_nuclei_detect(&an.nuclei, a->tracks.band_db.v, a->tracks.energy_db.v, an.f0_hz, an.f0_local_hz,
                                  quiet_mask, &an.activity, an.n_frames, a->tracks.hop_s, &np);
        free(quiet_mask);
    }
    /* the local voicing serves activity and the nuclei only */
    free(an.f0_local_hz);
    an.f0_local_hz = NULL;
    VMC_PROFILE_LAP(t, VMC_STAGE_EVENTS);
    if (!r && a->cfg.digit_detector && an.activity.has_speech) {
        const VmcDigitsInput din = {&vmc_digitnet_model,
                                    a->tracks.mel.v,
                                    &an.activity,
                                    a->refeed || an.n_frames < a->tracks.mel.n ? an.n_frames : a->tracks.mel.n,
                                    a->tracks.hop_s,
                                    a->pool,
                                    a->cfg.threads > 1 ? (unsigned)a->cfg.threads : 1};
        VmcDigitsParams dp;
        vmc_digits_params_default(&dp);
        if (a->tap && a->tap->digits_params) dp = *a->tap->digits_params;
        r = a->refeed ? digits_by_passes(a, &an, &din, &dp) : vmc_digits_detect(&an.digits, &din, &dp);
    }
    VMC_PROFILE_LAP(t, VMC_STAGE_DIGITS);
    if (!r && a->tap) {
        const VmcDigitsInput din = {&vmc_digitnet_model,
                                    a->tracks.mel.v,
                                    &an.activity,
                                    an.n_frames < a->tracks.mel.n ? an.n_frames : a->tracks.mel.n,
                                    a->tracks.hop_s,
                                    NULL,
                                    1};
        r = tap_fill(a->tap, a, &an, &din);
    }
    if (!r) r = find_segments(a, &an, segs, n_segs, script ? &sc : NULL);
    if (!r) r = vmc_score(rep, &an, &a->cfg);
    VMC_PROFILE_STOP(t, VMC_STAGE_SCORE);
    vmc_segments_free(&an.segments);
    vmc_digits_free(&an.digits);
    vmc_script_free(&sc);
    vmc_nuclei_free(&an.nuclei);
    vmc_activity_free(&an.activity);
    free(an.f0_hz);
    free(an.f0_local_hz);
    if (r) {
        vmc_report_release(rep);
        free(rep);
        return a->status = r;
    }
    rep->channels = 1;
    *out = rep;
    return VMCHECK_OK;
}
