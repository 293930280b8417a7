/* tools/speed/profile: where the analysis of one recording spends its time,
 * from the library's own stage counters (built with -Dprofile=true; see
 * src/common/profile.h), for tools/bench-speed.
 *
 *   stage-profile [-j N] [-r REPS] FILE
 *
 * Analyses FILE REPS times (default 1) with N threads (default 2) and prints
 * one JSON object: {"profiled": true|false, "threads": N, "reps": R,
 * "wall_s": [...], "stages": {"decode": seconds per run, ...}} (the stage
 * times are medians over the runs; a stage run on the pool adds every
 * thread's time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fmt.h"
#include "common/profile.h"
#include "io/decode.h"
#include "clock.h"

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), speed_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void num(double v)
{
    char b[40];
    vmc_fmt_fixed(b, sizeof(b), v, 6);
    fputs(b, stdout);
}

int main(int argc, char **argv)
{
    int threads = 2, reps = 1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path || threads < 1 || reps < 1 || reps > 99) {
        fprintf(stderr, "usage: stage-profile [-j N] [-r REPS] FILE\n");
        return 2;
    }
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.threads = threads;
    double wall[99], st[VMC_STAGE_COUNT][99];
    int profiled = 0;
    for (int k = 0; k < reps; k++) {
        vmc_profile_reset();
        VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, NULL, 0.0, 0};
        VmcheckReport *rep = NULL;
        const double t0 = speed_now_s();
        int r = vmc_decode_path(&rep, &args, path);
        wall[k] = speed_now_s() - t0;
        vmcheck_report_free(&rep);
        if (r) {
            fprintf(stderr, "stage-profile: %s: %s\n", path, vmcheck_strerror(r));
            return 2;
        }
        double s[VMC_STAGE_COUNT];
        profiled = vmc_profile_read(s);
        for (int j = 0; j < VMC_STAGE_COUNT; j++) st[j][k] = s[j];
    }
    printf("{\"profiled\": %s, \"threads\": %d, \"reps\": %d, \"wall_s\": [", profiled ? "true" : "false", threads,
           reps);
    for (int k = 0; k < reps; k++) {
        if (k) fputs(", ", stdout);
        num(wall[k]);
    }
    fputs("], \"stages\": {", stdout);
    for (int j = 0; j < VMC_STAGE_COUNT; j++) {
        printf("%s\"%s\": ", j ? ", " : "", vmc_stage_name(j));
        num(median(st[j], reps));
    }
    puts("}}");
    return 0;
}
