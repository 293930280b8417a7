/* The human-readable report: the verdict first, then the figures with units. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cohort.h"
#include "common/fmt.h"

int cli_name_unchecked(const CliResult *res, const char **base, int *stem)
{
    const VmcheckReport *r = res->report;
    int has_name = 0;
    for (size_t k = 0; k < r->segment_count; k++)
        has_name |= vmcheck_report_segment(r, k)->kind == VMCHECK_SEGMENT_NAME;
    if (!r->has_speech || has_name || res->labels_used || res->script_used) return 0;
    *base = NULL;
    *stem = 0;
    if (!res->sidecars_read) return 1;
    const char *b = strrchr(res->path, '/');
    b = b ? b + 1 : res->path;
    const char *dot = strrchr(b, '.');
    *base = b;
    *stem = dot && dot != b ? (int)(dot - b) : (int)strlen(b);
    return 1;
}

size_t cli_count_errors(const VmcheckReport *r)
{
    size_t n = 0;
    for (size_t k = 0; k < r->flag_count; k++) n += vmcheck_report_flag(r, k)->severity == VMCHECK_SEVERITY_ERROR;
    return n;
}

/* A number; never inf or nan (a level of nothing is said in words by the
 * caller: this is the last resort). */
static const char *num(char b[32], double v, int d)
{
    if (!isfinite(v)) return "(not measured)";
    vmc_fmt_fixed(b, 32, v, d);
    return b;
}

/* "speech -21.7 dBFS, background -62.0 dBFS, SNR 40.3 dB": levels of
 * nothing (no speech, a digitally silent background) in words. */
static void loudness_line(FILE *f, const VmcheckReport *r)
{
    char a[32], b[32], c[32], d[32];
    fputs("  Loudness    ", f);
    if (isfinite(r->speech_dbfs))
        fprintf(f, "speech %s dBFS, ", num(a, r->speech_dbfs, 1));
    else
        fputs("no speech, ", f);
    if (isfinite(r->noise_floor_dbfs))
        fprintf(f, "background %s dBFS, ", num(b, r->noise_floor_dbfs, 1));
    else
        fputs("background digital silence (no sound at all), ", f);
    if (isfinite(r->speech_dbfs) && isfinite(r->snr_db))
        fprintf(f, "SNR %s dB, ", num(c, r->snr_db, 1));
    else if (isfinite(r->speech_dbfs))
        fputs("SNR not measurable (no background noise), ", f);
    fprintf(f, "clipped %s %%\n", num(d, 100.0 * r->clipped_ratio, 2));
}

/* For several files, a summary ranked by score closes the report. */
typedef struct Row {
    char *path;
    int ok;
    double score;
    unsigned flags; /* bit per VmcheckFlagCode */
} Row;
static Row *rows;
static size_t n_rows;

static void text_begin(FILE *f, size_t n)
{
    const CliCohort *c = cli_cohort;
    if (c && c->option_folders > 1) {
        const char *path = "";
        for (size_t k = 0; k < c->n_baselines; k++)
            if (c->baselines[k].from_option) path = c->baselines[k].path;
        fprintf(f,
                "warning: one baseline, --baseline %s, serves the takes of %zu trainee folders: each trainee's lift "
                "is measured against that one voice; put each trainee's ordinary voice in their folder as "
                "baseline.wav\n\n",
                path, c->option_folders);
    }
    n_rows = 0;
    rows = n > 1 ? calloc(n, sizeof(Row)) : NULL;
}

static void remember(const CliResult *res, size_t i)
{
    if (!rows) return;
    Row *row = &rows[i];
    row->path = strdup(res->path);
    row->ok = res->report != NULL;
    if (res->report) {
        row->score = res->report->score;
        for (size_t k = 0; k < res->report->flag_count; k++)
            row->flags |= 1u << vmcheck_report_flag(res->report, k)->code;
    }
    if (i + 1 > n_rows) n_rows = i + 1;
}

static int by_score(const void *a, const void *b)
{
    const Row *x = a, *y = b;
    if (x->ok != y->ok) return y->ok - x->ok;
    return (x->score < y->score) - (x->score > y->score);
}

