#include "score/score.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "common/stats.h"
#include "score/flags.h"

/* English averages about 1.4 syllables a word in conversation. */
#define VMC_SYLLABLES_PER_WORD 1.4
/* Digits average about 1.15 syllables ("seven", "zero" have two; "oh" one). */
#define VMC_SYLLABLES_PER_DIGIT 1.15

void vmc_report_release(VmcheckReport *rep)
{
    for (size_t i = 0; i < rep->segment_count; i++) free(rep->segments[i].gaps);
    free(rep->pauses);
    free(rep->syllables_s);
    free(rep->segments);
    free(rep->flags);
    free(rep->energy_db);
    free(rep->f0_hz);
    free(rep->band_db);
    memset(rep, 0, sizeof(*rep));
}

static int copy_track(float **dst, const VmcTrack *t, size_t n)
{
    *dst = vmc_calloc(n, sizeof(float));
    if (!*dst) return VMCHECK_ENOMEM;
    if (t->n) memcpy(*dst, t->v, (t->n < n ? t->n : n) * sizeof(float));
    return VMCHECK_OK;
}

/* Summary figures: speech span, pauses, loudness. */
static int summarise(VmcheckReport *rep, const VmcAnalysis *an, const VmcheckConfig *cfg)
{
    const VmcActivity *act = &an->activity;
    const double hop = an->tracks->hop_s;
    rep->duration_s = an->duration_s;
    rep->sample_rate_hz = an->sample_rate_hz;
    rep->hop_s = hop;
    rep->frame_count = an->n_frames;
    rep->clipped_ratio = an->total_samples ? (double)an->clipped / (double)an->total_samples : 0.0;

    /* digital silence has no floor to speak of */
    rep->noise_floor_dbfs = act->noise_db <= VMCHECK_TRACK_FLOOR_DB + 0.01 ? -(double)INFINITY : act->noise_db;
    rep->has_speech = act->has_speech;
    rep->speech_dbfs = act->has_speech ? act->speech_db : -(double)INFINITY;
    rep->snr_db = act->has_speech ? rep->speech_dbfs - rep->noise_floor_dbfs : 0.0;
    rep->lift_st = NAN;

    if (act->has_speech) {
        rep->speech_start_s = act->start_s;
        rep->speech_end_s = act->end_s;
        if (rep->speech_end_s > rep->duration_s) rep->speech_end_s = rep->duration_s;
        if (act->n_pauses) {
            rep->pauses = vmc_calloc(act->n_pauses, sizeof(VmcheckPause));
            if (!rep->pauses) return VMCHECK_ENOMEM;
        }
        for (size_t i = 0; i < act->n_pauses; i++) {
            double s = act->pauses[i].start_s, e = act->pauses[i].end_s;
            rep->pauses[i] = (VmcheckPause){s, e};
            rep->pause_total_s += e - s;
            if (e - s > rep->longest_pause_s) rep->longest_pause_s = e - s;
        }
        rep->pause_count = act->n_pauses;
        rep->phonation_s = rep->speech_end_s - rep->speech_start_s - rep->pause_total_s;
    }
    if (cfg->keep_tracks) {
        if (copy_track(&rep->energy_db, &an->tracks->energy_db, an->n_frames)) return VMCHECK_ENOMEM;
        if (copy_track(&rep->band_db, &an->tracks->band_db, an->n_frames)) return VMCHECK_ENOMEM;
        rep->f0_hz = vmc_calloc(an->n_frames, sizeof(float));
        if (!rep->f0_hz) return VMCHECK_ENOMEM;
        memcpy(rep->f0_hz, an->f0_hz, an->n_frames * sizeof(float));
    }
    return VMCHECK_OK;
}

/* Speaking rate from the nuclei: syllables over the speech span (rate) and
 * over phonation time (articulation rate); words at 1.4 syllables a word. */
