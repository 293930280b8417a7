/* The driver: feeds the analyser from any source (src/io/source.h), so a
 * path, a memory image and a file descriptor are three ways to open a
 * source, not three copies of this loop. */
#include "io/decode.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "common/common.h"
#include "common/fmt.h"
#include "common/profile.h"
#include "io/source.h"

/* Input frames of one analysis window: less than this is nothing to
 * measure. */
static unsigned long long window_frames(const VmcheckAnalyzer *a) { return (unsigned long long)a->win * a->decim; }

/* With a cap (the fuzz harness), how much is decoded: enough for the
 * decoders to see a small input whole, not the minutes of silence a
 * damaged timestamp can ask for. */
#define DECODE_PAST_CAP 20

/* Recordings longer than this are analysed in passes (analyzer.h,
 * VmcPass): an hour in one pass peaks near 30 MiB, six in passes near 58. */
#define PASSES_FROM_S 5400.0

/* How to open the source again for the passes after the first. */
typedef struct Reopen {
    const char *path;
    const void *data;
    size_t size;
    unsigned backends;
    int fd; /* >= 0: a regular file, read from fd_at */
    off_t fd_at;
    const VmcheckLogger *lg;
    unsigned long long frames; /* what the first pass read */
} Reopen;

static int reopen(VmcSource **src, const Reopen *o)
{
    if (o->path) return vmc_source_open_path(src, o->path, o->lg);
    if (o->fd >= 0)
        return lseek(o->fd, o->fd_at, SEEK_SET) == o->fd_at ? vmc_source_open_fd(src, o->fd, o->lg) : VMCHECK_EIO;
    return vmc_source_open_memory(src, o->data, o->size, o->backends, o->lg);
}

/* A pass after the first: the same samples again (VmcRefeed). */
static int refeed(void *ctx, VmcheckAnalyzer *a)
{
    const Reopen *o = ctx;
    VmcSource *src = NULL;
    int r = reopen(&src, o);
    while (!r) {
        const float *mono;
        size_t n, clipped, samples;
        VMC_PROFILE_START(t);
        r = vmc_source_read(src, &mono, &n, &clipped, &samples);
        VMC_PROFILE_STOP(t, VMC_STAGE_DECODE);
        if (r || n == 0) break;
        r = vmc_analyzer_push_checked(a, mono, n, 1);
    }
    /* (a source that cannot be opened again has said why) */
    if (!r && src && vmc_source_frames(src) != o->frames) {
        vmc_log(o->lg, VMCHECK_LOG_ERROR,
                "the file changed while it was being analysed (a long recording is read more than once)");
        r = VMCHECK_EIO;
    }
    vmc_source_close(&src);
    return r;
}

