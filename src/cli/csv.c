/* CSV: one row per file, fixed header, RFC 4180 quoting, text cells safe
 * from formula injection. */
#include <math.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cohort.h"
#include "common/fmt.h"

/* A text cell (file name, error, flags).  One that a spreadsheet would
 * take for a formula (a leading =, +, -, @, tab or carriage return: CSV
 * injection, as OWASP describes it) gets a leading ' so it stays text.
 * Numeric cells are written by number(): a negative number stays a number. */
static void field(FILE *f, const char *s)
{
    const int formula = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    if (!formula && !s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula) fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void number(FILE *f, double v, int d)
{
    if (!isfinite(v)) return; /* empty cell */
    char b[64];
    vmc_fmt_fixed(b, sizeof(b), v, d);
    fputs(b, f);
}

/* The fastest occurrence of a kind of segment: its rate and verdict. */
static const VmcheckSegment *fastest(const VmcheckReport *r, enum VmcheckSegmentKind kind)
{
    const VmcheckSegment *best = NULL;
    for (size_t i = 0; i < r->segment_count; i++)
        if (vmcheck_report_segment(r, i)->kind == kind &&
            (!best || vmcheck_report_segment(r, i)->syllables_per_s > best->syllables_per_s))
            best = vmcheck_report_segment(r, i);
    return best;
}

static void csv_begin(FILE *f, size_t n)
{
    (void)n;
    fputs("file,ok,error,duration_s,syllables_per_s,articulation_rate,wpm_est,pause_count,longest_pause_s,"
          "pitch_median_hz,range_st,lift_st,name_rate,name_verdict,number_rate,number_verdict,flags,score",
          f);
    /* progress across takes: two more columns, at the end so the others keep their places */
    fputs(cli_cohort && cli_cohort->progress ? ",trainee,take\r\n" : "\r\n", f);
}

/* ",trainee,take" when the run reports progress, then the line's end. */
static void row_end(FILE *f, const CliResult *res)
{
    if (cli_cohort && cli_cohort->progress) {
        fputc(',', f);
        if (res->trainee) {
            field(f, res->trainee);
            fprintf(f, ",%zu", res->take);
        } else {
            fputc(',', f);
        }
    }
    fputs("\r\n", f);
}

static void csv_file(FILE *f, const CliResult *res, size_t i, size_t n)
{
    (void)i, (void)n;
    field(f, res->path);
    const VmcheckReport *r = res->report;
    if (!r) {
        fputs(",false,", f);
        field(f, res->error);
        fputs(",,,,,,,,,,,,,,,", f);
        row_end(f, res);
        return;
    }
    fputs(",true,,", f);
    number(f, r->duration_s, 3);
    fputc(',', f);
    number(f, r->has_speech ? r->syllables_per_s : (double)NAN, 2);
    fputc(',', f);
    number(f, r->has_speech ? r->articulation_rate : (double)NAN, 2);
    fputc(',', f);
    number(f, r->has_speech ? r->wpm_est : (double)NAN, 0);
    fprintf(f, ",%zu,", r->pause_count);
    number(f, r->longest_pause_s, 2);
    fputc(',', f);
    number(f, r->voiced_frames ? r->f0_median_hz : (double)NAN, 1);
    fputc(',', f);
    number(f, r->voiced_frames ? r->range_st : (double)NAN, 1);
    fputc(',', f);
    number(f, r->lift_st, 2);
    const VmcheckSegment *sn = fastest(r, VMCHECK_SEGMENT_NAME), *sm = fastest(r, VMCHECK_SEGMENT_NUMBER);
    fputc(',', f);
    number(f, sn ? sn->syllables_per_s : (double)NAN, 2);
    fputs(sn ? (sn->too_fast ? ",too_fast," : ",ok,") : ",,", f);
    number(f, sm ? sm->syllables_per_s : (double)NAN, 2);
    fputs(sm ? (sm->too_fast ? ",too_fast," : ",ok,") : ",,", f);
    char flags[1024] = "";
    for (size_t k = 0; k < r->flag_count; k++) {
        if (k) strncat(flags, " ", sizeof(flags) - strlen(flags) - 1);
        strncat(flags, vmcheck_flag_name(vmcheck_report_flag(r, k)->code), sizeof(flags) - strlen(flags) - 1);
    }
    field(f, flags);
    fputc(',', f);
    number(f, r->score, 0);
    row_end(f, res);
}

static void csv_end(FILE *f, size_t n) { (void)f, (void)n; }

const CliWriter cli_writer_csv = {csv_begin, csv_file, csv_end};