static int rate(VmcheckReport *rep, const VmcAnalysis *an)
{
    const VmcNuclei *nu = &an->nuclei;
    rep->syllable_count = nu->n;
    if (nu->n) {
        rep->syllables_s = vmc_calloc(nu->n, sizeof(double));
        if (!rep->syllables_s) return VMCHECK_ENOMEM;
        for (size_t i = 0; i < nu->n; i++) rep->syllables_s[i] = (double)nu->frames[i] * an->tracks->hop_s;
    }
    double span = rep->speech_end_s - rep->speech_start_s;
    rep->syllables_per_s = span > 0.0 ? (double)nu->n / span : 0.0;
    rep->articulation_rate = rep->phonation_s > 0.0 ? (double)nu->n / rep->phonation_s : 0.0;
    rep->syllables_per_word = an->syllables_per_word > 0.0 ? an->syllables_per_word : VMC_SYLLABLES_PER_WORD;
    rep->wpm_est = rep->syllables_per_s * 60.0 / rep->syllables_per_word;
    return VMCHECK_OK;
}

/* Segments: copied from the analysis (the report owns its own), verdicts. */
static int segments(VmcheckReport *rep, const VmcAnalysis *an, const VmcheckConfig *cfg)
{
    const VmcSegments *sg = &an->segments;
    if (!sg->n) return VMCHECK_OK;
    rep->segments = vmc_calloc(sg->n, sizeof(VmcheckSegment));
    if (!rep->segments) return VMCHECK_ENOMEM;
    for (size_t i = 0; i < sg->n; i++) {
        VmcheckSegment *s = &rep->segments[rep->segment_count++];
        *s = sg->v[i];
        s->gaps = NULL;
        if (s->gap_count) {
            s->gaps = vmc_calloc(s->gap_count, sizeof(VmcheckPause));
            if (!s->gaps) return VMCHECK_ENOMEM;
            memcpy(s->gaps, sg->v[i].gaps, s->gap_count * sizeof(VmcheckPause));
        }
        double limit = s->kind == VMCHECK_SEGMENT_NUMBER ? cfg->max_number_rate : cfg->max_name_rate;
        s->too_fast = s->syllables_per_s > limit;
    }
    return VMCHECK_OK;
}

/* Amplitude of each frame (from its level over the whole band: a band
 * level would tie the weight to where the harmonics fall, i.e. to F0
 * itself): the weight of its F0 in the pitch statistics. */
static float *frame_weights(const VmcAnalysis *an)
{
    float *w = vmc_calloc(an->n_frames, sizeof(float));
    if (!w) return NULL;
    const float *b = an->tracks->energy_db.v;
    for (size_t i = 0; i < an->n_frames; i++) w[i] = (float)pow(10.0, (double)b[i] / 20.0);
    return w;
}

/* Pitch statistics over the voiced frames of speech, each weighted by its
 * amplitude: the vowels that carry the voice count more than its weak
 * onsets and creaky ends, which come and go with small changes of level or
 * pitch (a voice moved by 3 semitones then moves its median by 3). */
