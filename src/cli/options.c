/* Option parsing: getopt_long, strict numbers, errors that name the option. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "common/fmt.h"

static const char usage_text[] =
    "Usage: vmcheck [OPTIONS] FILE|DIR...\n"
    "       vmcheck [OPTIONS] -          (the recording on standard input)\n"
    "Measure a practice answer-phone message: speaking rate, pauses, pitch,\n"
    "loudness, length, and whether the name and phone number were rushed.\n"
    "\n"
    "  --format text|json|jsonl|csv  output format (default text)\n"
    "  --json                 same as --format json\n"
    "  --labels FILE          Audacity label track marking 'name' and 'number'\n"
    "  --name S-E             the name is spoken from S to E seconds\n"
    "  --number S-E           the number is spoken from S to E seconds (repeatable)\n"
    "  --script FILE          the prepared text of the message\n"
    "  --baseline FILE        the speaker's ordinary voice, for pitch lift, where no\n"
    "                         NAME.baseline.EXT or baseline.EXT lies beside a take\n"
    "  --progress             each trainee's (folder's) takes in time order, and the\n"
    "                         change from first to latest (always for a cohort)\n"
    "  --verbose              say on stderr when each baseline is analysed\n"
    "  --tracks               add per-frame tracks to JSON\n"
    "  --export-labels FILE   write pauses, syllables, segments and flags as labels\n"
    "  --max-number-rate R    number limit in syllables/s (default 3.5)\n"
    "  --max-name-rate R      name limit in syllables/s (default 4.0)\n"
    "  --min-pause S          shortest silence counted as a pause (default 0.25)\n"
    "  --pitch-floor HZ       lowest pitch searched (default 60)\n"
    "  --pitch-ceiling HZ     highest pitch searched (default 500)\n"
    "  --no-sidecar           ignore NAME.labels.txt, NAME.txt and baselines beside each file\n"
    "  --follow-symlinks      walk into symlinked directories too (each directory once)\n"
    "  --no-digits            do not listen for digit words (no number found in the audio)\n"
    "  -j N                   files analysed in parallel (default: cores)\n"
    "  -o FILE                write the output to FILE (atomically)\n"
    "  --html FILE            also write an HTML report: the message page for one\n"
    "                         input, the cohort page for several or a folder\n"
    "  --html-audio embed|link|none  the page's player: the audio embedded\n"
    "                         (default for one input), linked by relative path\n"
    "                         (default for a cohort), or none\n"
    "  --name-as NAME         call the (one) input NAME in the report (e.g. for -)\n"
    "  -q                     print nothing on stdout; the exit status tells\n"
    "  --version, --help\n"
    "Flag limits (defaults in brackets):\n"
    "  --min-lift ST [0.5]  --max-lift ST [6]  --monotone-range ST [3]\n"
    "  --long-message S [30]  --late-start S [2]  --low-level DBFS [-40]\n"
    "  --clipping PERCENT [0.1]  --noisy-snr DB [15]\n"
    "\n"
    "Exit status: 0 all analysed and nothing to fix, 1 something to fix,\n"
    "2 usage error or a file could not be analysed.\n";

enum {
    OPT_FORMAT = 256,
    OPT_JSON,
    OPT_LABELS,
    OPT_NAME,
    OPT_NUMBER,
    OPT_SCRIPT,
    OPT_BASELINE,
    OPT_TRACKS,
    OPT_EXPORT,
    OPT_MAX_NUMBER,
    OPT_MAX_NAME,
    OPT_MIN_PAUSE,
    OPT_PITCH_FLOOR,
    OPT_PITCH_CEIL,
    OPT_NO_SIDECAR,
    OPT_NO_DIGITS,
    OPT_FOLLOW,
    OPT_MIN_LIFT,
    OPT_MAX_LIFT,
    OPT_MONOTONE,
    OPT_LONG,
    OPT_LATE,
    OPT_LOW,
    OPT_CLIP,
    OPT_NOISY,
    OPT_NAME_AS,
    OPT_HTML,
    OPT_HTML_AUDIO,
    OPT_PROGRESS,
    OPT_VERBOSE,
    OPT_VERSION,
    OPT_HELP,
};

static const struct option longopts[] = {
    {"format", required_argument, NULL, OPT_FORMAT},
    {"json", no_argument, NULL, OPT_JSON},
    {"labels", required_argument, NULL, OPT_LABELS},
    {"name", required_argument, NULL, OPT_NAME},
    {"number", required_argument, NULL, OPT_NUMBER},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"tracks", no_argument, NULL, OPT_TRACKS},
    {"export-labels", required_argument, NULL, OPT_EXPORT},
    {"max-number-rate", required_argument, NULL, OPT_MAX_NUMBER},
    {"max-name-rate", required_argument, NULL, OPT_MAX_NAME},
    {"min-pause", required_argument, NULL, OPT_MIN_PAUSE},
    {"pitch-floor", required_argument, NULL, OPT_PITCH_FLOOR},
    {"pitch-ceiling", required_argument, NULL, OPT_PITCH_CEIL},
    {"no-sidecar", no_argument, NULL, OPT_NO_SIDECAR},
    {"no-digits", no_argument, NULL, OPT_NO_DIGITS},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW},
    {"min-lift", required_argument, NULL, OPT_MIN_LIFT},
    {"max-lift", required_argument, NULL, OPT_MAX_LIFT},
    {"monotone-range", required_argument, NULL, OPT_MONOTONE},
    {"long-message", required_argument, NULL, OPT_LONG},
    {"late-start", required_argument, NULL, OPT_LATE},
    {"low-level", required_argument, NULL, OPT_LOW},
    {"clipping", required_argument, NULL, OPT_CLIP},
    {"noisy-snr", required_argument, NULL, OPT_NOISY},
    {"name-as", required_argument, NULL, OPT_NAME_AS},
    {"html", required_argument, NULL, OPT_HTML},
    {"html-audio", required_argument, NULL, OPT_HTML_AUDIO},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, ...) VMC_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vmcheck: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'vmcheck --help'.\n", stderr);
    va_end(ap);
    return 2;
}

/* Whole-string number in [lo, hi]. */
static int parse_num(double *out, const char *s, double lo, double hi)
{
    size_t n = strlen(s);
    double v;
    if (!n || vmc_parse_double(&v, s, n) != n || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static int parse_range(VmcheckSegmentSpec *seg, const char *s)
{
    size_t n = strlen(s);
    double a, b;
    size_t k = vmc_parse_double(&a, s, n);
    if (!k || k >= n || s[k] != '-') return -1;
    size_t k2 = vmc_parse_double(&b, s + k + 1, n - k - 1);
    if (!k2 || k + 1 + k2 != n || a < 0.0 || b <= a) return -1;
    seg->start_s = a;
    seg->end_s = b;
    seg->line = 0;
    return 0;
}

static int add_seg(CliOptions *o, enum VmcheckSegmentKind kind, const char *arg, const char *opt)
{
    VmcheckSegmentSpec s;
    if (parse_range(&s, arg))
        return usage_error("%s: '%s' is not a time range START-END in seconds (e.g. 12.5-17.0)", opt, arg);
    s.kind = kind;
    VmcheckSegmentSpec *v = realloc(o->segs, (o->n_segs + 1) * sizeof(*v));
    if (!v) return usage_error("%s: out of memory", opt);
    o->segs = v;
    o->segs[o->n_segs++] = s;
    return 0;
}

static char *slurp(const char *path, size_t *len, int regular_only, int *absent, char *why, size_t why_size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (absent) *absent = 1;
        if (err == ENOENT)
            snprintf(why, why_size, "no such file");
        else
            snprintf(why, why_size, "cannot read: %s", strerror(err));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) || (regular_only && !S_ISREG(st.st_mode))) {
        int dir = S_ISDIR(st.st_mode);
        close(fd);
        if (absent) *absent = 1;
        snprintf(why, why_size, "%s", dir ? "is a directory, not a file" : "not a regular file");
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) vmc_wait_readable(fd); /* a pipe named by the user: wait for its writer */
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        snprintf(why, why_size, "cannot read: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    const size_t max = 1u << 20; /* a label track or script is small */
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        snprintf(why, why_size, "%s", buf ? "read error" : "out of memory");
        return NULL;
    }
    if (n > max) {
        free(buf);
        snprintf(why, why_size, "larger than 1 MiB: not a label or script file");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

char *cli_slurp(const char *path, size_t *len, char *why, size_t why_size)
{
    return slurp(path, len, 0, NULL, why, why_size);
}

char *cli_slurp_regular(const char *path, size_t *len, int *absent, char *why, size_t why_size)
{
    *absent = 0;
    return slurp(path, len, 1, absent, why, why_size);
}

int cli_parse(CliOptions *o, int argc, char **argv)
{
    memset(o, 0, sizeof(*o));
    vmcheck_config_default(&o->cfg);
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = nproc > 0 ? (unsigned)nproc : 1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:o:q", longopts, NULL)) != -1) {
        double v;
        switch (c) {
        case OPT_FORMAT:
            if (!strcmp(optarg, "text"))
                o->format = CLI_TEXT;
            else if (!strcmp(optarg, "json"))
                o->format = CLI_JSON;
            else if (!strcmp(optarg, "jsonl"))
                o->format = CLI_JSONL;
            else if (!strcmp(optarg, "csv"))
                o->format = CLI_CSV;
            else
                return usage_error("--format: '%s' is not one of text, json, jsonl, csv", optarg);
            break;
        case OPT_JSON: o->format = CLI_JSON; break;
        case OPT_LABELS: o->labels_path = optarg; break;
        case OPT_NAME:
            if (add_seg(o, VMCHECK_SEGMENT_NAME, optarg, "--name")) return 2;
            break;
        case OPT_NUMBER:
            if (add_seg(o, VMCHECK_SEGMENT_NUMBER, optarg, "--number")) return 2;
            break;
        case OPT_SCRIPT: o->script_path = optarg; break;
        case OPT_BASELINE: o->baseline_path = optarg; break;
        case OPT_TRACKS: o->json_tracks = 1; break;
        case OPT_EXPORT: o->export_labels = optarg; break;
        case OPT_MAX_NUMBER:
            if (parse_num(&o->cfg.max_number_rate, optarg, 0.5, 20.0))
                return usage_error("--max-number-rate: '%s' is not a rate between 0.5 and 20 syllables/s", optarg);
            break;
        case OPT_MAX_NAME:
            if (parse_num(&o->cfg.max_name_rate, optarg, 0.5, 20.0))
                return usage_error("--max-name-rate: '%s' is not a rate between 0.5 and 20 syllables/s", optarg);
            break;
        case OPT_MIN_PAUSE:
            if (parse_num(&o->cfg.min_pause_s, optarg, 0.05, 5.0))
                return usage_error("--min-pause: '%s' is not a duration between 0.05 and 5 seconds", optarg);
            break;
        case OPT_PITCH_FLOOR:
            if (parse_num(&o->cfg.pitch_floor_hz, optarg, 30.0, 400.0))
                return usage_error("--pitch-floor: '%s' is not a frequency between 30 and 400 Hz", optarg);
            break;
        case OPT_PITCH_CEIL:
            if (parse_num(&o->cfg.pitch_ceiling_hz, optarg, 80.0, 1000.0))
                return usage_error("--pitch-ceiling: '%s' is not a frequency between 80 and 1000 Hz", optarg);
            break;
        case 'j': {
            char *end;
            errno = 0;
            unsigned long n = strtoul(optarg, &end, 10);
            if (errno || *end || end == optarg || n < 1 || n > 256 || optarg[0] == '-')
                return usage_error("-j: '%s' is not a number of jobs between 1 and 256", optarg);
            o->jobs = (unsigned)n;
            break;
        }
        case 'o': o->out_path = optarg; break;
        case OPT_NAME_AS:
            if (!optarg[0]) return usage_error("--name-as: the name must not be empty");
            o->name_as = optarg;
            break;
        case OPT_HTML:
            if (!optarg[0]) return usage_error("--html: the file name must not be empty");
            o->html_path = optarg;
            break;
        case OPT_HTML_AUDIO:
            if (!strcmp(optarg, "embed"))
                o->html_audio = CLI_HTML_AUDIO_EMBED;
            else if (!strcmp(optarg, "link"))
                o->html_audio = CLI_HTML_AUDIO_LINK;
            else if (!strcmp(optarg, "none"))
                o->html_audio = CLI_HTML_AUDIO_NONE;
            else
                return usage_error("--html-audio: '%s' is not one of embed, link, none", optarg);
            break;
        case 'q': o->quiet = 1; break;
        case OPT_PROGRESS: o->progress = 1; break;
        case OPT_VERBOSE: o->verbose = 1; break;
        case OPT_NO_SIDECAR: o->no_sidecar = 1; break;
        case OPT_NO_DIGITS: o->cfg.digit_detector = 0; break;
        case OPT_FOLLOW: o->follow_symlinks = 1; break;
        case OPT_MIN_LIFT:
            if (parse_num(&o->cfg.min_lift_st, optarg, -12.0, 12.0))
                return usage_error("--min-lift: '%s' is not a number of semitones between -12 and 12", optarg);
            break;
        case OPT_MAX_LIFT:
            if (parse_num(&o->cfg.max_lift_st, optarg, -12.0, 24.0))
                return usage_error("--max-lift: '%s' is not a number of semitones between -12 and 24", optarg);
            break;
        case OPT_MONOTONE:
            if (parse_num(&o->cfg.monotone_range_st, optarg, 0.0, 24.0))
                return usage_error("--monotone-range: '%s' is not a number of semitones between 0 and 24", optarg);
            break;
        case OPT_LONG:
            if (parse_num(&o->cfg.long_message_s, optarg, 1.0, 3600.0))
                return usage_error("--long-message: '%s' is not a duration between 1 and 3600 seconds", optarg);
            break;
        case OPT_LATE:
            if (parse_num(&o->cfg.late_start_s, optarg, 0.0, 60.0))
                return usage_error("--late-start: '%s' is not a duration between 0 and 60 seconds", optarg);
            break;
        case OPT_LOW:
            if (parse_num(&o->cfg.low_level_dbfs, optarg, -120.0, 0.0))
                return usage_error("--low-level: '%s' is not a level between -120 and 0 dBFS", optarg);
            break;
        case OPT_CLIP:
            if (parse_num(&v, optarg, 0.0, 100.0))
                return usage_error("--clipping: '%s' is not a percentage between 0 and 100", optarg);
            o->cfg.clipping_ratio = v / 100.0;
            break;
        case OPT_NOISY:
            if (parse_num(&o->cfg.noisy_snr_db, optarg, 0.0, 100.0))
                return usage_error("--noisy-snr: '%s' is not a level difference between 0 and 100 dB", optarg);
            break;
        case OPT_VERSION: printf("vmcheck %s\n", vmcheck_version()); return -1;
        case OPT_HELP: fputs(usage_text, stdout); return -1;
        case ':': return usage_error("%s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
        (void)v;
    }
    /* the page draws the level and pitch: keep the tracks (JSON shows them only with --tracks) */
    o->cfg.keep_tracks = o->json_tracks || o->html_path;
    if (o->html_audio && !o->html_path) return usage_error("--html-audio needs --html FILE");
    if (o->cfg.pitch_ceiling_hz < 1.5 * o->cfg.pitch_floor_hz)
        return usage_error("--pitch-ceiling must be at least 1.5 times --pitch-floor");
    if (optind >= argc) return usage_error("no input file given");
    const size_t n_args = (size_t)(argc - optind);
    for (size_t i = 0; i < n_args; i++)
        if (!strcmp(argv[optind + i], "-") && n_args > 1)
            return usage_error("- (standard input) must be the only input");
    int r = cli_expand_inputs(o, argv + optind, n_args);
    if (!r && o->name_as && (o->n_inputs != 1 || o->any_dir))
        return usage_error("--name-as names one input: give exactly one file (or -)");
    return r;
}

void cli_options_free(CliOptions *o)
{
    for (size_t i = 0; i < o->n_inputs; i++) free(o->inputs[i]);
    free(o->inputs);
    free(o->input_errors);
    free(o->segs);
    memset(o, 0, sizeof(*o));
}
