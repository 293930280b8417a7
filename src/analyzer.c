#include "analyzer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "common/fmt.h"
#include "features/energy.h"
#include "score/score.h"

/* Full scale within 0.0001 (about -0.001 dB): int16 +32767 counts. */
#define CLIP_LEVEL 0.9999f

static int on_frame(void *ctx, const float *frame, size_t index)
{
    VmcheckAnalyzer *a = ctx;
    (void)index;
    const size_t w = a->spec.win;
    const float *mid = frame + (w - a->energy_win) / 2;
    int r = vmc_track_push(&a->tracks.energy_db, vmc_energy_db(mid, a->energy_win));
    vmc_spectrum_process(&a->spec, frame);
    r |= vmc_track_push(&a->tracks.band_db, vmc_band_db(&a->band, a->spec.power));
    r |= vmc_pitch_process(&a->pitch, &a->spec, &a->tracks.pitch_cands);
    return r ? VMCHECK_ENOMEM : 0;
}

int vmc_analyzer_create(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate)
{
    VmcheckAnalyzer *a = vmc_calloc(1, sizeof(*a));
    if (!a) return VMCHECK_ENOMEM;
    a->cfg = *cfg;
    a->rate = rate;
    /* Analyse at 16-32 kHz (8-16 kHz for narrow-band input): integer
     * decimation keeps every speech cue and bounds the per-frame FFT. */
    a->decim = rate >= 32000 ? rate / 16000 : 1;
    a->arate = (double)rate / (double)a->decim;
    a->tracks.hop_s = VMCHECK_HOP_S;
    /* Energy over 20 ms (rounded to the nearest sample, at least 2). */
    a->energy_win = (size_t)floor(0.020 * a->arate + 0.5);
    /* Analysis window: three periods of the pitch floor (Boersma 1993), even,
     * and at least 2 hops so frames overlap. */
    size_t win = (size_t)floor(3.0 / cfg->pitch_floor_hz * a->arate + 0.5);
    size_t min_win = (size_t)ceil(2.0 * VMCHECK_HOP_S * a->arate);
    if (win < min_win) win = min_win;
    win += win & 1;
    if (a->energy_win > win) a->energy_win = win;
    size_t max_lag = (size_t)ceil(a->arate / cfg->pitch_floor_hz) + 2;
    size_t nfft = vmc_fft_good_size(win + max_lag);
    while (nfft % 4) nfft = vmc_fft_good_size(nfft + 1);
    int r = vmc_spectrum_init(&a->spec, a->arate, win, nfft);
    if (r) goto fail;
    vmc_band_init(&a->band, &a->spec, 300.0, 3300.0);
    VmcPitchParams pp;
    vmc_pitch_params_default(&pp, cfg->pitch_floor_hz, cfg->pitch_ceiling_hz);
    r = vmc_pitch_init(&a->pitch, &pp, &a->spec);
    if (r) goto fail;
    r = VMCHECK_ENOMEM;
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
    vmc_pitch_free(&a->pitch);
    vmc_spectrum_free(&a->spec);
    free(a->dec_out);
    vmc_track_free(&a->tracks.energy_db);
    vmc_track_free(&a->tracks.band_db);
    vmc_track_free(&a->tracks.pitch_cands);
    free(a);
    *pa = NULL;
}

static int feed(VmcheckAnalyzer *a, const float *x, size_t n)
{
    if (!a->dec) return vmc_framer_push(a->framer, x, n, on_frame, a);
    size_t k = vmc_decimator_push(a->dec, a->dec_out, x, n);
    for (size_t off = 0; off < k; off += VMC_CHUNK) {
        size_t m = k - off < VMC_CHUNK ? k - off : VMC_CHUNK;
        int r = vmc_framer_push(a->framer, a->dec_out + off, m, on_frame, a);
        if (r) return r;
    }
    return 0;
}

int vmc_analyzer_push(VmcheckAnalyzer *a, const float *x, size_t n)
{
    if (a->status) return a->status;
    const double max_samples = VMCHECK_MAX_DURATION_S * (double)a->rate;
    if ((double)a->n_in + (double)n > max_samples) return a->status = VMCHECK_ERANGE;
    while (n) {
        size_t m = n < VMC_CHUNK ? n : VMC_CHUNK;
        unsigned long long clip = 0;
        for (size_t i = 0; i < m; i++) {
            if (!isfinite(x[i])) return a->status = VMCHECK_EDATA;
            clip += fabsf(x[i]) >= CLIP_LEVEL;
        }
        a->clipped += clip;
        int r = feed(a, x, m);
        if (r) return a->status = r;
        a->n_in += m;
        x += m;
        n -= m;
    }
    return VMCHECK_OK;
}

void vmc_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped, size_t total)
{
    if (!a->clip_external) {
        a->clip_external = 1;
        a->clipped = 0;
    }
    a->clipped += clipped;
    a->clip_total += total;
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
    return vmc_framer_flush(a->framer, on_frame, a);
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

int vmc_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out, const VmcheckSegmentSpec *segs, size_t n_segs,
                        const char *script)
{
    (void)script;
    if (a->status) return a->status;
    if (a->finished) return VMCHECK_EINVAL;
    a->finished = 1;
    if (a->n_in == 0) return a->status = VMCHECK_EEMPTY;
    int r = flush(a);
    if (r) return a->status = r;
    const double dur = (double)a->n_in / (double)a->rate;
    r = check_segments(a, segs, n_segs, dur);
    if (r) return a->status = r;

    VmcAnalysis an = {0};
    an.tracks = &a->tracks;
    an.n_frames = a->tracks.energy_db.n;
    an.duration_s = dur;
    an.sample_rate_hz = a->rate;
    an.clipped = a->clipped;
    an.total_samples = a->clip_external ? a->clip_total : a->n_in;
    VmcheckReport *rep = vmc_calloc(1, sizeof(*rep));
    if (!rep) return a->status = VMCHECK_ENOMEM;
    an.f0_hz = vmc_calloc(an.n_frames, sizeof(float));
    r = an.f0_hz ? VMCHECK_OK : VMCHECK_ENOMEM;
    if (!r) r = vmc_pitch_path(an.f0_hz, a->tracks.pitch_cands.v, an.n_frames, &a->pitch.par);
    if (!r) r = vmc_activity_detect(&an.activity, a->tracks.energy_db.v, an.n_frames, a->tracks.hop_s,
                             (double)a->energy_win / a->arate, a->cfg.min_pause_s);
    if (!r) r = vmc_score(rep, &an, &a->cfg);
    vmc_activity_free(&an.activity);
    free(an.f0_hz);
    if (r) {
        vmc_report_release(rep);
        free(rep);
        return a->status = r;
    }
    rep->channels = 1;
    *out = rep;
    return VMCHECK_OK;
}
