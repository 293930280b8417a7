#include "cli/batch.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cohort.h"
#include "common/fmt.h"

typedef struct Capture {
    char msg[400];
    int have;
} Capture;

/* Logger: keep the first error the library reports for this file. */
static void capture(void *cookie, enum VmcheckLogLevel level, const char *fmt, va_list ap)
{
    Capture *c = cookie;
    if (level != VMCHECK_LOG_ERROR || c->have) return;
    vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
    c->have = 1;
}

/* "dir/NAME.wav" -> "dir/NAME<suffix>" (malloc'd), or NULL on OOM. */
static char *sidecar_name(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - path) : strlen(path);
    size_t len = stem + strlen(suffix) + 1;
    char *p = malloc(len);
    if (!p) return NULL;
    memcpy(p, path, stem);
    strcpy(p + stem, suffix);
    return p;
}

/* Read the sidecar NAME<suffix> beside path, opened once: *file and *text
 * stay NULL when there is none (absent, or not a regular file); -1 with the
 * error in r when it is there but cannot be read. */
static int read_sidecar(const char *path, const char *suffix, char **file, char **text, size_t *len, CliResult *r)
{
    *file = sidecar_name(path, suffix);
    *text = NULL;
    if (!*file) return 0;
    char why[256];
    int absent = 0;
    *text = cli_slurp_regular(*file, len, &absent, why, sizeof(why));
    if (*text) return 0;
    if (absent) {
        free(*file);
        *file = NULL;
        return 0;
    }
    snprintf(r->error, sizeof(r->error), "%s: %s", *file, why);
    return -1;
}

void batch_analyze_baseline(const BatchShared *sh, const char *path, CliResult *r)
{
    BatchShared b = {sh->opt, NULL, 0, NULL, NULL, 0, sh->threads_per_file, NULL};
    CliOptions o = *sh->opt;
    o.cfg.digit_detector = 0; /* only the voice matters: its median F0 */
    o.cfg.keep_tracks = 0;
    b.opt = &o;
    batch_analyze_one(&b, path, 0.0, r);
}

void batch_analyze_one(const BatchShared *sh, const char *path, double baseline_f0_hz, CliResult *r)
{
    memset(r, 0, sizeof(*r));
    r->path = path;
    const int is_stdin = !strcmp(path, "-"); /* standard input: no file beside it */
    r->sidecars_read = sh->sidecars && !is_stdin;
    VmcheckConfig cfg = sh->opt->cfg;
    cfg.baseline_f0_hz = baseline_f0_hz;
    Capture cap = {{0}, 0};
    cfg.logger.cookie = &cap;
    cfg.logger.callback = capture;
    cfg.threads = (int)sh->threads_per_file;

    const VmcheckSegmentSpec *segs = sh->segs;
    size_t n_segs = sh->n_segs;
    const char *labels_path = sh->labels_path;
    VmcheckSegmentSpec *own = NULL;
    char *labels_file = NULL, *labels_text = NULL, *script_file = NULL, *script_text = NULL;
    size_t len;
    if (sh->sidecars && !is_stdin && !n_segs &&
        read_sidecar(path, ".labels.txt", &labels_file, &labels_text, &len, r)) {
        r->status = VMCHECK_ELABELS;
        goto out;
    }
    if (labels_text) {
        size_t bad = 0;
        int s = vmcheck_labels_parse(&own, &n_segs, &bad, labels_text, len);
        if (s) {
            r->status = s;
            snprintf(r->error, sizeof(r->error), "%s: line %zu: not a label line (start<TAB>end<TAB>label, seconds)",
                     labels_file, bad);
            goto out;
        }
        segs = own;
        labels_path = labels_file;
        r->labels_used = labels_file;
    }
    const char *script = sh->script, *script_path = sh->opt->script_path;
    if (sh->sidecars && !is_stdin && !script && read_sidecar(path, ".txt", &script_file, &script_text, &len, r)) {
        r->status = VMCHECK_ESCRIPT;
        goto out;
    }
    if (script_text) {
        if (strlen(script_text) != len) {
            r->status = VMCHECK_ESCRIPT;
            snprintf(r->error, sizeof(r->error), "%s: contains NUL bytes: not a text file", script_file);
            goto out;
        }
        script = script_text;
        script_path = script_file;
        r->script_used = script_file;
    }
    if (is_stdin)
        r->status = vmcheck_analyze_fd(&cfg, &r->report, STDIN_FILENO, segs, n_segs, script);
    else
        r->status = vmcheck_analyze_file(&cfg, &r->report, path, segs, n_segs, script);
    if (r->status) {
        const char *why = cap.have ? cap.msg : vmcheck_strerror(r->status);
        if (r->status == VMCHECK_ELABELS && labels_path)
            snprintf(r->error, sizeof(r->error), "%s: %s", labels_path, why);
        else if (r->status == VMCHECK_ESCRIPT && script_path)
            snprintf(r->error, sizeof(r->error), "%s: %s", script_path, why);
        else
            snprintf(r->error, sizeof(r->error), "%s", why);
    }
out:
    if (r->status) r->labels_used = r->script_used = NULL;
    if (!r->labels_used) free(labels_file);
    if (!r->script_used) free(script_file);
    free(labels_text);
    free(script_text);
    vmcheck_labels_free(&own);
}

/* Results wait in a ring of `window` slots: slot i % window holds result
 * i once done[slot] == i + 1.  Workers never run more than window ahead of
 * the writer, so the ring never overwrites a result not yet written. */
typedef struct Batch {
    const BatchShared *sh;
    CliResult *res;
    size_t *done;
    size_t n, next, written, window;
    size_t jobs; /* workers */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} Batch;

