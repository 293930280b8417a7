/* A trainer's cohort: each take's trainee (its folder), its place among that
 * trainee's takes (by the date in the file name, else the modification
 * time), and the baseline its pitch lift is measured against (found by
 * convention beside it, else --baseline).  Each baseline is analysed once
 * per run, however many takes share it, and only when a take needs it. */
#ifndef VMCHECK_COHORT_H
#define VMCHECK_COHORT_H

#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli/cli.h"

struct BatchShared;

/* Where a take's time came from. */
enum CliTakeTime { CLI_TIME_NONE, CLI_TIME_NAME, CLI_TIME_MTIME };

typedef struct CliBaseline {
    char *path;
    dev_t dev;
    ino_t ino;
    int from_option; /* --baseline, not found beside a take */
    size_t takes;    /* takes measured against it */
    int state;       /* 0 not analysed yet, 1 being analysed, 2 done */
    int failed;
    double f0_hz;    /* median F0 when analysed */
    char error[512]; /* why it cannot serve as a baseline */
} CliBaseline;

/* One input of the run. */
typedef struct CliTake {
    long trainee;  /* index into trainees, -1 when none (standard input) */
    size_t take;   /* 1-based place among the trainee's takes */
    long baseline; /* index into baselines, -1 for none */
    enum CliTakeTime time_from;
    long long when; /* YYYYMMDDHHMMSS, local time for a modification time */
    int has_clock;  /* the file name's date had a time of day too */
    /* filled as results arrive */
    int done, ok;
    double number_rate, name_rate, lift_st, score; /* NAN when not measured */
    int number_fast, name_fast;
} CliTake;

typedef struct CliTrainee {
    char *folder;   /* as the take's path gives it ("." for a bare file name) */
    size_t n_takes; /* inputs in take order: order[0..n_takes) */
    size_t *order;
    size_t by_name, by_mtime; /* how many takes were placed by each kind of time */
} CliTrainee;

typedef struct CliCohort {
    CliTake *takes;     /* per input */
    char *const *paths; /* per input: its path (the options' list) */
    size_t n;
    CliTrainee *trainees;
    size_t n_trainees;
    CliBaseline *baselines;
    size_t n_baselines;
    int progress;           /* report progress across takes */
    size_t option_folders;  /* trainee folders whose takes use the one --baseline */
    int verbose;            /* --verbose: say on stderr when a baseline is analysed */
    unsigned long analyses; /* baselines analysed so far (each once) */
    double max_number_rate; /* the limit, for the chart */
    double max_name_rate;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int sync; /* mu and cv initialised */
} CliCohort;

/* The cohort the writers report on, or NULL (set once, before any output). */
extern const CliCohort *cli_cohort;

/* 1 when the file name (any folder) names a baseline recording: NAME.baseline.EXT
 * or baseline.EXT with an audio extension. */
int cli_is_baseline_name(const char *path);
/* 1 for an audio extension vmcheck walks. */
int cli_is_audio_name(const char *path);

/* Group o->inputs into trainees, order their takes, find each take's
 * baseline; drops inputs that are the --baseline file itself (while others
 * remain).  0, or -1 on OOM. */
int cli_cohort_build(CliCohort *c, CliOptions *o, int progress_opt, int verbose);
void cli_cohort_free(CliCohort *c);

/* The baseline F0 of input i: 0 with *f0 set (0 for no baseline), or -1
 * with err naming the baseline and why.  Analyses the baseline on first use
 * (once, whichever thread asks first; the others wait). */
int cli_cohort_baseline_f0(CliCohort *c, const struct BatchShared *sh, size_t i, double *f0, char *err,
                           size_t err_size);

/* Keep what the progress report needs of input i's result. */
void cli_cohort_record(CliCohort *c, size_t i, const CliResult *r);

/* Trainee k's change from the first to the latest analysed take: "number
 * 6.1 -> 3.2 syllables/s, now ok; name 3.0 -> 2.8 syllables/s, ok; lift +1.0
 * -> +2.1 semitones; score 62 -> 100" (or "nothing analysed"). */
void cli_cohort_change(char *buf, size_t size, const CliCohort *c, size_t k);

/* "2026-03-02", "2026-03-02 14:30" for take t. */
void cli_take_date(char *buf, size_t size, const CliTake *t);

#endif
