/* A trainer's cohort: trainees by folder, takes in time order, baselines by
 * convention, each analysed once (see cohort.h). */
#include "cli/cohort.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/batch.h"
#include "common/fmt.h"

const CliCohort *cli_cohort;

/* libsndfile's formats, then what phones, browsers and voicemail systems
 * write (read through FFmpeg) */
static const char *const audio_ext[] = {"wav", "wave", "flac", "ogg",  "oga", "opus", "mp3", "aif",  "aiff", "aifc",
                                        "au",  "snd",  "w64",  "rf64", "caf", "voc",  "sph", "nist", "amr",  "awb",
                                        "m4a", "3gp",  "3g2",  "webm", "mp4", "aac",  "mka", "wma"};
enum { N_EXT = sizeof(audio_ext) / sizeof(audio_ext[0]) };

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int cli_is_audio_name(const char *path)
{
    const char *name = base_name(path);
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (size_t i = 0; i < N_EXT; i++)
        if (!strcasecmp(dot + 1, audio_ext[i])) return 1;
    return 0;
}

int cli_is_baseline_name(const char *path)
{
    if (!cli_is_audio_name(path)) return 0;
    const char *name = base_name(path);
    const size_t stem = (size_t)(strrchr(name, '.') - name);
    static const char word[] = "baseline";
    const size_t w = sizeof(word) - 1;
    if (stem == w) return !strncasecmp(name, word, w);                                          /* baseline.EXT */
    return stem > w + 1 && name[stem - w - 1] == '.' && !strncasecmp(name + stem - w, word, w); /* NAME.baseline.EXT */
}

/* ---- the time of a take ---- */

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A date in the file name: YYYY-MM-DD (optionally followed by a time of
 * day, [T_ -]HH[:-.h]MM or [T_ -]HHMM) or YYYYMMDD-HHMM, not inside a longer
 * run of digits.  1 with *when = YYYYMMDDHHMM00, else 0. */