static void text_file(FILE *f, const CliResult *res, size_t i, size_t n)
{
    char a[32], b[32], c[32], d[32], e[32];
    remember(res, i);
    if (i) fputc('\n', f);
    if (!res->report) {
        fprintf(f, "%s: could not be analysed: %s\n", res->path, res->error);
        return;
    }
    const VmcheckReport *r = res->report;
    const size_t errors = cli_count_errors(r), warnings = r->flag_count - errors;
    if (!errors && !warnings)
        fprintf(f, "%s: good - nothing to fix\n", res->path);
    else
        fprintf(f, "%s: %zu to fix, %zu to consider\n", res->path, errors, warnings);
    for (int sev = VMCHECK_SEVERITY_ERROR; sev >= VMCHECK_SEVERITY_WARNING; sev--)
        for (size_t k = 0; k < r->flag_count; k++) {
            const VmcheckFlag *g = vmcheck_report_flag(r, k);
            if ((int)g->severity != sev) continue;
            fprintf(f, "  %s %s", sev == VMCHECK_SEVERITY_ERROR ? "FIX " : "note", g->message);
            if (g->end_s > g->start_s) fprintf(f, " (%s-%s s)", num(a, g->start_s, 1), num(b, g->end_s, 1));
            fputc('\n', f);
        }
    for (size_t k = 0; k < r->segment_count; k++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, k);
        fprintf(f, "  %-11s %s-%s s: %s syllables/s, %s", s->kind == VMCHECK_SEGMENT_NAME ? "Name" : "Number",
                num(a, s->start_s, 2), num(b, s->end_s, 2), num(c, s->syllables_per_s, 1),
                s->too_fast ? "TOO FAST" : "ok");
        if (s->kind == VMCHECK_SEGMENT_NUMBER) {
            if (s->digits) fprintf(f, ", %zu digits (%s a second)", s->digits, num(d, s->digits_per_s, 1));
            fprintf(f, ", %zu digit group%s", s->groups, s->groups == 1 ? "" : "s");
            if (s->heard[0]) fprintf(f, ", heard %s", s->heard);
        }
        if (s->source != VMCHECK_SOURCE_LABELS)
            fprintf(f, " (%s)", s->source == VMCHECK_SOURCE_SCRIPT ? "from the script" : "found in the audio");
        fputc('\n', f);
    }
    if (res->labels_used)
        fprintf(f, "  (segments from %s)\n", res->labels_used);
    else if (res->script_used)
        fprintf(f, "  (segments aligned to the script %s)\n", res->script_used);
    const char *base;
    int stem;
    if (cli_name_unchecked(res, &base, &stem)) { /* say what was not checked, and how to have it checked */
        if (base)
            fprintf(f, "  Name        not checked - put your prepared text in %.*s.txt beside %s (or use --script)\n",
                    stem, base, base);
        else
            fputs("  Name        not checked - give your prepared text with --script\n", f);
    }
    if (!r->has_speech) {
        fprintf(f, "  Length      %s s, no speech found\n", num(a, r->duration_s, 2));
    } else {
        fprintf(f, "  Length      %s s of audio; speech %s-%s s (%s s), of which %s s phonation\n",
                num(a, r->duration_s, 2), num(b, r->speech_start_s, 2), num(c, r->speech_end_s, 2),
                num(d, r->speech_end_s - r->speech_start_s, 1), num(e, r->phonation_s, 1));
        fprintf(f, "  Pauses      %zu, %s s in all, longest %s s\n", r->pause_count, num(a, r->pause_total_s, 2),
                num(b, r->longest_pause_s, 2));
    }
    if (r->has_speech) {
        fprintf(f,
                "  Rate        %s syllables/s, about %s words a minute (conversation: 3.5-5.5 syllables/s); "
                "%s without the pauses\n",
                num(a, r->syllables_per_s, 1), num(b, r->wpm_est, 0), num(c, r->articulation_rate, 1));
        if (r->voiced_frames)
            fprintf(f, "  Pitch       median %s Hz, range %s semitones (%s-%s Hz), voiced %s %% of speech\n",
                    num(a, r->f0_median_hz, 0), num(b, r->range_st, 1), num(c, r->f0_p10_hz, 0),
                    num(d, r->f0_p90_hz, 0), num(e, 100.0 * r->voiced_ratio, 0));
        if (isfinite(r->lift_st))
            fprintf(f, "  Lift        %s%s semitones against your ordinary voice (aim: +0.5 to +6)\n",
                    r->lift_st >= 0 ? "+" : "", num(a, r->lift_st, 1));
        if (res->baseline_used)
            fprintf(f, "  Baseline    %s, median %s Hz%s\n", res->baseline_used, num(b, res->baseline_f0_hz, 0),
                    isfinite(r->lift_st) ? "" : " (no voiced speech in this take to compare)");
        else if (r->voiced_frames && !isfinite(r->lift_st))
            fprintf(f, "  Lift        not measured: record your ordinary voice as baseline.wav in this folder (or "
                       "give it with --baseline FILE)\n");
    }
    loudness_line(f, r);
    fprintf(f, "  Audio       %s, %u Hz, %u channel%s\n", r->format[0] ? r->format : "samples", r->sample_rate_hz,
            r->channels, r->channels == 1 ? "" : "s");
    (void)n;
}