static int pitch_stats(VmcheckReport *rep, const VmcAnalysis *an, const VmcheckConfig *cfg)
{
    const VmcActivity *act = &an->activity;
    unsigned char *keep = vmc_calloc(an->n_frames, 1);
    float *w = frame_weights(an);
    int r = VMCHECK_ENOMEM;
    if (!keep || !w) goto done;
    size_t voiced = 0, speech = 0;
    for (size_t i = 0; i < an->n_frames; i++) {
        int sp = act->active && act->active[i];
        keep[i] = (unsigned char)(sp && an->f0_hz[i] > 0.0f);
        speech += (size_t)sp;
        voiced += keep[i];
    }
    rep->voiced_frames = voiced;
    rep->voiced_ratio = speech ? (double)voiced / (double)speech : 0.0;
    r = VMCHECK_OK;
    if (voiced) {
        double q[3];
        const double ps[3] = {10.0, 50.0, 90.0};
        r = vmc_weighted_percentiles(q, an->f0_hz, w, keep, an->n_frames, ps, 3);
        if (r) goto done;
        rep->f0_p10_hz = q[0];
        rep->f0_median_hz = q[1];
        rep->f0_p90_hz = q[2];
        rep->range_st = 12.0 * log2(q[2] / q[0]);
        if (cfg->baseline_f0_hz > 0.0) rep->lift_st = 12.0 * log2(q[1] / cfg->baseline_f0_hz);
    }
    /* each segment's median F0, weighted the same way */
    for (size_t k = 0; k < rep->segment_count; k++) {
        VmcheckSegment *s = &rep->segments[k];
        size_t a = (size_t)ceil(s->start_s / an->tracks->hop_s - 1e-9),
               b = (size_t)ceil(s->end_s / an->tracks->hop_s - 1e-9);
        if (b > an->n_frames) b = an->n_frames;
        memset(keep, 0, an->n_frames);
        size_t nv = 0;
        for (size_t i = a; i < b; i++) nv += keep[i] = (unsigned char)(an->f0_hz[i] > 0.0f);
        const double half = 50.0;
        s->median_f0_hz = 0.0;
        if (nv && (r = vmc_weighted_percentiles(&s->median_f0_hz, an->f0_hz, w, keep, an->n_frames, &half, 1)))
            goto done;
    }
done:
    free(keep);
    free(w);
    return r;
}

/* A number as written ("07700 900 123", "+44 7700 900123"), its groups
 * joined by sep: "07700 - 900 - 123". */
static void group_text(char *out, size_t size, const char *text, const char *sep)
{
    size_t k = 0;
    const size_t ls = strlen(sep);
    for (const char *p = text; *p && k + ls + 1 < size; p++) {
        if (*p == ' ') {
            memcpy(out + k, sep, ls);
            k += ls;
        } else {
            out[k++] = *p;
        }
    }
    out[k] = 0;
}

/* Digits heard, in the groups a listener expects: 11 digits from 0 (UK)
 * 5-3-3, 10 (US) 3-3-4, 7 3-4, 8 4-4, else threes. */
static void group_digits(char *out, size_t size, const char *d, const char *sep)
{
    const size_t n = strlen(d);
    size_t g[8], ng = 0;
    if (n == 11 && d[0] == '0')
        g[0] = 5, g[1] = 3, g[2] = 3, ng = 3;
    else if (n == 10)
        g[0] = 3, g[1] = 3, g[2] = 4, ng = 3;
    else if (n == 7)
        g[0] = 3, g[1] = 4, ng = 2;
    else if (n == 8)
        g[0] = 4, g[1] = 4, ng = 2;
    else
        for (size_t left = n; left && ng < 8;) {
            const size_t take = left > 4 && ng < 7 ? 3 : left;
            g[ng++] = take;
            left -= take;
        }
    size_t k = 0, at = 0;
    const size_t ls = strlen(sep);
    for (size_t i = 0; i < ng && at < n; i++) {
        if (i && k + ls < size) memcpy(out + k, sep, ls), k += ls;
        for (size_t j = 0; j < g[i] && at < n && k + 1 < size; j++) out[k++] = d[at++];
    }
    out[k < size ? k : size - 1] = 0;
}

/* Digits d put in the places of the digits of the written number text
 * (same count): "07700 900 132" from "07700900132" and "07700 900 123". */
static void regroup(char *out, size_t size, const char *d, const char *text)
{
    size_t k = 0;
    for (const char *p = text; *p && k + 1 < size; p++) out[k++] = *p >= '0' && *p <= '9' && *d ? *d++ : *p;
    out[k] = 0;
}

