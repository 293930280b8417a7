/* vmcheck command line: shared types of the option parser, the batch
 * runner and the report writers. */
#ifndef VMCHECK_CLI_H
#define VMCHECK_CLI_H

#include <stdio.h>

#include "vmcheck/vmcheck.h"

enum CliFormat { CLI_TEXT, CLI_JSON, CLI_JSONL, CLI_CSV };
/* --html-audio; DEFAULT: embed for one message, link for a cohort */
enum CliHtmlAudio { CLI_HTML_AUDIO_DEFAULT, CLI_HTML_AUDIO_EMBED, CLI_HTML_AUDIO_LINK, CLI_HTML_AUDIO_NONE };

typedef struct CliOptions {
    VmcheckConfig cfg;
    enum CliFormat format;
    const char *labels_path;
    VmcheckSegmentSpec *segs; /* --name / --number (+ --labels) */
    size_t n_segs;
    const char *script_path;
    const char *baseline_path;
    const char *export_labels;
    const char *out_path;
    unsigned jobs;
    int quiet;
    int no_sidecar;            /* do not pick up NAME.labels.txt / NAME.txt */
    int follow_symlinks;       /* walk into symlinked directories (each directory still once) */
    char **inputs;             /* expanded file list; "-" is standard input */
    const char **input_errors; /* per input: why it cannot be analysed (a folder), or NULL */
    size_t n_inputs;
    int any_dir;                  /* an input was a directory */
    const char *name_as;          /* --name-as: the name the report gives the (one) input */
    const char *html_path;        /* --html FILE */
    enum CliHtmlAudio html_audio; /* --html-audio */
    int json_tracks;              /* --tracks: per-frame tracks in JSON (--html keeps them for itself) */
    int progress;                 /* --progress: a trainee's takes in time order */
    int verbose;                  /* --verbose: say on stderr when each baseline is analysed */
} CliOptions;

/* One analysed file, as the writers see it. */
typedef struct CliResult {
    const char *path;
    int status;              /* VMCHECK_OK or the error */
    char error[512];         /* one line: why it could not be analysed */
    VmcheckReport *report;   /* NULL on error */
    const char *labels_used; /* label file picked up beside the audio, or NULL */
    const char *script_used;
    int sidecars_read;         /* a NAME.txt beside the input would have been read (a file, sidecars on) */
    const char *baseline_used; /* the baseline the lift is measured against, or NULL */
    double baseline_f0_hz;     /* its median F0 */
    const char *trainee;       /* progress across takes: the trainee's folder, else NULL */
    size_t take;               /* the take's place among the trainee's (1-based) */
    char take_date[24];        /* "2026-03-02" or "2026-03-02 14:30" */
    int take_date_from_name;   /* the date came from the file name (else its modification time) */
} CliResult;

/* A report writer: a small struct of function pointers (STYLE L4). */
typedef struct CliWriter {
    void (*begin)(FILE *f, size_t n_files);
    void (*file)(FILE *f, const CliResult *r, size_t index, size_t n_files);
    void (*end)(FILE *f, size_t n_files);
} CliWriter;

extern const CliWriter cli_writer_text, cli_writer_json, cli_writer_jsonl, cli_writer_csv;

/* Parse argv into o.  Returns 0, or 2 after printing a usage error; -1 when
 * --help or --version has been handled (exit 0). */
int cli_parse(CliOptions *o, int argc, char **argv);
void cli_options_free(CliOptions *o);

/* Read a whole small text file (labels, script); NUL-terminated.  Opened
 * once, judged on what was opened; never waits for a FIFO's writer.
 * Returns NULL and fills why on failure. */
char *cli_slurp(const char *path, size_t *len, char *why, size_t why_size);
/* The same for a file that may be absent or not a regular file (a sidecar):
 * NULL with *absent set when there is no regular file to read. */
char *cli_slurp_regular(const char *path, size_t *len, int *absent, char *why, size_t why_size);

/* Expand files and directories (recursively, sorted) into o->inputs. */
int cli_expand_inputs(CliOptions *o, char **paths, size_t n);

/* The report's flags of severity error (things to fix); the rest are warnings. */
size_t cli_count_errors(const VmcheckReport *r);

/* Whether the report leaves the name unchecked (speech, but no name
 * segment, labels or script): then 1, with *base the input's file name and
 * *stem the length of its name without the extension (where its script,
 * STEM.txt, would go), or *base NULL when no file beside it is read
 * (standard input, --no-sidecar): only --script would do. */
int cli_name_unchecked(const CliResult *res, const char **base, int *stem);

/* JSON helpers shared by the JSON and JSONL writers. */
void cli_json_string(FILE *f, const char *s);
void cli_json_number(FILE *f, double v, int decimals);
void cli_json_report(FILE *f, const CliResult *r, int pretty);
/* Whether JSON shows the per-frame tracks a report holds (set once, before any output). */
extern int cli_json_tracks;

#endif
