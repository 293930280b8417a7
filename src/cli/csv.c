/* CSV: one row per file, fixed header, RFC 4180 quoting. */
#include <math.h>
#include <string.h>

#include "cli/cli.h"
#include "common/fmt.h"

static void field(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
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

static void csv_begin(FILE *f, size_t n)
{
    (void)n;
    fputs("file,ok,error,duration_s,speech_start_s,speech_end_s,pause_count,pause_total_s,longest_pause_s,"
          "speech_dbfs,noise_floor_dbfs,snr_db,flags\r\n",
          f);
}

static void csv_file(FILE *f, const CliResult *res, size_t i, size_t n)
{
    (void)i, (void)n;
    field(f, res->path);
    const VmcheckReport *r = res->report;
    if (!r) {
        fputs(",false,", f);
        field(f, res->error);
        fputs(",,,,,,,,,,\r\n", f);
        return;
    }
    fputs(",true,,", f);
    number(f, r->duration_s, 3);
    fputc(',', f);
    number(f, r->has_speech ? r->speech_start_s : (double)NAN, 2);
    fputc(',', f);
    number(f, r->has_speech ? r->speech_end_s : (double)NAN, 2);
    fprintf(f, ",%zu,", r->pause_count);
    number(f, r->pause_total_s, 2);
    fputc(',', f);
    number(f, r->longest_pause_s, 2);
    fputc(',', f);
    number(f, r->speech_dbfs, 1);
    fputc(',', f);
    number(f, r->noise_floor_dbfs, 1);
    fputc(',', f);
    number(f, r->snr_db, 1);
    fputc(',', f);
    char flags[1024] = "";
    for (size_t k = 0; k < r->flag_count; k++) {
        if (k) strncat(flags, " ", sizeof(flags) - strlen(flags) - 1);
        strncat(flags, vmcheck_flag_name(r->flags[k].code), sizeof(flags) - strlen(flags) - 1);
    }
    field(f, flags);
    fputs("\r\n", f);
}

static void csv_end(FILE *f, size_t n) { (void)f, (void)n; }

const CliWriter cli_writer_csv = {csv_begin, csv_file, csv_end};