static int add_flags(VmcheckReport *rep, const VmcAnalysis *an, const VmcheckConfig *cfg)
{
    size_t cap = 0;
    char a[32], b[32], c[32];
    int r = 0;
    /* what is wrong with the file comes before what is wrong with the message */
    if (an->promised_s > 0.0)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_TRUNCATED, 0.0, 0.0,
                          "the recording stops at %s s but its header promises %s s; record or copy it again",
                          vmc_num(a, rep->duration_s, 2), vmc_num(b, an->promised_s, 2));
    if (!rep->has_speech)
        return r | vmc_flag_add(rep, &cap, VMCHECK_FLAG_NO_SPEECH, 0.0, 0.0,
                                "nothing that sounds like speech; check the microphone and record again");
    for (size_t i = 0; i < rep->segment_count; i++) {
        const VmcheckSegment *s = &rep->segments[i];
        if (!s->too_fast) continue;
        if (s->kind == VMCHECK_SEGMENT_NUMBER) {
            /* show the caller's own number in groups: as the script wrote
             * it (the segment's, else the script's first), else as heard; with neither, an example that says so */
            char example[80];
            const char *written = s->text[0] ? s->text : an->script_number;
            if (written[0])
                group_text(example, sizeof(example), written, " - ");
            else if (s->heard[0])
                group_digits(example, sizeof(example), s->heard, " - ");
            else
                snprintf(example, sizeof(example), "for example 415 - 555 - 0132");
            r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_NUMBER_TOO_FAST, s->start_s, s->end_s,
                              "phone number at %s syllables/s (about %s digits a second); aim for %s or less: "
                              "pause between digit groups, %s",
                              vmc_num(a, s->syllables_per_s, 1),
                              vmc_num(b, s->digits ? s->digits_per_s : s->syllables_per_s / VMC_SYLLABLES_PER_DIGIT, 1),
                              vmc_num(c, cfg->max_number_rate, 1), example);
        } else
            r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_NAME_TOO_FAST, s->start_s, s->end_s,
                              "name at %s syllables/s; say it slower, %s or less, as if spelling it for someone",
                              vmc_num(a, s->syllables_per_s, 1), vmc_num(b, cfg->max_name_rate, 1));
    }
    if (an->script_mismatch)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_SCRIPT_MISMATCH, 0.0, 0.0,
                          "%s; practise from the script, or update it", an->script_why);
    /* the digits heard against the script's number: the segment's own when
     * the script placed it, else the script's first */
    for (size_t i = 0; i < rep->segment_count; i++) {
        const VmcheckSegment *s = &rep->segments[i];
        const char *text = s->text[0] ? s->text : an->script_number;
        if (s->kind != VMCHECK_SEGMENT_NUMBER || !text[0] || !s->heard[0]) continue;
        char want[48], said[80], written[80];
        size_t k = 0;
        for (const char *p = text; *p && k + 1 < sizeof(want); p++)
            if (*p >= '0' && *p <= '9') want[k++] = *p;
        want[k] = 0;
        if (!strcmp(want, s->heard)) continue;
        /* the heard digits in the script's groups when they are as many */
        if (strlen(s->heard) == k)
            regroup(said, sizeof(said), s->heard, text);
        else
            group_digits(said, sizeof(said), s->heard, " ");
        group_text(written, sizeof(written), text, " ");
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_NUMBER_MISMATCH, s->start_s, s->end_s,
                          "you said %s; your script says %s", said, written);
    }
    int has_number = 0;
    for (size_t i = 0; i < rep->segment_count; i++) has_number |= rep->segments[i].kind == VMCHECK_SEGMENT_NUMBER;
    if (!has_number)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_NUMBER_NOT_FOUND, 0.0, 0.0,
                          "no phone number found; leave one, slowly, in groups (or mark it with --number S-E)");
    const double span = rep->speech_end_s - rep->speech_start_s;
    if (span > cfg->long_message_s)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_LONG_MESSAGE, rep->speech_start_s, rep->speech_end_s,
                          "message lasts %s s; keep it under %s s: who you are, why you call, your number",
                          vmc_num(a, span, 1), vmc_num(b, cfg->long_message_s, 0));
    if (rep->speech_start_s > cfg->late_start_s)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_LATE_START, 0.0, rep->speech_start_s,
                          "speech starts %s s in; start speaking within %s s of the tone",
                          vmc_num(a, rep->speech_start_s, 1), vmc_num(b, cfg->late_start_s, 0));
    if (rep->speech_dbfs < cfg->low_level_dbfs)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_LOW_LEVEL, 0.0, 0.0,
                          "speech at %s dBFS is quiet; aim above %s dBFS: move closer to the microphone",
                          vmc_num(a, rep->speech_dbfs, 1), vmc_num(b, cfg->low_level_dbfs, 0));
    if (rep->clipped_ratio > cfg->clipping_ratio)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_CLIPPING, 0.0, 0.0,
                          "%s %% of samples are clipped; lower the input gain or move back a little",
                          vmc_num(a, 100.0 * rep->clipped_ratio, 2));
    /* pitch needs half a second of voicing to say anything */
    if (rep->voiced_frames >= 50 && rep->range_st < cfg->monotone_range_st)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_MONOTONE, 0.0, 0.0,
                          "pitch range only %s semitones; let the voice move: lift it for the name and the number",
                          vmc_num(a, rep->range_st, 1));
    if (isfinite(rep->lift_st) && rep->lift_st < cfg->min_lift_st)
        r |=
            vmc_flag_add(rep, &cap, VMCHECK_FLAG_NO_LIFT, 0.0, 0.0,
                         "pitch %s semitones from your ordinary voice; lift it slightly (%s-%s st) to sound warm",
                         vmc_num(a, rep->lift_st, 1), vmc_num(b, cfg->min_lift_st, 1), vmc_num(c, cfg->max_lift_st, 0));
    if (isfinite(rep->lift_st) && rep->lift_st > cfg->max_lift_st)
        r |=
            vmc_flag_add(rep, &cap, VMCHECK_FLAG_OVERDONE_LIFT, 0.0, 0.0,
                         "pitch %s semitones above your ordinary voice sounds strained; aim for %s-%s st",
                         vmc_num(a, rep->lift_st, 1), vmc_num(b, cfg->min_lift_st, 1), vmc_num(c, cfg->max_lift_st, 0));
    if (rep->snr_db < cfg->noisy_snr_db)
        r |= vmc_flag_add(rep, &cap, VMCHECK_FLAG_NOISY, 0.0, 0.0,
                          "speech is only %s dB above the background; record somewhere quieter",
                          vmc_num(a, rep->snr_db, 1));
    return r ? VMCHECK_ENOMEM : VMCHECK_OK;
}