static int drive(VmcheckReport **out, const VmcAnalyzeArgs *args, VmcSource *src, Reopen *ro)
{
    const VmcheckLogger *lg = &args->cfg->logger;
    const VmcSourceInfo *info = vmc_source_info(src);
    VmcheckAnalyzer *a = NULL;
    int r = vmc_analyzer_create(&a, args->cfg, info->rate_hz);
    if (r) goto done;
    /* the cap, in frames (rounded down; 0: none): what is past it is
     * decoded and checked, not analysed, up to DECODE_PAST_CAP times it */
    const unsigned long long cap = args->max_s > 0.0 ? (unsigned long long)(args->max_s * info->rate_hz) : 0;
    /* the length the header gives (for a file, what it really holds) sizes
     * the tracks once; a promise beyond the file is not believed here */
    const unsigned long long hint = cap && info->frames_hint > cap ? cap : info->frames_hint;
    /* a long file in passes, when it can be read again */
    const int passes =
        args->passes ? args->passes == 2 : (double)info->frames_hint > PASSES_FROM_S * (double)info->rate_hz;
    if (ro && passes && !cap && !args->tap) vmc_analyzer_set_refeed(a, refeed, ro);
    if (hint && (r = vmc_analyzer_reserve(a, hint))) goto done;
    if (args->tap) vmc_analyzer_set_tap(a, args->tap);
    for (;;) {
        const float *mono;
        size_t n, clipped, samples;
        const unsigned long long before = vmc_source_frames(src);
        if (cap && before >= DECODE_PAST_CAP * cap) break;
        VMC_PROFILE_START(t);
        r = vmc_source_read(src, &mono, &n, &clipped, &samples);
        VMC_PROFILE_STOP(t, VMC_STAGE_DECODE);
        if (r) goto done;
        if (n == 0) break;
        if (cap && before + n > cap) {
            if (before >= cap) continue;
            n = (size_t)(cap - before);
        }
        vmc_analyzer_add_clipping(a, clipped, samples);
        r = vmc_analyzer_push_checked(a, mono, n, 1);
        if (r) {
            if (r == VMCHECK_ERANGE)
                vmc_log(lg, VMCHECK_LOG_ERROR, "longer than %d hours", (int)(VMCHECK_MAX_DURATION_S / 3600.0));
            goto done;
        }
    }
    const unsigned long long frames = vmc_source_frames(src);
    const double got_s = (double)frames / (double)info->rate_hz;
    const int cut = info->promised_s >= 0.0 && got_s < info->promised_s - info->promise_slack_s;
    if (cut && frames < window_frames(a)) {
        char g[32], p[32], w[32];
        vmc_fmt_fixed(g, sizeof(g), got_s, 3);
        vmc_fmt_fixed(p, sizeof(p), info->promised_s, 2);
        vmc_fmt_fixed(w, sizeof(w), (double)window_frames(a) / (double)info->rate_hz, 2);
        vmc_log(lg, VMCHECK_LOG_ERROR,
                "truncated: the recording stops at %s s but its header promises %s s, less than one analysis "
                "frame (%s s) to measure; record or copy it again",
                g, p, w);
        r = VMCHECK_EFORMAT;
        goto done;
    }
    if (frames == 0) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "no audio frames could be read");
        r = VMCHECK_EEMPTY;
        goto done;
    }
    if (cut) vmc_analyzer_set_promise(a, info->promised_s);
    if (ro) ro->frames = frames;
    r = vmc_analyzer_finish(a, out, args->segs, args->n_segs, args->script);
    if (!r) {
        (*out)->channels = info->channels;
        snprintf((*out)->format, sizeof((*out)->format), "%s", info->format);
    }
done:
    vmc_analyzer_destroy(&a);
    return r;
}

static int drive_and_close(VmcheckReport **out, const VmcAnalyzeArgs *args, int opened, VmcSource *src, Reopen *ro)
{
    if (opened) return opened;
    int r = drive(out, args, src, ro);
    vmc_source_close(&src);
    return r;
}

int vmc_decode_path(VmcheckReport **out, const VmcAnalyzeArgs *args, const char *path)
{
    VmcSource *src = NULL;
    int r = vmc_source_open_path(&src, path, &args->cfg->logger);
    Reopen ro = {.path = path, .fd = -1, .lg = &args->cfg->logger};
    return drive_and_close(out, args, r, src, &ro);
}

int vmc_decode_fd(VmcheckReport **out, const VmcAnalyzeArgs *args, int fd)
{
    VmcSource *src = NULL;
    /* a regular file can be read again from where it started; a pipe not */
    struct stat st;
    const off_t at = lseek(fd, 0, SEEK_CUR);
    Reopen ro = {.fd = fd, .fd_at = at, .lg = &args->cfg->logger};
    const int again = at >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    int r = vmc_source_open_fd(&src, fd, &args->cfg->logger);
    return drive_and_close(out, args, r, src, again ? &ro : NULL);
}

int vmc_decode_memory_with(VmcheckReport **out, const VmcAnalyzeArgs *args, const void *data, size_t size,
                           unsigned backends)
{
    VmcSource *src = NULL;
    int r = vmc_source_open_memory(&src, data, size, backends, &args->cfg->logger);
    Reopen ro = {.data = data, .size = size, .backends = backends, .fd = -1, .lg = &args->cfg->logger};
    return drive_and_close(out, args, r, src, &ro);
}

int vmc_decode_memory(VmcheckReport **out, const VmcAnalyzeArgs *args, const void *data, size_t size)
{
    return vmc_decode_memory_with(out, args, data, size, VMC_BACKEND_ANY);
}
