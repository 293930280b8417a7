/* tools/digits/dump: what the digit detector sees and says, for training
 * and checking it (tools/digits/train.py).  Reads lines "AUDIO<TAB>OUT" on
 * stdin; analyses AUDIO as vmcheck does (one thread) and writes OUT:
 *
 *   "VMCD" u32 version=1, u32 n_frames, u32 n_inputs, u32 n_steps, u32 n_classes,
 *   f32 inputs[n_frames][n_inputs], u8 active[n_frames], f32 energy_db[n_frames],
 *   f32 logp[n_steps][n_classes], u32 n_words, then per word
 *   i32 word, f64 start_s, f64 end_s, f32 conf     (all little-endian, packed)
 *
 * With --numbers it also prints, per line, one JSON object on stdout: the
 * numbers the finder makes of the words, with the digits as recognised
 * whether sure or not ({"wav": ..., "numbers": [{"start_s", "end_s",
 * "digits", "said", "heard", "min_conf", ..., "features", "run_start_s",
 * "run_end_s", "edges_cut", "edges"}]}), for tools/bench-digits and
 * train.py ("edges": the edge trimmer's rows, each [start_s, end_s, features...]).
 *
 * --set NAME=VALUE (repeatable) tries a decoder or finder setting instead of
 * its default (the fields of VmcDigitsParams and VmcNumberParams), for
 * tuning them on the tune split.
 *
 * --grid FILE: each line of FILE a set of settings ("NAME=VALUE ..."); the
 * network runs once per recording and its outputs are decoded with each
 * set in turn, printing per recording one JSON line {"wav": ..., "grid":
 * [[numbers of set 0], [numbers of set 1], ...]} (numbers as --numbers, with
 * their syllables), for tools/bench-digits --grid.
 *
 * A line whose audio cannot be analysed is reported on stderr and skipped. */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "events/number.h"
#include "io/decode.h"

static int put(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }
static int put_u32(FILE *f, uint32_t v) { return put(f, &v, 4); }

static int write_dump(const char *path, const VmcDigitsTap *t)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    int e = put(f, "VMCD", 4) | put_u32(f, 1) | put_u32(f, (uint32_t)t->n_frames) | put_u32(f, VMC_DN_INPUTS) |
            put_u32(f, (uint32_t)t->n_steps) | put_u32(f, VMC_DN_CLASSES);
    e |= put(f, t->x, t->n_frames * VMC_DN_INPUTS * sizeof(float));
    e |= put(f, t->active, t->n_frames);
    e |= put(f, t->energy_db, t->n_frames * sizeof(float));
    e |= put(f, t->logp, t->n_steps * VMC_DN_CLASSES * sizeof(float));
    e |= put_u32(f, (uint32_t)t->words.n);
    for (size_t i = 0; i < t->words.n; i++) {
        const VmcDigitToken *w = &t->words.v[i];
        int32_t word = w->word;
        e |= put(f, &word, 4) | put(f, &w->start_s, 8) | put(f, &w->end_s, 8) | put(f, &w->conf, 4);
    }
    if (fclose(f) || e) {
        remove(tmp);
        return -1;
    }
    return rename(tmp, path);
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        if ((unsigned char)*s >= 0x20) putchar(*s);
    }
    putchar('"');
}

static void print_number_list(const VmcNumber *nb, size_t n)
{
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        printf("%s{\"start_s\": %.3f, \"end_s\": %.3f, \"digits\": %zu, \"syllables\": %zu, \"said\": ", i ? ", " : "",
               nb[i].start_s, nb[i].end_s, nb[i].digits, nb[i].syllables);
        json_str(nb[i].said);
        fputs(", \"heard\": ", stdout);
        json_str(nb[i].heard);
        printf(", \"min_conf\": %.3f, \"mean_conf\": %.3f, \"score\": %.4f, \"features\": [", nb[i].min_conf,
               nb[i].mean_conf, nb[i].score);
        for (int k = 0; k < VMC_NUMBER_FEATURES; k++) printf("%s%.5f", k ? ", " : "", nb[i].feature[k]);
        /* the run before the edge trimmer, and its end words as it sees them */
        printf("], \"run_start_s\": %.3f, \"run_end_s\": %.3f, \"run_words\": %zu, \"inner_start_s\": %.3f, "
               "\"inner_end_s\": %.3f, \"edges_cut\": %d, \"edges\": [",
               nb[i].run_start_s, nb[i].run_end_s, nb[i].run_words, nb[i].inner_start_s, nb[i].inner_end_s,
               nb[i].edges_cut);
        for (int e = 0; e < 2 * VMC_EDGE_WORDS; e++) {
            printf("%s[%.4f, %.4f", e ? ", " : "", nb[i].edge_start_s[e], nb[i].edge_end_s[e]);
            for (int k = 0; k < VMC_EDGE_FEATURES; k++) printf(", %.6g", nb[i].edge[e][k]);
            putchar(']');
        }
        fputs("]}", stdout);
    }
    putchar(']');
}

typedef struct Grid {
    VmcDigitsParams *dp;
    VmcNumberParams *np;
    size_t n;
} Grid;

static int set_param(VmcDigitsParams *dp, VmcNumberParams *np, const char *arg);

static int read_grid(Grid *g, const char *path, const VmcDigitsParams *dp0, const VmcNumberParams *np0)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[2048];
    memset(g, 0, sizeof(*g));
    while (fgets(line, sizeof(line), f)) {
        g->dp = realloc(g->dp, (g->n + 1) * sizeof(*g->dp));
        g->np = realloc(g->np, (g->n + 1) * sizeof(*g->np));
        if (!g->dp || !g->np) return -1;
        g->dp[g->n] = *dp0;
        g->np[g->n] = *np0;
        for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"))
            if (set_param(&g->dp[g->n], &g->np[g->n], tok)) {
                fprintf(stderr, "dump: %s: bad setting %s\n", path, tok);
                fclose(f);
                return -1;
            }
        g->n++;
    }
    fclose(f);
    return 0;
}