/* Input i of the batch: analysed, or failed for the reason found when the
 * inputs were expanded (a folder with no audio); named as --name-as says. */
static void analyze_input(const BatchShared *sh, size_t i, CliResult *r)
{
    const CliOptions *o = sh->opt;
    const char *why = o->input_errors ? o->input_errors[i] : NULL;
    char err[sizeof(r->error)];
    double f0 = 0.0;
    if (!why && cli_cohort_baseline_f0(sh->cohort, sh, i, &f0, err, sizeof(err))) why = err;
    if (why) {
        memset(r, 0, sizeof(*r));
        r->path = o->inputs[i];
        r->status = VMCHECK_EIO;
        snprintf(r->error, sizeof(r->error), "%s", why);
    } else {
        batch_analyze_one(sh, o->inputs[i], f0, r);
    }
    const CliCohort *c = sh->cohort;
    if (c && i < c->n) {
        const CliTake *t = &c->takes[i];
        if (t->baseline >= 0 && !r->status) {
            r->baseline_used = c->baselines[t->baseline].path;
            r->baseline_f0_hz = f0;
        }
        if (c->progress && t->trainee >= 0) {
            r->trainee = c->trainees[t->trainee].folder;
            r->take = t->take;
            cli_take_date(r->take_date, sizeof(r->take_date), t);
            r->take_date_from_name = t->time_from == CLI_TIME_NAME;
        }
    }
    if (o->name_as) r->path = o->name_as;
}

/* Bytes of an input the kernel is asked to read ahead: a one-minute WAV
 * whole, the start of a longer recording (its own reading ahead does the
 * rest). */
#define PREFETCH_BYTES (16 * 1024 * 1024)

/* Ask the kernel to start reading input i from disk now, so that it is in
 * memory when a worker takes it up: a worker otherwise waits for the
 * disk, its core idle, file after file of a folder not read lately (a
 * cold cohort took 12 % longer than a cached one).  Regular files only:
 * opening a FIFO would start (and, closed, break) its writer. */
static void prefetch(const Batch *b, size_t i)
{
    if (i >= b->n || (b->sh->opt->input_errors && b->sh->opt->input_errors[i])) return;
    const char *path = b->sh->opt->inputs[i];
    struct stat st;
    if (!strcmp(path, "-") || stat(path, &st) || !S_ISREG(st.st_mode)) return;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    if (!fstat(fd, &st) && S_ISREG(st.st_mode))
        posix_fadvise(fd, 0, st.st_size < PREFETCH_BYTES ? st.st_size : PREFETCH_BYTES, POSIX_FADV_WILLNEED);
    close(fd);
}

static void *worker(void *arg)
{
    Batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        while (b->next < b->n && b->next >= b->written + b->window) pthread_cond_wait(&b->cv, &b->mu);
        size_t i = b->next;
        if (i >= b->n) {
            pthread_mutex_unlock(&b->mu);
            return NULL;
        }
        b->next++;
        pthread_mutex_unlock(&b->mu);
        /* the input taken after the ones the other workers now have */
        prefetch(b, i + b->jobs);
        CliResult r;
        analyze_input(b->sh, i, &r);
        pthread_mutex_lock(&b->mu);
        b->res[i % b->window] = r;
        b->done[i % b->window] = i + 1;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
}

/* Each file's analysis allocates a few megabytes and frees them at its
 * end.  glibc hands the pages of a thread's heap back to the kernel once
 * its free top passes the trim threshold (by default twice the largest
 * block it has mapped, about 1 MiB here), so every file of a batch faulted
 * them in again, zeroed: 680 page faults a one-minute file, 5 % of a
 * cohort's time.  Blocks under 1 MiB stay in the heaps, which keep up to
 * 16 MiB free; larger ones (an hour's tracks) are still mapped alone,
 * resident only where written, and unmapped when freed. */
static void keep_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 16 * 1024 * 1024);
#endif
}

int batch_run(const BatchShared *sh, unsigned jobs, BatchSink sink, void *ctx)
{
    keep_memory();
    Batch b;
    memset(&b, 0, sizeof(b));
    b.sh = sh;
    b.n = sh->opt->n_inputs;
    if (jobs > b.n) jobs = (unsigned)b.n;
    if (jobs < 1) jobs = 1;
    b.window = 2 * (size_t)jobs;
    b.res = calloc(b.window, sizeof(*b.res));
    b.done = calloc(b.window, sizeof(*b.done));
    pthread_t *th = calloc(jobs, sizeof(*th));
    if (!b.res || !b.done || !th) {
        free(b.res);
        free(b.done);
        free(th);
        return -1;
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    b.jobs = jobs;
    for (size_t i = 0; i < jobs; i++) prefetch(&b, i);
    unsigned started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&th[started], NULL, worker, &b)) break;
    for (size_t i = 0; i < b.n; i++) {
        CliResult *r = &b.res[i % b.window];
        if (started == 0) { /* no thread could start: analyse here, one at a time */
            analyze_input(sh, i, r);
        } else {
            pthread_mutex_lock(&b.mu);
            while (b.done[i % b.window] != i + 1) pthread_cond_wait(&b.cv, &b.mu);
            pthread_mutex_unlock(&b.mu);
        }
        sink(ctx, r, i);
        vmcheck_report_free(&r->report);
        free((char *)r->labels_used);
        free((char *)r->script_used);
        pthread_mutex_lock(&b.mu);
        b.written = i + 1;
        pthread_cond_broadcast(&b.cv);
        pthread_mutex_unlock(&b.mu);
    }
    for (unsigned t = 0; t < started; t++) pthread_join(th[t], NULL);
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv);
    free(th);
    free(b.res);
    free(b.done);
    return 0;
}