/* The 0-100 score a trainer ranks a cohort by (documented in the README):
 * 100, less 25 for a rushed number, 20 for a rushed name, 15 when no number
 * was found, 8 for each other warning, and 1 for each 0.1 syllable/s the
 * overall rate lies outside 3.0-4.5 (at most 15); no speech scores 0. */
static void overall_score(VmcheckReport *rep)
{
    if (!rep->has_speech) {
        rep->score = 0.0;
        return;
    }
    double s = 100.0;
    for (size_t i = 0; i < rep->flag_count; i++) {
        switch (rep->flags[i].code) {
        case VMCHECK_FLAG_NUMBER_TOO_FAST: s -= 25.0; break;
        case VMCHECK_FLAG_NAME_TOO_FAST: s -= 20.0; break;
        case VMCHECK_FLAG_NUMBER_NOT_FOUND: s -= 15.0; break;
        default: s -= 8.0; break;
        }
    }
    double off = rep->syllables_per_s < 3.0   ? 3.0 - rep->syllables_per_s
                 : rep->syllables_per_s > 4.5 ? rep->syllables_per_s - 4.5
                                              : 0.0;
    s -= fmin(15.0, floor(off * 10.0 + 1e-9));
    rep->score = s < 0.0 ? 0.0 : s;
}

int vmc_score(VmcheckReport *rep, const VmcAnalysis *an, const VmcheckConfig *cfg)
{
    int r = summarise(rep, an, cfg);
    if (!r) r = rate(rep, an);
    if (!r) r = segments(rep, an, cfg);
    if (!r) r = pitch_stats(rep, an, cfg);
    if (!r) r = add_flags(rep, an, cfg);
    if (!r) overall_score(rep);
    return r;
}