static int name_date(const char *name, long long *when, int *has_clock)
{
    const size_t n = strlen(name);
    for (size_t i = 0; i + 8 <= n; i++) {
        if (i && is_digit(name[i - 1])) continue;
        const char *s = name + i;
        int y, mo, d, h = 0, mi = 0, clock = 0;
        size_t end;
        if (i + 10 <= n && digits(s, 4, &y) && s[4] == '-' && digits(s + 5, 2, &mo) && s[7] == '-' &&
            digits(s + 8, 2, &d)) {
            end = 10;
            const char *t = s + 10;
            size_t left = n - i - 10;
            if (left >= 5 && strchr("T_ -", t[0]) && digits(t + 1, 2, &h) && strchr(":-.h", t[3]) &&
                digits(t + 4, 2, &mi) && (left == 5 || !is_digit(t[6]))) {
                clock = 1;
                end += 6;
            } else if (left >= 5 && strchr("T_ -", t[0]) && digits(t + 1, 4, &h) && (left == 5 || !is_digit(t[5]))) {
                mi = h % 100;
                h /= 100;
                clock = 1;
                end += 5;
            }
        } else if (i + 13 <= n && digits(s, 4, &y) && digits(s + 4, 2, &mo) && digits(s + 6, 2, &d) &&
                   strchr("-_T", s[8]) && digits(s + 9, 2, &h) && digits(s + 11, 2, &mi)) {
            end = 13;
            clock = 1;
        } else {
            continue;
        }
        if (i + end < n && is_digit(name[i + end])) continue;
        if (y < 1970 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) continue;
        if (!clock) h = mi = 0;
        *when = ((((long long)y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi;
        *when *= 100;
        *has_clock = clock;
        return 1;
    }
    return 0;
}

static void take_time(CliTake *t, const char *path)
{
    if (name_date(base_name(path), &t->when, &t->has_clock)) {
        t->time_from = CLI_TIME_NAME;
        return;
    }
    struct stat st;
    struct tm tm;
    if (stat(path, &st) == 0 && localtime_r(&st.st_mtime, &tm)) {
        t->time_from = CLI_TIME_MTIME;
        t->has_clock = 1;
        t->when =
            (((((long long)tm.tm_year + 1900) * 100 + tm.tm_mon + 1) * 100 + tm.tm_mday) * 100 + tm.tm_hour) * 10000 +
            tm.tm_min * 100 + tm.tm_sec;
    }
}

void cli_take_date(char *buf, size_t size, const CliTake *t)
{
    if (t->time_from == CLI_TIME_NONE) {
        snprintf(buf, size, "-");
        return;
    }
    long long w = t->when;
    int s = (int)(w % 100), mi = (int)(w / 100 % 100), h = (int)(w / 10000 % 100);
    int d = (int)(w / 1000000 % 100), mo = (int)(w / 100000000 % 100), y = (int)(w / 10000000000LL);
    (void)s;
    if (t->has_clock)
        snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
    else
        snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
}

/* ---- building the cohort ---- */

/* The folder part of path: "a/b/c.wav" -> "a/b", "c.wav" -> ".", "/c.wav" -> "/". */
static char *folder_of(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s) return strdup(".");
    if (s == path) return strdup("/");
    return strndup(path, (size_t)(s - path));
}

/* The baseline at path, if it is a regular file: its index (added the first
 * time), -2 when there is none, -1 on OOM. */
static long find_baseline(CliCohort *c, const char *path, int from_option)
{
    struct stat st;
    if (from_option) {
        if (stat(path, &st) != 0) memset(&st, 0, sizeof(st)); /* analysed anyway: the error names it */
    } else if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return -2;
    }
    for (size_t i = 0; i < c->n_baselines; i++) {
        CliBaseline *b = &c->baselines[i];
        if (from_option ? b->from_option : (!b->from_option && b->dev == st.st_dev && b->ino == st.st_ino))
            return (long)i;
    }
    CliBaseline *v = realloc(c->baselines, (c->n_baselines + 1) * sizeof(*v));
    if (!v) return -1;
    c->baselines = v;
    CliBaseline *b = &v[c->n_baselines];
    memset(b, 0, sizeof(*b));
    b->path = strdup(path);
    if (!b->path) return -1;
    b->dev = st.st_dev;
    b->ino = st.st_ino;
    b->from_option = from_option;
    return (long)c->n_baselines++;
}

/* stem + suffix + each audio extension, the first that is a regular file. */
static long baseline_beside(CliCohort *c, const char *stem, size_t stem_len, const char *suffix)
{
    char p[4096];
    for (size_t k = 0; k < N_EXT; k++) {
        if (stem_len + strlen(suffix) + strlen(audio_ext[k]) + 1 > sizeof(p)) return -2;
        memcpy(p, stem, stem_len);
        snprintf(p + stem_len, sizeof(p) - stem_len, "%s%s", suffix, audio_ext[k]);
        long b = find_baseline(c, p, 0);
        if (b != -2) return b;
    }
    return -2;
}

/* The baseline for the take at path: NAME.baseline.EXT beside NAME.EXT,
 * else baseline.EXT in its folder, else --baseline, else none (-2). */
static long take_baseline(CliCohort *c, const CliOptions *o, const char *path)
{
    if (strcmp(path, "-") && !o->no_sidecar) {
        const char *name = base_name(path), *dot = strrchr(name, '.');
        size_t stem = dot && dot != name ? (size_t)(dot - path) : strlen(path);
        long b = baseline_beside(c, path, stem, ".baseline.");
        if (b != -2) return b;
        b = baseline_beside(c, path, (size_t)(name - path), "baseline.");
        if (b != -2) return b;
    }
    if (o->baseline_path) return find_baseline(c, o->baseline_path, 1);
    return -2;
}

static int same_file(const char *a, const struct stat *sb)
{
    struct stat sa;
    return stat(a, &sa) == 0 && sa.st_dev == sb->st_dev && sa.st_ino == sb->st_ino;
}

/* Drop inputs that are the --baseline file itself: a baseline is never
 * scored as a take (unless nothing else is left to score). */
static void drop_option_baseline(CliOptions *o)
{
    struct stat sb;
    if (!o->baseline_path || stat(o->baseline_path, &sb) != 0 || !S_ISREG(sb.st_mode)) return;
    size_t keep = 0;
    for (size_t i = 0; i < o->n_inputs; i++)
        keep += !(strcmp(o->inputs[i], "-") && !o->input_errors[i] && same_file(o->inputs[i], &sb));
    if (!keep) return;
    size_t j = 0;
    for (size_t i = 0; i < o->n_inputs; i++) {
        if (strcmp(o->inputs[i], "-") && !o->input_errors[i] && same_file(o->inputs[i], &sb)) {
            free(o->inputs[i]);
            continue;
        }
        o->inputs[j] = o->inputs[i];
        o->input_errors[j++] = o->input_errors[i];
    }
    o->n_inputs = j;
}

static const CliCohort *sort_cohort;
static const CliOptions *sort_opt;

static int by_time(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const CliTake *tx = &sort_cohort->takes[x], *ty = &sort_cohort->takes[y];
    if (tx->when != ty->when) return tx->when < ty->when ? -1 : 1;
    int s = strcmp(sort_opt->inputs[x], sort_opt->inputs[y]);
    return s ? s : (x > y) - (x < y);
}

int cli_cohort_build(CliCohort *c, CliOptions *o, int progress_opt, int verbose)
{
    memset(c, 0, sizeof(*c));
    c->verbose = verbose;
    c->max_number_rate = o->cfg.max_number_rate;
    c->max_name_rate = o->cfg.max_name_rate;
    drop_option_baseline(o);
    c->n = o->n_inputs;
    c->paths = o->inputs;
    c->takes = calloc(c->n ? c->n : 1, sizeof(*c->takes));
    if (!c->takes) return -1;
    char **folders = NULL; /* distinct folders using --baseline */
    size_t n_folders = 0;
    int bad = 0;
    for (size_t i = 0; i < c->n && !bad; i++) {
        CliTake *t = &c->takes[i];
        const char *p = o->inputs[i];
        t->trainee = -1;
        t->baseline = -1;
        t->number_rate = t->name_rate = t->lift_st = t->score = NAN;
        if (!strcmp(p, "-") || o->input_errors[i]) continue; /* standard input, a folder that failed */
        char *folder = folder_of(p);
        if (!folder) {
            bad = 1;
            break;
        }
        size_t k = 0;
        while (k < c->n_trainees && strcmp(c->trainees[k].folder, folder)) k++;
        if (k == c->n_trainees) {
            CliTrainee *v = realloc(c->trainees, (k + 1) * sizeof(*v));
            if (!v) {
                free(folder);
                bad = 1;
                break;
            }
            c->trainees = v;
            memset(&v[k], 0, sizeof(v[k]));
            v[k].folder = folder;
            c->n_trainees++;
        } else {
            free(folder);
        }
        t->trainee = (long)k;
        c->trainees[k].n_takes++;
        take_time(t, p);
        long b = take_baseline(c, o, p);
        if (b == -1) bad = 1;
        if (b >= 0) {
            t->baseline = b;
            c->baselines[b].takes++;
            if (c->baselines[b].from_option) {
                const char *f = c->trainees[k].folder;
                size_t m = 0;
                while (m < n_folders && strcmp(folders[m], f)) m++;
                if (m == n_folders) {
                    char **v = realloc(folders, (n_folders + 1) * sizeof(*v));
                    if (!v) {
                        bad = 1;
                        break;
                    }
                    folders = v;
                    folders[n_folders++] = (char *)f;
                }
            }
        }
    }
    free(folders);
    c->option_folders = n_folders;
    /* standard input uses --baseline too */
    for (size_t i = 0; i < c->n && !bad && o->baseline_path; i++)
        if (!strcmp(o->inputs[i], "-")) {
            long b = find_baseline(c, o->baseline_path, 1);
            if (b < 0) {
                bad = 1;
                break;
            }
            c->takes[i].baseline = b;
            c->baselines[b].takes++;
        }
    if (bad) return -1;
    /* each trainee's takes in time order */
    size_t several = 0; /* trainees with several takes */
    for (size_t k = 0; k < c->n_trainees; k++) {
        CliTrainee *tr = &c->trainees[k];
        tr->order = malloc(tr->n_takes * sizeof(*tr->order));
        if (!tr->order) return -1;
        size_t m = 0;
        for (size_t i = 0; i < c->n; i++)
            if (c->takes[i].trainee == (long)k) tr->order[m++] = i;
        sort_cohort = c;
        sort_opt = o;
        qsort(tr->order, tr->n_takes, sizeof(*tr->order), by_time);
        for (size_t j = 0; j < tr->n_takes; j++) {
            CliTake *t = &c->takes[tr->order[j]];
            t->take = j + 1;
            tr->by_name += t->time_from == CLI_TIME_NAME;
            tr->by_mtime += t->time_from == CLI_TIME_MTIME;
        }
        several += tr->n_takes > 1;
    }
    /* on request, or always for a cohort: two trainees or more with several takes each */
    c->progress = c->n_trainees > 0 && (progress_opt || several > 1);
    if (pthread_mutex_init(&c->mu, NULL)) return -1;
    if (pthread_cond_init(&c->cv, NULL)) {
        pthread_mutex_destroy(&c->mu);
        return -1;
    }
    c->sync = 1;
    return 0;
}

void cli_cohort_free(CliCohort *c)
{
    if (c->sync) {
        pthread_mutex_destroy(&c->mu);
        pthread_cond_destroy(&c->cv);
    }
    for (size_t k = 0; k < c->n_trainees; k++) {
        free(c->trainees[k].folder);
        free(c->trainees[k].order);
    }
    for (size_t k = 0; k < c->n_baselines; k++) free(c->baselines[k].path);
    free(c->trainees);
    free(c->baselines);
    free(c->takes);
    memset(c, 0, sizeof(*c));
}

/* ---- baselines, each analysed once ---- */

/* Analyse baseline b (outside the lock): its median F0, or why not. */
static void analyse_baseline(const CliCohort *c, const BatchShared *sh, CliBaseline *b)
{
    CliResult r;
    batch_analyze_baseline(sh, b->path, &r);
    if (r.status) {
        snprintf(b->error, sizeof(b->error), "%s", r.error);
        b->failed = 1;
    } else if (r.report->voiced_frames < 20) { /* a fifth of a second of voice at least */
        snprintf(b->error, sizeof(b->error), "no voiced speech to measure the ordinary pitch from");
        b->failed = 1;
    } else {
        b->f0_hz = r.report->f0_median_hz;
    }
    vmcheck_report_free(&r.report);
    if (c->verbose) {
        char f0[32];
        vmc_fmt_fixed(f0, sizeof(f0), b->f0_hz, 1);
        if (b->failed)
            fprintf(stderr, "vmcheck: analysed baseline %s (for %zu take%s): cannot serve: %s\n", b->path, b->takes,
                    b->takes == 1 ? "" : "s", b->error);
        else
            fprintf(stderr, "vmcheck: analysed baseline %s (for %zu take%s): median F0 %s Hz\n", b->path, b->takes,
                    b->takes == 1 ? "" : "s", f0);
    }
}

int cli_cohort_baseline_f0(CliCohort *c, const BatchShared *sh, size_t i, double *f0, char *err, size_t err_size)
{
    *f0 = 0.0;
    if (!c || i >= c->n || c->takes[i].baseline < 0) return 0;
    CliBaseline *b = &c->baselines[c->takes[i].baseline];
    pthread_mutex_lock(&c->mu);
    while (b->state == 1) pthread_cond_wait(&c->cv, &c->mu);
    if (b->state == 0) {
        b->state = 1;
        c->analyses++;
        pthread_mutex_unlock(&c->mu);
        analyse_baseline(c, sh, b);
        pthread_mutex_lock(&c->mu);
        b->state = 2;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    if (b->failed) {
        snprintf(err, err_size, "baseline %s: %s", b->path, b->error);
        return -1;
    }
    *f0 = b->f0_hz;
    return 0;
}

/* The fastest occurrence of a kind of segment. */
static const VmcheckSegment *fastest(const VmcheckReport *r, enum VmcheckSegmentKind kind)
{
    const VmcheckSegment *best = NULL;
    for (size_t i = 0; i < r->segment_count; i++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, i);
        if (s->kind == kind && (!best || s->syllables_per_s > best->syllables_per_s)) best = s;
    }
    return best;
}

void cli_cohort_record(CliCohort *c, size_t i, const CliResult *r)
{
    if (!c || i >= c->n) return;
    CliTake *t = &c->takes[i];
    t->done = 1;
    t->ok = r->report != NULL;
    if (!r->report) return;
    const VmcheckSegment *sm = fastest(r->report, VMCHECK_SEGMENT_NUMBER),
                         *sn = fastest(r->report, VMCHECK_SEGMENT_NAME);
    if (sm) {
        t->number_rate = sm->syllables_per_s;
        t->number_fast = sm->too_fast;
    }
    if (sn) {
        t->name_rate = sn->syllables_per_s;
        t->name_fast = sn->too_fast;
    }
    t->lift_st = r->report->lift_st;
    t->score = r->report->score;
}

/* ---- the change from first to latest take ---- */

/* The first and the latest analysed take of tr with a value for the double
 * at offset field of CliTake: 0 when none has one. */
static int ends(const CliCohort *c, const CliTrainee *tr, size_t field, const CliTake **first, const CliTake **last)
{
    *first = *last = NULL;
    for (size_t j = 0; j < tr->n_takes; j++) {
        const CliTake *t = &c->takes[tr->order[j]];
        double v;
        memcpy(&v, (const char *)t + field, sizeof(v));
        if (!t->ok || !isfinite(v)) continue;
        if (!*first) *first = t;
        *last = t;
    }
    return *first != NULL;
}

static double at(const CliTake *t, size_t field)
{
    double v;
    memcpy(&v, (const char *)t + field, sizeof(v));
    return v;
}

/* Append to buf (of size, holding len so far). */
static void cat(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);
    if (len + 1 < size) snprintf(buf + len, size - len, "%s", s);
}

