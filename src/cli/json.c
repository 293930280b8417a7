/* JSON and JSONL writers.  Numbers go through vmc_fmt_fixed (no locale);
 * non-finite numbers are null. */
#include <math.h>
#include <string.h>

#include "cli/cli.h"
#include "common/fmt.h"

int cli_json_tracks = 1;

void cli_json_number(FILE *f, double v, int decimals)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char b[64];
    vmc_fmt_fixed(b, sizeof(b), v, decimals); /* never "-0": what rounds to zero has no sign */
    fputs(b, f);
}

/* Length of a valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80) return 1;
    size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || (n == 2 && s[0] < 0xC2)) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return n;
}

void cli_json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', f);
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            s++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            case '\t': fputs("\\t", f); break;
            default: fprintf(f, "\\u%04x", c);
            }
            s++;
        } else if (c < 0x80) {
            fputc(c, f);
            s++;
        } else {
            size_t n = utf8_len(s);
            if (n) {
                fwrite(s, 1, n, f);
                s += n;
            } else {
                fputs("\\ufffd", f); /* not UTF-8: keep the JSON valid */
                s++;
            }
        }
    }
    fputc('"', f);
}

static const char *kind_name(enum VmcheckSegmentKind k) { return k == VMCHECK_SEGMENT_NAME ? "name" : "number"; }
static const char *source_name(enum VmcheckSegmentSource s)
{
    return s == VMCHECK_SOURCE_LABELS ? "labels" : s == VMCHECK_SOURCE_SCRIPT ? "script" : "auto";
}

/* A key (with whatever punctuation precedes it) and its number. */
static void key_number(FILE *f, const char *key, double v, int decimals)
{
    fputs(key, f);
    cli_json_number(f, v, decimals);
}

#define KEY(k) fputs("\"" k "\": ", f)

/* [{"start_s": .., "end_s": ..}, ...] */
static void spans(FILE *f, const VmcheckPause *p, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", {\"start_s\": " : "{\"start_s\": ", f);
        cli_json_number(f, p[i].start_s, 2);
        key_number(f, ", \"end_s\": ", p[i].end_s, 2);
        fputc('}', f);
    }
    fputc(']', f);
}

static void track(FILE *f, const float *v, size_t n, int decimals)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i) fputs(", ", f);
        cli_json_number(f, v[i], decimals);
    }
    fputc(']', f);
}