/* "6.1 TOO FAST", "3.2 ok", "-" */
static const char *rate_cell(char b[48], double v, int fast)
{
    char x[32];
    if (!isfinite(v)) return "-";
    snprintf(b, 48, "%s %s", num(x, v, 1), fast ? "TOO FAST" : "ok");
    return b;
}

static const char *signed_num(char b[40], double v, int d)
{
    char x[32];
    if (!isfinite(v)) return "-";
    snprintf(b, 40, "%s%s", v >= 0 ? "+" : "", num(x, v, d));
    return b;
}

static void progress_section(FILE *f, const CliCohort *c)
{
    fprintf(f, "\nProgress by trainee (each folder's takes in time order)\n");
    for (size_t k = 0; k < c->n_trainees; k++) {
        const CliTrainee *tr = &c->trainees[k];
        const char *order = tr->by_name == tr->n_takes    ? "in the order of the dates in their file names"
                            : tr->by_mtime == tr->n_takes ? "in the order they were modified (no date in their names)"
                                                          : "by the date in the file name, else when modified";
        fprintf(f, "\n%s: %zu take%s, %s\n", tr->folder, tr->n_takes, tr->n_takes == 1 ? "" : "s", order);
        long base = -2;
        for (size_t j = 0; j < tr->n_takes; j++) {
            long b = c->takes[tr->order[j]].baseline;
            base = base == -2 ? b : base == b ? b : -3;
        }
        char a[48], b[48], d[40], e[32];
        if (base >= 0 && c->baselines[base].state == 2 && !c->baselines[base].failed)
            fprintf(f, "  baseline %s, median %s Hz\n", c->baselines[base].path, num(a, c->baselines[base].f0_hz, 0));
        else if (base >= 0)
            fprintf(f, "  baseline %s could not be analysed\n", c->baselines[base].path);
        else if (base == -1)
            fprintf(f, "  no baseline: lift not measured (put the trainee's ordinary voice here as baseline.wav)\n");
        else
            fprintf(f, "  baselines differ from take to take\n");
        fprintf(f, "  take  %-16s  %-14s  %-14s  %8s  %5s  file\n", "date", "number, syl/s", "name, syl/s", "lift, st",
                "score");
        for (size_t j = 0; j < tr->n_takes; j++) {
            const CliTake *t = &c->takes[tr->order[j]];
            char date[24];
            cli_take_date(date, sizeof(date), t);
            const char *file = c->paths[tr->order[j]];
            if (!t->ok) {
                fprintf(f, "  %4zu  %-16s  could not be analysed  %s\n", t->take, date, file);
                continue;
            }
            fprintf(f, "  %4zu  %-16s  %-14s  %-14s  %8s  %5s  %s%s\n", t->take, date,
                    rate_cell(a, t->number_rate, t->number_fast), rate_cell(b, t->name_rate, t->name_fast),
                    signed_num(d, t->lift_st, 1), num(e, t->score, 0), file,
                    t->time_from == CLI_TIME_MTIME ? " (modified)" : "");
        }
        char change[400];
        cli_cohort_change(change, sizeof(change), c, k);
        fprintf(f, "  change: %s\n", change);
    }
}

static void text_end(FILE *f, size_t n)
{
    (void)n;
    if (cli_cohort && cli_cohort->progress) progress_section(f, cli_cohort);
    if (!rows) return;
    qsort(rows, n_rows, sizeof(Row), by_score);
    fprintf(f, "\nSummary of %zu files, best first\n  score  file\n", n_rows);
    size_t failed = 0, counts[VMCHECK_FLAG_COUNT_] = {0};
    for (size_t i = 0; i < n_rows; i++) {
        if (!rows[i].path) continue;
        if (rows[i].ok) {
            char sc[32];
            fprintf(f, "  %5s  %s\n", num(sc, rows[i].score, 0), rows[i].path);
            for (int k = 0; k < VMCHECK_FLAG_COUNT_; k++) counts[k] += (rows[i].flags >> k) & 1u;
        } else {
            fprintf(f, "      -  %s (could not be analysed)\n", rows[i].path);
            failed++;
        }
        free(rows[i].path);
    }
    fprintf(f, "Flags across the cohort:");
    int any = 0;
    for (int k = 0; k < VMCHECK_FLAG_COUNT_; k++)
        if (counts[k]) {
            fprintf(f, "%s %s %zu", any ? "," : "", vmcheck_flag_name((enum VmcheckFlagCode)k), counts[k]);
            any = 1;
        }
    fprintf(f, "%s%s\n", any ? "" : " none", failed ? "" : "");
    if (failed) fprintf(f, "%zu file%s could not be analysed\n", failed, failed == 1 ? "" : "s");
    free(rows);
    rows = NULL;
}

const CliWriter cli_writer_text = {text_begin, text_file, text_end};