static void cat_num(char *buf, size_t size, double v, int d, int sign)
{
    char x[40];
    vmc_fmt_fixed(x + 1, sizeof(x) - 1, v, d);
    x[0] = '+';
    cat(buf, size, sign && v >= 0 ? x : x + 1);
}

void cli_cohort_change(char *buf, size_t size, const CliCohort *c, size_t k)
{
    static const struct {
        const char *what, *unit;
        size_t field;
        int d, sign, verdict; /* verdict: 1 number, 2 name */
    } m[] = {
        {"number", " syllables/s", offsetof(CliTake, number_rate), 1, 0, 1},
        {"name", " syllables/s", offsetof(CliTake, name_rate), 1, 0, 2},
        {"lift", " semitones", offsetof(CliTake, lift_st), 1, 1, 0},
        {"score", "", offsetof(CliTake, score), 0, 0, 0},
    };
    buf[0] = '\0';
    const CliTrainee *tr = &c->trainees[k];
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        const CliTake *a, *z;
        if (!ends(c, tr, m[i].field, &a, &z)) continue;
        if (buf[0]) cat(buf, size, "; ");
        cat(buf, size, m[i].what);
        cat(buf, size, " ");
        if (a != z) {
            cat_num(buf, size, at(a, m[i].field), m[i].d, m[i].sign);
            cat(buf, size, " -> ");
        }
        cat_num(buf, size, at(z, m[i].field), m[i].d, m[i].sign);
        cat(buf, size, m[i].unit);
        if (m[i].verdict) {
            int fa = m[i].verdict == 1 ? a->number_fast : a->name_fast;
            int fz = m[i].verdict == 1 ? z->number_fast : z->name_fast;
            cat(buf, size,
                a == z ? (fz ? ", too fast" : ", ok")
                : fz   ? (fa ? ", still too fast" : ", now too fast")
                       : (fa ? ", now ok" : ", ok"));
        }
    }
    if (!buf[0]) cat(buf, size, "nothing analysed");
}