void cli_json_report(FILE *f, const CliResult *res, int pretty)
{
    const char *nl = pretty ? "\n  " : " ";
    fputc('{', f);
    fputs(pretty ? "\n  " : "", f);
    KEY("file");
    cli_json_string(f, res->path);
    fputs(", ", f);
    if (res->trainee) {
        /* progress across takes: whose take, and which */
        KEY("trainee");
        cli_json_string(f, res->trainee);
        fprintf(f, ", \"take_index\": %zu, \"take_date\": ", res->take);
        cli_json_string(f, res->take_date);
        fputs(", \"take_date_from\": ", f);
        cli_json_string(f, res->take_date_from_name ? "file name" : "modification time");
        fputs(", ", f);
    }
    KEY("ok");
    if (!res->report) {
        fputs("false, ", f);
        KEY("error");
        cli_json_string(f, res->error);
        fputs(pretty ? "\n}" : "}", f);
        return;
    }
    const VmcheckReport *r = res->report;
    key_number(f, "true, \"score\": ", r->score, 0);
    fputc(',', f);
    fputs(nl, f);
    KEY("audio");
    key_number(f, "{\"duration_s\": ", r->duration_s, 3);
    fprintf(f, ", \"sample_rate\": %u, \"channels\": %u, \"format\": ", r->sample_rate_hz, r->channels);
    cli_json_string(f, r->format);
    fputs("},", f);
    fputs(nl, f);
    KEY("speech");
    key_number(f, "{\"start_s\": ", r->has_speech ? r->speech_start_s : (double)NAN, 2);
    key_number(f, ", \"end_s\": ", r->has_speech ? r->speech_end_s : (double)NAN, 2);
    key_number(f, ", \"phonation_s\": ", r->phonation_s, 2);
    fprintf(f, ", \"pause_count\": %zu, \"pause_total_s\": ", r->pause_count);
    cli_json_number(f, r->pause_total_s, 2);
    key_number(f, ", \"longest_pause_s\": ", r->longest_pause_s, 2);
    fputs("},", f);
    fputs(nl, f);
    KEY("pauses");
    spans(f, r->pauses, r->pause_count);
    fputc(',', f);
    fputs(nl, f);
    KEY("rate");
    fprintf(f, "{\"syllables\": %zu, \"syllables_per_s\": ", r->syllable_count);
    cli_json_number(f, r->syllables_per_s, 2);
    key_number(f, ", \"articulation_rate\": ", r->articulation_rate, 2);
    key_number(f, ", \"wpm_est\": ", r->wpm_est, 0);
    fputs("},", f);
    fputs(nl, f);
    KEY("syllables");
    fputc('[', f);
    for (size_t i = 0; i < r->syllable_count; i++) {
        key_number(f, i ? ", " : "", r->syllables_s[i], 2);
    }
    fputs("],", f);
    fputs(nl, f);
    KEY("pitch");
    key_number(f, "{\"median_hz\": ", r->voiced_frames ? r->f0_median_hz : (double)NAN, 1);
    key_number(f, ", \"p10_hz\": ", r->voiced_frames ? r->f0_p10_hz : (double)NAN, 1);
    key_number(f, ", \"p90_hz\": ", r->voiced_frames ? r->f0_p90_hz : (double)NAN, 1);
    key_number(f, ", \"range_st\": ", r->voiced_frames ? r->range_st : (double)NAN, 1);
    key_number(f, ", \"voiced_ratio\": ", r->voiced_ratio, 2);
    key_number(f, ", \"lift_st\": ", r->lift_st, 2);
    fputs(", \"baseline\": ", f);
    if (res->baseline_used) {
        fputs("{\"path\": ", f);
        cli_json_string(f, res->baseline_used);
        key_number(f, ", \"median_hz\": ", res->baseline_f0_hz, 1);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs("},", f);
    fputs(nl, f);
    KEY("loudness");
    key_number(f, "{\"speech_dbfs\": ", r->speech_dbfs, 1);
    key_number(f, ", \"noise_floor_dbfs\": ", r->noise_floor_dbfs, 1);
    key_number(f, ", \"snr_db\": ", r->snr_db, 1);
    key_number(f, ", \"clipped_ratio\": ", r->clipped_ratio, 6);
    fputs("},", f);
    fputs(nl, f);
    KEY("segments");
    fputc('[', f);
    for (size_t i = 0; i < r->segment_count; i++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, i);
        fputs(i ? ", {\"kind\": " : "{\"kind\": ", f);
        cli_json_string(f, kind_name(s->kind));
        key_number(f, ", \"start_s\": ", s->start_s, 2);
        key_number(f, ", \"end_s\": ", s->end_s, 2);
        fputs(", \"source\": ", f);
        cli_json_string(f, source_name(s->source));
        fprintf(f, ", \"syllables\": %zu, \"syllables_per_s\": ", s->syllables);
        cli_json_number(f, s->syllables_per_s, 2);
        fputs(", \"verdict\": ", f);
        cli_json_string(f, s->too_fast ? "too_fast" : "ok");
        key_number(f, ", \"median_f0_hz\": ", s->median_f0_hz > 0.0 ? s->median_f0_hz : (double)NAN, 1);
        if (s->kind == VMCHECK_SEGMENT_NUMBER) {
            if (s->text[0]) {
                fputs(", \"text\": ", f);
                cli_json_string(f, s->text);
            }
            fprintf(f, ", \"digits\": %zu", s->digits);
            key_number(f, ", \"digits_per_s\": ", s->digits_per_s, 2);
            if (s->heard[0]) {
                fputs(", \"heard\": ", f);
                cli_json_string(f, s->heard);
            }
            fprintf(f, ", \"groups\": %zu, \"group_gaps\": ", s->groups);
            spans(f, s->gaps, s->gap_count);
        }
        fputc('}', f);
    }
    fputs("],", f);
    fputs(nl, f);
    KEY("flags");
    fputc('[', f);
    for (size_t i = 0; i < r->flag_count; i++) {
        const VmcheckFlag *g = vmcheck_report_flag(r, i);
        fputs(i ? ", {\"code\": " : "{\"code\": ", f);
        cli_json_string(f, vmcheck_flag_name(g->code));
        fputs(", \"severity\": ", f);
        cli_json_string(f, g->severity == VMCHECK_SEVERITY_ERROR ? "error" : "warning");
        key_number(f, ", \"start_s\": ", g->start_s, 2);
        key_number(f, ", \"end_s\": ", g->end_s, 2);
        fputs(", \"message\": ", f);
        cli_json_string(f, g->message);
        fputc('}', f);
    }
    fputc(']', f);
    if (r->energy_db && cli_json_tracks) {
        fputc(',', f);
        fputs(nl, f);
        KEY("tracks");
        key_number(f, "{\"hop_s\": ", r->hop_s, 2);
        fputs(", \"energy_db\": ", f);
        track(f, r->energy_db, r->frame_count, 1);
        if (r->band_db) {
            fputs(", \"band_db\": ", f);
            track(f, r->band_db, r->frame_count, 1);
        }
        if (r->f0_hz) {
            fputs(", \"f0_hz\": ", f);
            track(f, r->f0_hz, r->frame_count, 1);
        }
        fputc('}', f);
    }
    fputs(pretty ? "\n}" : "}", f);
}

static void json_begin(FILE *f, size_t n)
{
    if (n != 1) fputs("[\n", f);
}
static void json_file(FILE *f, const CliResult *r, size_t i, size_t n)
{
    if (n != 1 && i) fputs(",\n", f);
    cli_json_report(f, r, 1);
}
static void json_end(FILE *f, size_t n) { fputs(n != 1 ? "\n]\n" : "\n", f); }

static void jsonl_begin(FILE *f, size_t n) { (void)f, (void)n; }
static void jsonl_file(FILE *f, const CliResult *r, size_t i, size_t n)
{
    (void)i, (void)n;
    cli_json_report(f, r, 0);
    fputc('\n', f);
}
static void jsonl_end(FILE *f, size_t n) { (void)f, (void)n; }

const CliWriter cli_writer_json = {json_begin, json_file, json_end};
const CliWriter cli_writer_jsonl = {jsonl_begin, jsonl_file, jsonl_end};
