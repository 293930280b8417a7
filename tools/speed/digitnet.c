/* tools/speed/digitnet: the digit network alone, each kernel path, on a
 * recording's own band inputs, for tools/bench-speed.
 *
 *   digitnet-speed [-r REPS] FILE
 *
 * Analyses FILE once (one thread) for the network's inputs, turns them back
 * into band codes against a fixed mean (within half a code step, so the
 * network sees the recording's own spread of levels and its hidden layers
 * as many zeros), then evaluates every step of the recording in blocks of
 * 512 steps, as the detector does, REPS times (default 21) with each vector
 * kernel path the CPU has (SSE2, AVX, AVX-512F), alternating, and once with
 * the plain C path (the reference, twenty times slower), and prints
 * one JSON object: {"steps": N, "audio_s": S, "paths": {"C": {"least_ms":
 * ..., "median_ms": ..., "s_per_audio_hour": ...}, ...}, "same_bits": true}
 * (s_per_audio_hour from the least; same_bits: every path gave the plain C
 * path's outputs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "common/fmt.h"
#include "features/digitnet.h"
#include "io/decode.h"
#include "clock.h"

#define BLOCK 512

static void num(double v, int decimals)
{
    char b[40];
    vmc_fmt_fixed(b, sizeof(b), v, decimals);
    fputs(b, stdout);
}

static int path_runs(int p) { return p <= vmc_dn_path_best(); }

int main(int argc, char **argv)
{
    static const char *const name[] = {"best", "C", "SSE2", "AVX", "AVX-512F"};
    int reps = 21;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path || reps < 1 || reps > 999) {
        fprintf(stderr, "usage: digitnet-speed [-r REPS] FILE\n");
        return 2;
    }
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.threads = 1;
    VmcDigitsTap tap;
    memset(&tap, 0, sizeof(tap));
    VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, &tap, 0.0, 0};
    VmcheckReport *rep = NULL;
    int r = vmc_decode_path(&rep, &args, path);
    vmcheck_report_free(&rep);
    if (r || tap.n_frames < 2 || !tap.x) {
        fprintf(stderr, "digitnet-speed: %s: %s\n", path, r ? vmcheck_strerror(r) : "no speech for the network");
        vmc_digits_tap_free(&tap);
        return 2;
    }
    /* inputs are (code - mean) * VMC_MEL_STEP_DB / VMC_DN_IN_SCALE_DB: back to codes about 80 */
    const size_t nf = tap.n_frames, ns = (nf + 1) / 2;
    unsigned char *codes = malloc(nf * VMC_MEL_BANDS);
    float *out[VMC_DN_PATH_AVX512 + 1] = {NULL};
    double *times[VMC_DN_PATH_AVX512 + 1] = {NULL};
    int ok = codes != NULL;
    for (int p = VMC_DN_PATH_C; ok && p <= VMC_DN_PATH_AVX512; p++) {
        out[p] = malloc(ns * VMC_DN_CLASSES * sizeof(float));
        times[p] = malloc((size_t)reps * sizeof(double));
        ok = out[p] && times[p];
    }
    VmcDnScratch sc;
    if (!ok || vmc_dn_scratch_init(&sc, &vmc_digitnet_model, BLOCK)) {
        fprintf(stderr, "digitnet-speed: out of memory\n");
        return 2;
    }
    const double per_db = VMC_MEL_STEP_DB / (double)VMC_DN_IN_SCALE_DB;
    for (size_t i = 0; i < nf * VMC_MEL_BANDS; i++) {
        const double c = floor((double)tap.x[i] / per_db + 80.5);
        codes[i] = (unsigned char)(c < 0.0 ? 0.0 : c > 255.0 ? 255.0 : c);
    }
    VmcDnNorm norm;
    vmc_digitnet_norm(&norm, codes, NULL, nf, VMCHECK_HOP_S);
    norm.fixed = 1;
    for (int b = 0; b < VMC_MEL_BANDS; b++) norm.global[b] = 80.0;
    for (int k = 0; k < reps; k++)
        for (int p = VMC_DN_PATH_C; p <= VMC_DN_PATH_AVX512; p++) {
            if (!path_runs(p) || (p == VMC_DN_PATH_C && k > 0)) continue;
            sc.path = p;
            const double t0 = speed_now_s();
            for (size_t s0 = 0; s0 < ns; s0 += BLOCK)
                vmc_digitnet_eval(&vmc_digitnet_model, &sc, out[p] + s0 * VMC_DN_CLASSES, &norm, s0,
                                  s0 + BLOCK < ns ? s0 + BLOCK : ns);
            times[p][k] = speed_now_s() - t0;
        }
    int same = 1;
    for (int p = VMC_DN_PATH_SSE2; p <= VMC_DN_PATH_AVX512; p++)
        if (path_runs(p)) same &= memcmp(out[p], out[VMC_DN_PATH_C], ns * VMC_DN_CLASSES * sizeof(float)) == 0;
    const double audio_s = (double)nf * VMCHECK_HOP_S;
    printf("{\"steps\": %zu, \"audio_s\": ", ns);
    num(audio_s, 2);
    fputs(", \"paths\": {", stdout);
    int first = 1;
    for (int p = VMC_DN_PATH_C; p <= VMC_DN_PATH_AVX512; p++) {
        if (!path_runs(p)) continue;
        const int n = p == VMC_DN_PATH_C ? 1 : reps;
        qsort(times[p], (size_t)n, sizeof(double), speed_cmp);
        printf("%s\"%s\": {\"least_ms\": ", first ? "" : ", ", name[p]);
        num(1e3 * times[p][0], 3);
        fputs(", \"median_ms\": ", stdout);
        num(1e3 * times[p][n / 2], 3);
        fputs(", \"s_per_audio_hour\": ", stdout);
        num(times[p][0] * 3600.0 / audio_s, 4);
        fputs("}", stdout);
        first = 0;
    }
    printf("}, \"same_bits\": %s}\n", same ? "true" : "false");
    vmc_dn_scratch_free(&sc);
    for (int p = 0; p <= VMC_DN_PATH_AVX512; p++) {
        free(out[p]);
        free(times[p]);
    }
    free(codes);
    vmc_digits_tap_free(&tap);
    return same ? 0 : 1;
}