static void print_grid(const char *wav, const VmcDigitsTap *t, const Grid *g)
{
    VmcActivity act;
    memset(&act, 0, sizeof(act));
    act.active = t->active;
    act.n = t->n_frames;
    for (size_t f = 0; f < t->n_frames; f++) act.has_speech |= t->active[f];
    const VmcDigitsInput in = {&vmc_digitnet_model, NULL, &act, t->n_frames, VMCHECK_HOP_S, NULL, 1};
    fputs("{\"wav\": ", stdout);
    json_str(wav);
    fputs(", \"grid\": [", stdout);
    for (size_t k = 0; k < g->n; k++) {
        VmcDigitWords w;
        VmcNumber *nb = NULL;
        size_t n = 0;
        if (!vmc_digits_decode(&w, t->logp, t->n_steps, &in, &g->dp[k])) {
            if (vmc_number_find(&nb, &n, &w, &g->np[k])) n = 0;
            vmc_digits_free(&w);
        }
        if (k) fputs(", ", stdout);
        print_number_list(nb, n);
        free(nb);
    }
    fputs("]}\n", stdout);
    fflush(stdout);
}

static void print_numbers(const char *wav, const VmcDigitsTap *t, const VmcheckReport *rep)
{
    const VmcNumberParams p = *t->number_params;
    VmcNumber *nb = NULL;
    size_t n = 0;
    if (vmc_number_find(&nb, &n, &t->words, &p)) n = 0;
    fputs("{\"wav\": ", stdout);
    json_str(wav);
    fputs(", \"numbers\": ", stdout);
    print_number_list(nb, n);
    fputs(", \"segments\": [", stdout);
    /* and the report's number segments, as vmcheck would print them */
    int first = 1;
    for (size_t i = 0; rep && i < rep->segment_count; i++) {
        const VmcheckSegment *s = &rep->segments[i];
        if (s->kind != VMCHECK_SEGMENT_NUMBER) continue;
        printf("%s{\"kind\": \"number\", \"source\": \"%s\", \"start_s\": %.3f, \"end_s\": %.3f, "
               "\"syllables_per_s\": %.3f, \"verdict\": \"%s\", \"digits\": %zu, \"heard\": ",
               first ? "" : ", ", s->source == VMCHECK_SOURCE_AUTO ? "auto" : "other", s->start_s, s->end_s,
               s->syllables_per_s, s->too_fast ? "too_fast" : "ok", s->digits);
        json_str(s->heard);
        putchar('}');
        first = 0;
    }
    fputs("]}\n", stdout);
    fflush(stdout);
    free(nb);
}

static int set_param(VmcDigitsParams *dp, VmcNumberParams *np, const char *arg)
{
    char name[64];
    double v;
    if (sscanf(arg, "%63[a-z_]=%lf", name, &v) != 2) return -1;
#define SET(field, dst)                                                                                                \
    if (!strcmp(name, #field)) {                                                                                       \
        dst->field = v;                                                                                                \
        return 0;                                                                                                      \
    }
    SET(word_penalty, dp)
    SET(other_penalty, dp)
    SET(word_after_word, dp)
    SET(other_after_word, dp)
    SET(prior_weight, dp)
    SET(max_gap_s, np)
    SET(max_other_s, np)
    SET(other_sure, np)
    SET(heard_min_conf, np)
    SET(min_conf, np)
    SET(run_min_conf, np)
    SET(min_score, np)
    SET(trim_conf, np)
    SET(trim_group_conf, np)
    SET(edge_min_p, np)
#undef SET
    if (!strcmp(name, "min_half_steps")) return dp->min_half_steps = (int)v, 0;
    if (!strcmp(name, "min_other_steps")) return dp->min_other_steps = (int)v, 0;
    return -1;
}

int main(int argc, char **argv)
{
    int numbers = 0;
    Grid grid = {0};
    VmcDigitsParams dp;
    VmcNumberParams np;
    vmc_digits_params_default(&dp);
    vmc_number_params_default(&np);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--numbers"))
            numbers = 1;
        else if (!strcmp(argv[i], "--set") && i + 1 < argc && !set_param(&dp, &np, argv[i + 1]))
            i++;
        else if (!strcmp(argv[i], "--grid") && i + 1 < argc && !read_grid(&grid, argv[i + 1], &dp, &np))
            i++;
        else {
            fprintf(stderr, "usage: digits-dump [--numbers | --grid FILE] [--set NAME=VALUE]... < LIST\n");
            return 2;
        }
    }
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.threads = 1;
    char line[8400];
    int bad = 0;
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        VmcDigitsTap tap;
        memset(&tap, 0, sizeof(tap));
        tap.digits_params = &dp;
        tap.number_params = &np;
        VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, &tap, 0.0, 0};
        VmcheckReport *rep = NULL;
        int r = vmc_decode_path(&rep, &args, line);
        if (r) {
            fprintf(stderr, "dump: %s: %s\n", line, vmcheck_strerror(r));
            bad = 1;
        } else if (grid.n) {
            print_grid(line, &tap, &grid);
        } else if (numbers) {
            print_numbers(line, &tap, rep);
        } else if (write_dump(tab + 1, &tap)) {
            fprintf(stderr, "dump: %s: cannot write\n", tab + 1);
            bad = 1;
        }
        vmcheck_report_free(&rep);
        vmc_digits_tap_free(&tap);
    }
    free(grid.dp);
    free(grid.np);
    return bad;
}
