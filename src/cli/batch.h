/* The batch runner: N worker threads analyse files; results are handed to
 * the writer strictly in input order.  At most a window of results waits
 * for the writer, so memory depends on the number of workers, not files. */
#ifndef VMCHECK_BATCH_H
#define VMCHECK_BATCH_H

#include "cli/cli.h"

typedef struct BatchShared {
    const CliOptions *opt;
    const VmcheckSegmentSpec *segs; /* global segments (--labels, --name, --number) */
    size_t n_segs;
    const char *labels_path;   /* where the global segments came from */
    const char *script;        /* global script text or NULL */
    int sidecars;              /* pick up NAME.labels.txt / NAME.txt beside each file */
    unsigned threads_per_file; /* threads one file's analysis may use */
    struct CliCohort *cohort;  /* trainees, takes and their baselines, or NULL */
} BatchShared;

/* Called for each finished result in input order; the callee may keep nothing. */
typedef void (*BatchSink)(void *ctx, CliResult *r, size_t index);

/* Analyse o->inputs with `jobs` threads.  0, or -1 if threads could not start. */
int batch_run(const BatchShared *sh, unsigned jobs, BatchSink sink, void *ctx);

/* Analyse one file into r, its lift measured against baseline_f0_hz (0: none). */
void batch_analyze_one(const BatchShared *sh, const char *path, double baseline_f0_hz, CliResult *r);
/* Analyse a baseline recording into r: no segments, script or digits, only its voice. */
void batch_analyze_baseline(const BatchShared *sh, const char *path, CliResult *r);

#endif
