/* vmcheck: the command-line front end of libvmcheck. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/cohort.h"
#include "cli/export.h"
#include "cli/html.h"
#include "cli/outfile.h"

typedef struct Run {
    const CliOptions *o;
    const CliWriter *w;
    FILE *out;
    FILE *export_f; /* --export-labels, being written */
    int exported;   /* the labels of the (one) input are in it */
    CliHtml *html;  /* --html, being gathered */
    int html_oom;
    int any_failed, any_error_flag;
    int progress; /* stderr is a terminal and there are several files */
    struct timespec t0;
    CliCohort *cohort;
} Run;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* "12/200 files, 0:04 elapsed, about 1:02 left" on one rewritten line. */
static void progress(const Run *run, size_t done)
{
    double el = since(&run->t0), left = done ? el / (double)done * (double)(run->o->n_inputs - done) : 0.0;
    fprintf(stderr, "\r%zu/%zu files, %d:%02d elapsed, about %d:%02d left   ", done, run->o->n_inputs, (int)el / 60,
            (int)el % 60, (int)left / 60, (int)left % 60);
    if (done == run->o->n_inputs) fputs("\r\033[K", stderr);
    fflush(stderr);
}

static void sink(void *ctx, CliResult *r, size_t index)
{
    Run *run = ctx;
    if (r->status) {
        run->any_failed = 1;
        if (run->progress) fputs("\r\033[K", stderr);
        fprintf(stderr, "vmcheck: %s: %s\n", r->path, r->error);
    } else {
        if (cli_count_errors(r->report)) run->any_error_flag = 1;
        if (run->export_f) {
            cli_export_labels(run->export_f, r->report);
            run->exported = 1;
        }
    }
    cli_cohort_record(run->cohort, index, r);
    if (run->html && cli_html_add(run->html, r, index)) run->html_oom = 1;
    if (run->out && !(run->w == &cli_writer_text && r->status && run->o->n_inputs == 1))
        run->w->file(run->out, r, index, run->o->n_inputs);
    if (run->progress) progress(run, index + 1);
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* path is the regular file standard input reads (vmcheck - < FILE) */
static int is_stdin_file(const char *path)
{
    struct stat sa, sb;
    return fstat(STDIN_FILENO, &sa) == 0 && S_ISREG(sa.st_mode) && stat(path, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* out is NAME.labels.txt or NAME.txt beside audio NAME.ext (existing or not). */
static int is_sidecar_of(const char *out, const char *audio)
{
    const char *slash = strrchr(audio, '/'), *dot = strrchr(audio, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - audio) : strlen(audio);
    static const char *const suffix[2] = {".labels.txt", ".txt"};
    for (int k = 0; k < 2; k++) {
        char p[4096];
        if (stem + strlen(suffix[k]) + 1 > sizeof(p)) continue;
        memcpy(p, audio, stem);
        strcpy(p + stem, suffix[k]);
        if (!strcmp(p, out) || same_file(p, out)) return 1;
    }
    return 0;
}

/* path names a file the run reads: an input, the label or script file
 * beside one (unless --no-sidecar), a baseline found beside one, or the
 * --labels, --script or --baseline file.  Compared by device and inode, so a symlink or a hard link to an
 * input is caught, and by name for files that need not exist yet. */
static int names_an_input(const CliOptions *o, const CliCohort *c, const char *path)
{
    const char *named[3] = {o->labels_path, o->script_path, o->baseline_path};
    for (int k = 0; k < 3; k++)
        if (named[k] && (!strcmp(path, named[k]) || same_file(path, named[k]))) return 1;
    for (size_t k = 0; k < c->n_baselines; k++) /* the baselines found beside the takes */
        if (!strcmp(path, c->baselines[k].path) || same_file(path, c->baselines[k].path)) return 1;
    for (size_t i = 0; i < o->n_inputs; i++) {
        if (!strcmp(o->inputs[i], "-")) {
            if (is_stdin_file(path)) return 1;
            continue;
        }
        if (!strcmp(path, o->inputs[i]) || same_file(path, o->inputs[i])) return 1;
        if (!o->no_sidecar && is_sidecar_of(path, o->inputs[i])) return 1;
    }
    return 0;
}

/* Options that name a file (labels, script) are read before any
 * audio; if one is bad, every input gets an ok:false record naming it. */
static int load_globals(CliOptions *o, char **script, char **labels_text, VmcheckSegmentSpec **segs, size_t *n_segs,
                        char *err, size_t err_size)
{
    char why[512];
    *n_segs = o->n_segs;
    if (o->export_labels && o->n_inputs != 1) {
        snprintf(err, err_size, "--export-labels takes exactly one input file");
        return -1;
    }
    if (o->labels_path) {
        size_t len, bad = 0, n = 0;
        VmcheckSegmentSpec *v = NULL;
        *labels_text = cli_slurp(o->labels_path, &len, why, sizeof(why));
        if (!*labels_text) {
            snprintf(err, err_size, "%s: %s", o->labels_path, why);
            return -1;
        }
        if (vmcheck_labels_parse(&v, &n, &bad, *labels_text, len)) {
            snprintf(err, err_size, "%s: line %zu: not a label line (start<TAB>end<TAB>label, seconds)", o->labels_path,
                     bad);
            return -1;
        }
        *segs = calloc(n + o->n_segs + 1, sizeof(**segs));
        if (!*segs) {
            vmcheck_labels_free(&v);
            snprintf(err, err_size, "out of memory");
            return -1;
        }
        if (n) memcpy(*segs, v, n * sizeof(**segs));
        vmcheck_labels_free(&v);
        if (o->n_segs) memcpy(*segs + n, o->segs, o->n_segs * sizeof(**segs));
        *n_segs = n + o->n_segs;
    }
    if (o->script_path) {
        size_t len;
        *script = cli_slurp(o->script_path, &len, why, sizeof(why));
        if (!*script) {
            snprintf(err, err_size, "%s: %s", o->script_path, why);
            return -1;
        }
        if (strlen(*script) != len) {
            snprintf(err, err_size, "%s: contains NUL bytes: not a text file", o->script_path);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* strerror() and friends in the user's language; numbers never go
     * through the locale (see common/fmt.h), so this is safe. */
    setlocale(LC_ALL, "");
    CliOptions o;
    int rc = cli_parse(&o, argc, argv);
    if (rc) {
        cli_options_free(&o);
        return rc < 0 ? 0 : rc;
    }
    char why[512], global_err[700] = "";
    char *script = NULL, *labels_text = NULL;
    VmcheckSegmentSpec *segs = NULL;
    size_t n_segs = 0;
    FILE *out = NULL, *export_f = NULL, *html_f = NULL;
    CliHtml *html = NULL;
    CliCohort cohort;
    cli_json_tracks = o.json_tracks;
    rc = 2;
    if (cli_cohort_build(&cohort, &o, o.progress, o.verbose)) {
        fprintf(stderr, "vmcheck: out of memory\n");
        cli_cohort_free(&cohort);
        cli_options_free(&o);
        return 2;
    }
    cli_cohort = &cohort;
    const CliWriter *w = o.format == CLI_JSON    ? &cli_writer_json
                         : o.format == CLI_JSONL ? &cli_writer_jsonl
                         : o.format == CLI_CSV   ? &cli_writer_csv
                                                 : &cli_writer_text;
    /* -o, --export-labels and --html never name a file the run reads */
    const char *outs[3][2] = {{"-o", o.out_path}, {"--export-labels", o.export_labels}, {"--html", o.html_path}};
    for (int k = 0; k < 3; k++) {
        const char *p = outs[k][1];
        if (!p) continue;
        struct stat st;
        if (names_an_input(&o, &cohort, p)) {
            fprintf(stderr, "vmcheck: %s %s: refusing to write over an input file\n", outs[k][0], p);
            goto done;
        }
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "vmcheck: %s %s: is a directory\n", outs[k][0], p);
            goto done;
        }
    }
    for (int a = 0; a < 3; a++)
        for (int c = a + 1; c < 3; c++) {
            const char *p = outs[a][1], *q = outs[c][1];
            if (p && q && (!strcmp(p, q) || same_file(p, q))) {
                fprintf(stderr, "vmcheck: %s and %s name the same file %s\n", outs[a][0], outs[c][0], p);
                goto done;
            }
        }
    if (load_globals(&o, &script, &labels_text, &segs, &n_segs, global_err, sizeof(global_err)))
        fprintf(stderr, "vmcheck: %s\n", global_err);
    else if (cohort.option_folders > 1)
        fprintf(stderr,
                "vmcheck: warning: one baseline, --baseline %s, serves the takes of %zu trainee folders: each "
                "trainee's lift is measured against that one voice; put each trainee's ordinary voice in their "
                "folder as baseline.wav\n",
                o.baseline_path, cohort.option_folders);
    if (o.out_path) {
        out = cli_out_open(o.out_path, why, sizeof(why));
        if (!out) {
            fprintf(stderr, "vmcheck: -o %s: %s\n", o.out_path, why);
            goto done;
        }
    }
    if (o.export_labels && !global_err[0]) {
        export_f = cli_out_open(o.export_labels, why, sizeof(why));
        if (!export_f) {
            fprintf(stderr, "vmcheck: --export-labels %s: %s\n", o.export_labels, why);
            goto done;
        }
    }
    if (o.html_path) {
        html_f = cli_out_open(o.html_path, why, sizeof(why));
        if (!html_f) {
            fprintf(stderr, "vmcheck: --html %s: %s\n", o.html_path, why);
            goto done;
        }
        html = cli_html_create(&o, o.html_path);
        if (!html) {
            fprintf(stderr, "vmcheck: out of memory\n");
            goto done;
        }
    }
    Run run = {&o,     w,      o.quiet && !o.out_path ? NULL : out ? out : stdout, export_f, 0, html, 0, 0, 0, 0,
               {0, 0}, &cohort};
    /* progress only for people watching: a terminal, and not mixed into text on it */
    run.progress = o.n_inputs > 1 && isatty(STDERR_FILENO) && !(run.out == stdout && isatty(STDOUT_FILENO));
    clock_gettime(CLOCK_MONOTONIC, &run.t0);
    if (run.out) w->begin(run.out, o.n_inputs);
    if (global_err[0]) {
        /* nothing analysed: each input gets its record, the reason said once above */
        for (size_t i = 0; i < o.n_inputs && run.out; i++) {
            CliResult r;
            memset(&r, 0, sizeof(r));
            r.path = o.name_as ? o.name_as : o.inputs[i];
            r.status = VMCHECK_EINVAL;
            snprintf(r.error, sizeof(r.error), "%s", global_err);
            if (w != &cli_writer_text) w->file(run.out, &r, i, o.n_inputs);
        }
        for (size_t i = 0; i < o.n_inputs && html; i++) {
            CliResult r;
            memset(&r, 0, sizeof(r));
            r.path = o.name_as ? o.name_as : o.inputs[i];
            r.status = VMCHECK_EINVAL;
            snprintf(r.error, sizeof(r.error), "%s", global_err);
            if (cli_html_add(html, &r, i)) run.html_oom = 1;
        }
        run.any_failed = 1;
    } else {
        /* the cores go to files first, then to frames within a file */
        unsigned files_at_once = o.jobs < o.n_inputs ? o.jobs : (unsigned)o.n_inputs;
        unsigned per_file = files_at_once ? o.jobs / files_at_once : 1;
        BatchShared sh = {
            &o, segs ? segs : o.segs, n_segs, o.labels_path, script, !o.no_sidecar, per_file ? per_file : 1, &cohort};
        if (batch_run(&sh, o.jobs, sink, &run)) {
            fprintf(stderr, "vmcheck: out of memory\n");
            goto done;
        }
    }
    if (run.out) w->end(run.out, o.n_inputs);
    if (html_f) {
        FILE *f = html_f;
        html_f = NULL;
        if (run.html_oom || cli_html_write(html, f)) {
            cli_out_abort(f);
            fprintf(stderr, "vmcheck: --html %s: out of memory\n", o.html_path);
            goto done;
        }
        if (cli_out_commit(f, o.html_path, why, sizeof(why))) {
            fprintf(stderr, "vmcheck: --html %s: %s\n", o.html_path, why);
            goto done;
        }
    }
    if (out) {
        FILE *f = out;
        out = NULL;
        if (cli_out_commit(f, o.out_path, why, sizeof(why))) {
            fprintf(stderr, "vmcheck: -o %s: %s\n", o.out_path, why);
            goto done;
        }
    } else if (fflush(stdout) != 0) {
        fprintf(stderr, "vmcheck: cannot write the output\n");
        goto done;
    }
    if (export_f) {
        FILE *f = export_f;
        export_f = NULL;
        if (!run.exported) {
            cli_out_abort(f); /* the input could not be analysed: nothing to export */
        } else if (cli_out_commit(f, o.export_labels, why, sizeof(why))) {
            fprintf(stderr, "vmcheck: --export-labels %s: %s\n", o.export_labels, why);
            goto done;
        }
    }
    rc = run.any_failed ? 2 : run.any_error_flag ? 1 : 0;
done:
    if (out) cli_out_abort(out);
    if (export_f) cli_out_abort(export_f);
    if (html_f) cli_out_abort(html_f);
    cli_html_destroy(&html);
    cli_cohort = NULL;
    cli_cohort_free(&cohort);
    free(script);
    free(labels_text);
    free(segs);
    cli_options_free(&o);
    return rc;
}
