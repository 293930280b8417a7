/* vmcheck: the command-line front end of libvmcheck. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/export.h"
#include "cli/outfile.h"

typedef struct Run {
    const CliOptions *o;
    const CliWriter *w;
    FILE *out;
    int any_failed, any_error_flag;
} Run;

static void sink(void *ctx, CliResult *r, size_t index)
{
    Run *run = ctx;
    if (r->status) {
        run->any_failed = 1;
        fprintf(stderr, "vmcheck: %s: %s\n", r->path, r->error);
    } else {
        for (size_t k = 0; k < r->report->flag_count; k++)
            if (r->report->flags[k].severity == VMCHECK_SEVERITY_ERROR) run->any_error_flag = 1;
        if (run->o->export_labels) {
            char why[256];
            if (cli_export_labels(run->o->export_labels, r->report, why, sizeof(why))) {
                fprintf(stderr, "vmcheck: %s: %s\n", run->o->export_labels, why);
                run->any_failed = 1;
            }
        }
    }
    if (run->out && !(run->w == &cli_writer_text && r->status && run->o->n_inputs == 1))
        run->w->file(run->out, r, index, run->o->n_inputs);
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int main(int argc, char **argv)
{
    CliOptions o;
    int rc = cli_parse(&o, argc, argv);
    if (rc) {
        cli_options_free(&o);
        return rc < 0 ? 0 : rc;
    }
    char why[512];
    char *script = NULL, *labels_text = NULL;
    VmcheckSegmentSpec *segs = NULL;
    FILE *out = NULL;
    rc = 2;
    if (o.export_labels && o.n_inputs != 1) {
        fprintf(stderr, "vmcheck: --export-labels takes exactly one input file\n");
        goto done;
    }
    size_t n_segs = o.n_segs;
    if (o.labels_path) {
        size_t len, bad = 0, n = 0;
        VmcheckSegmentSpec *v = NULL;
        labels_text = cli_slurp(o.labels_path, &len, why, sizeof(why));
        if (!labels_text) {
            fprintf(stderr, "vmcheck: %s: %s\n", o.labels_path, why);
            goto done;
        }
        if (vmcheck_labels_parse(&v, &n, &bad, labels_text, len)) {
            fprintf(stderr, "vmcheck: %s: line %zu: not a label line (start<TAB>end<TAB>label, seconds)\n",
                    o.labels_path, bad);
            goto done;
        }
        segs = calloc(n + o.n_segs + 1, sizeof(*segs));
        if (!segs) {
            free(v);
            goto done;
        }
        if (n) memcpy(segs, v, n * sizeof(*segs));
        free(v);
        if (o.n_segs) memcpy(segs + n, o.segs, o.n_segs * sizeof(*segs));
        n_segs = n + o.n_segs;
    }
    if (o.script_path) {
        size_t len;
        script = cli_slurp(o.script_path, &len, why, sizeof(why));
        if (!script) {
            fprintf(stderr, "vmcheck: %s: %s\n", o.script_path, why);
            goto done;
        }
    }
    BatchShared sh = {&o, segs ? segs : o.segs, n_segs, o.labels_path, script, 1};
    if (o.baseline_path) {
        CliResult b;
        BatchShared bsh = {&o, NULL, 0, NULL, NULL, 0};
        batch_analyze_one(&bsh, o.baseline_path, &b);
        if (b.status) {
            fprintf(stderr, "vmcheck: %s: baseline: %s\n", o.baseline_path, b.error);
            goto done;
        }
        if (!(b.report->f0_median_hz > 0.0)) {
            fprintf(stderr, "vmcheck: %s: baseline: no voiced speech to measure the ordinary pitch from\n",
                    o.baseline_path);
            vmcheck_report_free(&b.report);
            goto done;
        }
        o.cfg.baseline_f0_hz = b.report->f0_median_hz;
        vmcheck_report_free(&b.report);
    }
    const CliWriter *w = o.format == CLI_JSON    ? &cli_writer_json
                         : o.format == CLI_JSONL ? &cli_writer_jsonl
                         : o.format == CLI_CSV   ? &cli_writer_csv
                                                 : &cli_writer_text;
    if (o.out_path) {
        for (size_t i = 0; i < o.n_inputs; i++)
            if (same_file(o.out_path, o.inputs[i]) || !strcmp(o.out_path, o.inputs[i])) {
                fprintf(stderr, "vmcheck: -o %s: refusing to write over an input file\n", o.out_path);
                goto done;
            }
        struct stat st;
        if (stat(o.out_path, &st) == 0 && S_ISDIR(st.st_mode)) {
            fprintf(stderr, "vmcheck: -o %s: is a directory\n", o.out_path);
            goto done;
        }
        out = cli_out_open(o.out_path, why, sizeof(why));
        if (!out) {
            fprintf(stderr, "vmcheck: -o %s: %s\n", o.out_path, why);
            goto done;
        }
    }
    Run run = {&o, w, o.quiet && !o.out_path ? NULL : out ? out : stdout, 0, 0};
    if (run.out) w->begin(run.out, o.n_inputs);
    if (batch_run(&sh, o.jobs, sink, &run)) {
        fprintf(stderr, "vmcheck: out of memory\n");
        goto done;
    }
    if (run.out) w->end(run.out, o.n_inputs);
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
    rc = run.any_failed || o.walk_failed ? 2 : run.any_error_flag ? 1 : 0;
done:
    if (out) cli_out_abort(out);
    free(script);
    free(labels_text);
    free(segs);
    cli_options_free(&o);
    return rc;
}
