/* The public entry points: the one place public arguments are validated. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "abi.h"
#include "analyzer.h"
#include "common/common.h"
#include "io/decode.h"
#include "io/labels.h"
#include "score/score.h"
#include "vmcheck/vmcheck.h"

/* The current structs begin with their 0.1 layouts, field for field. */
#define SAME_FIELD(cur, old, f) _Static_assert(offsetof(cur, f) == offsetof(old, f), #cur "." #f " moved")
SAME_FIELD(VmcheckConfig, VmcConfig01, logger);
SAME_FIELD(VmcheckConfig, VmcConfig01, min_pause_s);
SAME_FIELD(VmcheckConfig, VmcConfig01, max_number_rate);
SAME_FIELD(VmcheckConfig, VmcConfig01, max_name_rate);
SAME_FIELD(VmcheckConfig, VmcConfig01, pitch_floor_hz);
SAME_FIELD(VmcheckConfig, VmcConfig01, pitch_ceiling_hz);
SAME_FIELD(VmcheckConfig, VmcConfig01, baseline_f0_hz);
SAME_FIELD(VmcheckConfig, VmcConfig01, min_lift_st);
SAME_FIELD(VmcheckConfig, VmcConfig01, max_lift_st);
SAME_FIELD(VmcheckConfig, VmcConfig01, monotone_range_st);
SAME_FIELD(VmcheckConfig, VmcConfig01, long_message_s);
SAME_FIELD(VmcheckConfig, VmcConfig01, late_start_s);
SAME_FIELD(VmcheckConfig, VmcConfig01, low_level_dbfs);
SAME_FIELD(VmcheckConfig, VmcConfig01, clipping_ratio);
SAME_FIELD(VmcheckConfig, VmcConfig01, noisy_snr_db);
SAME_FIELD(VmcheckConfig, VmcConfig01, keep_tracks);
SAME_FIELD(VmcheckConfig, VmcConfig01, threads);
SAME_FIELD(VmcheckConfig, VmcConfig01, digit_detector);
SAME_FIELD(VmcheckSegment, VmcSegment01, kind);
SAME_FIELD(VmcheckSegment, VmcSegment01, source);
SAME_FIELD(VmcheckSegment, VmcSegment01, start_s);
SAME_FIELD(VmcheckSegment, VmcSegment01, end_s);
SAME_FIELD(VmcheckSegment, VmcSegment01, syllables);
SAME_FIELD(VmcheckSegment, VmcSegment01, syllables_per_s);
SAME_FIELD(VmcheckSegment, VmcSegment01, too_fast);
SAME_FIELD(VmcheckSegment, VmcSegment01, median_f0_hz);
SAME_FIELD(VmcheckSegment, VmcSegment01, groups);
SAME_FIELD(VmcheckSegment, VmcSegment01, gap_count);
SAME_FIELD(VmcheckSegment, VmcSegment01, gaps);
SAME_FIELD(VmcheckSegment, VmcSegment01, text);
SAME_FIELD(VmcheckSegment, VmcSegment01, digits);
SAME_FIELD(VmcheckSegment, VmcSegment01, digits_per_s);
SAME_FIELD(VmcheckSegment, VmcSegment01, heard);
SAME_FIELD(VmcheckFlag, VmcFlag01, code);
SAME_FIELD(VmcheckFlag, VmcFlag01, severity);
SAME_FIELD(VmcheckFlag, VmcFlag01, start_s);
SAME_FIELD(VmcheckFlag, VmcFlag01, end_s);
SAME_FIELD(VmcheckFlag, VmcFlag01, message);
_Static_assert(sizeof(VmcheckConfig) >= sizeof(VmcConfig01), "VmcheckConfig shrank");
_Static_assert(sizeof(VmcheckSegment) >= sizeof(VmcSegment01), "VmcheckSegment shrank");
_Static_assert(sizeof(VmcheckFlag) >= sizeof(VmcFlag01), "VmcheckFlag shrank");

static int publish(VmcheckReport **out, VmcheckReport *r);

const char *vmcheck_version(void) { return VMCHECK_VERSION_STRING; }

const char *vmcheck_strerror(int status)
{
    switch (status) {
    case VMCHECK_OK: return "success";
    case VMCHECK_EINVAL: return "invalid argument";
    case VMCHECK_ENOMEM: return "out of memory";
    case VMCHECK_EIO: return "cannot read the file";
    case VMCHECK_EFORMAT: return "not a readable audio file";
    case VMCHECK_ERANGE: return "audio outside the supported range";
    case VMCHECK_EDATA: return "non-finite samples (not a number, or infinite)";
    case VMCHECK_EEMPTY: return "no audio";
    case VMCHECK_ELABELS: return "bad segment labels";
    case VMCHECK_ESCRIPT: return "bad script";
    default: return "unknown error";
    }
}

/* The defaults, in the library's own layout. */
static void defaults(VmcheckConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->min_pause_s = 0.25;
    cfg->max_number_rate = 3.5;
    cfg->max_name_rate = 4.0;
    cfg->pitch_floor_hz = 60.0;
    cfg->pitch_ceiling_hz = 500.0;
    cfg->baseline_f0_hz = 0.0;
    cfg->min_lift_st = 0.5;
    cfg->max_lift_st = 6.0;
    cfg->monotone_range_st = 3.0;
    cfg->long_message_s = 30.0;
    cfg->late_start_s = 2.0;
    cfg->low_level_dbfs = -40.0;
    cfg->clipping_ratio = 0.001;
    cfg->noisy_snr_db = 15.0;
    cfg->keep_tracks = 0;
    cfg->digit_detector = 1;
}

void vmcheck_config_default_sized(VmcheckConfig *cfg, size_t size)
{
    if (!cfg || size < sizeof(VmcConfig01)) return;
    VmcheckConfig d;
    defaults(&d);
    /* a newer header's fields, unknown here, are left zero */
    memcpy(cfg, &d, size < sizeof(d) ? size : sizeof(d));
    if (size > sizeof(d)) memset((char *)cfg + sizeof(d), 0, size - sizeof(d));
}

void(vmcheck_config_default)(VmcheckConfig *cfg) { vmcheck_config_default_sized(cfg, sizeof(VmcConfig01)); }

/* The caller's config of size bytes (NULL: defaults) in the library's
 * layout: the fields its header did not have keep their defaults. */
static int config_import(VmcheckConfig *dst, const VmcheckConfig *src, size_t size)
{
    defaults(dst);
    if (!src) return VMCHECK_OK;
    if (size < sizeof(VmcConfig01)) return VMCHECK_EINVAL;
    memcpy(dst, src, size < sizeof(*dst) ? size : sizeof(*dst));
    return VMCHECK_OK;
}

static int in(double v, double lo, double hi) { return isfinite(v) && v >= lo && v <= hi; }

/* Settings that would make the analysis meaningless are misuse. */
static int config_ok(const VmcheckConfig *c)
{
    return in(c->min_pause_s, 0.02, 10.0) && in(c->max_number_rate, 0.1, 50.0) && in(c->max_name_rate, 0.1, 50.0) &&
           in(c->pitch_floor_hz, 30.0, 400.0) && in(c->pitch_ceiling_hz, c->pitch_floor_hz * 1.5, 1000.0) &&
           in(c->baseline_f0_hz, 0.0, 1000.0) && isfinite(c->min_lift_st) && isfinite(c->max_lift_st) &&
           isfinite(c->monotone_range_st) && isfinite(c->long_message_s) && isfinite(c->late_start_s) &&
           isfinite(c->low_level_dbfs) && isfinite(c->clipping_ratio) && isfinite(c->noisy_snr_db) && c->threads >= 0 &&
           c->threads <= 64;
}

int vmcheck_analyzer_create_sized(VmcheckAnalyzer **out, const VmcheckConfig *cfg, size_t cfg_size, unsigned rate)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VmcheckConfig c;
    VMC_VALIDATE(config_import(&c, cfg, cfg_size) == VMCHECK_OK, VMCHECK_EINVAL);
    VMC_VALIDATE(config_ok(&c), VMCHECK_EINVAL);
    if (rate < VMCHECK_MIN_RATE_HZ || rate > VMCHECK_MAX_RATE_HZ) return VMCHECK_ERANGE;
    return vmc_analyzer_create(out, &c, rate);
}

int(vmcheck_analyzer_create)(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate)
{
    return vmcheck_analyzer_create_sized(out, cfg, sizeof(VmcConfig01), rate);
}

int vmcheck_analyzer_push(VmcheckAnalyzer *a, const float *samples, size_t n)
{
    VMC_VALIDATE(a != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(samples != NULL || n == 0, VMCHECK_EINVAL);
    VMC_VALIDATE(!a->finished, VMCHECK_EINVAL);
    return vmc_analyzer_push(a, samples, n);
}

int vmcheck_analyzer_add_clipping(VmcheckAnalyzer *a, size_t clipped, size_t total)
{
    VMC_VALIDATE(a != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(clipped <= total, VMCHECK_EINVAL);
    vmc_analyzer_add_clipping(a, clipped, total);
    return VMCHECK_OK;
}

static int segs_ok(const VmcheckSegmentSpec *segs, size_t n)
{
    if (n && !segs) return 0;
    for (size_t i = 0; i < n; i++)
        if (segs[i].kind != VMCHECK_SEGMENT_NAME && segs[i].kind != VMCHECK_SEGMENT_NUMBER) return 0;
    return 1;
}

int vmcheck_analyzer_finish(VmcheckAnalyzer *a, VmcheckReport **out, const VmcheckSegmentSpec *segs, size_t n_segs,
                            const char *script)
{
    VMC_VALIDATE(a != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(segs_ok(segs, n_segs), VMCHECK_EINVAL);
    VmcheckReport *r = NULL;
    int st = vmc_analyzer_finish(a, &r, segs, n_segs, script);
    if (!st) st = publish(out, r);
    return st;
}

void vmcheck_analyzer_destroy(VmcheckAnalyzer **a) { vmc_analyzer_destroy(a); }

/* What every analyze entry point checks and sets up: the segments, the
 * caller's configuration imported by its size and validated. */
static int prepare(VmcAnalyzeArgs *args, VmcheckConfig *c, const VmcheckConfig *cfg, size_t cfg_size,
                   const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    VMC_VALIDATE(segs_ok(segs, n_segs), VMCHECK_EINVAL);
    VMC_VALIDATE(config_import(c, cfg, cfg_size) == VMCHECK_OK, VMCHECK_EINVAL);
    VMC_VALIDATE(config_ok(c), VMCHECK_EINVAL);
    *args = (VmcAnalyzeArgs){c, segs, n_segs, script, NULL, 0.0, 0};
    return VMCHECK_OK;
}

int vmcheck_analyze_file_sized(const VmcheckConfig *cfg, size_t cfg_size, VmcheckReport **out, const char *path,
                               const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(path != NULL, VMCHECK_EINVAL);
    VmcheckConfig c;
    VmcAnalyzeArgs args;
    const int bad = prepare(&args, &c, cfg, cfg_size, segs, n_segs, script);
    if (bad) return bad;
    VmcheckReport *r = NULL;
    int st = vmc_decode_path(&r, &args, path);
    if (!st) st = publish(out, r);
    return st;
}

int(vmcheck_analyze_file)(const VmcheckConfig *cfg, VmcheckReport **out, const char *path,
                          const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    return vmcheck_analyze_file_sized(cfg, sizeof(VmcConfig01), out, path, segs, n_segs, script);
}

int vmcheck_analyze_fd_sized(const VmcheckConfig *cfg, size_t cfg_size, VmcheckReport **out, int fd,
                             const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(fd >= 0, VMCHECK_EINVAL);
    VmcheckConfig c;
    VmcAnalyzeArgs args;
    const int bad = prepare(&args, &c, cfg, cfg_size, segs, n_segs, script);
    if (bad) return bad;
    VmcheckReport *r = NULL;
    int st = vmc_decode_fd(&r, &args, fd);
    if (!st) st = publish(out, r);
    return st;
}

int vmcheck_analyze_memory_sized(const VmcheckConfig *cfg, size_t cfg_size, VmcheckReport **out, const void *data,
                                 size_t size, const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(data != NULL || size == 0, VMCHECK_EINVAL);
    VmcheckConfig c;
    VmcAnalyzeArgs args;
    const int bad = prepare(&args, &c, cfg, cfg_size, segs, n_segs, script);
    if (bad) return bad;
    VmcheckReport *r = NULL;
    int st = vmc_decode_memory(&r, &args, data, size);
    if (!st) st = publish(out, r);
    return st;
}

int(vmcheck_analyze_memory)(const VmcheckConfig *cfg, VmcheckReport **out, const void *data, size_t size,
                            const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    return vmcheck_analyze_memory_sized(cfg, sizeof(VmcConfig01), out, data, size, segs, n_segs, script);
}

int vmc_report_publish(VmcheckReport *r)
{
    /* known at compile time: nothing to do while no element has grown */
    if (sizeof(VmcheckSegment) == sizeof(VmcSegment01) && sizeof(VmcheckFlag) == sizeof(VmcFlag01)) return VMCHECK_OK;
    struct VmcheckReportInternal *in = vmc_calloc(1, sizeof(*in));
    unsigned char *segs = vmc_calloc(r->segment_count, sizeof(VmcSegment01));
    unsigned char *flags = vmc_calloc(r->flag_count, sizeof(VmcFlag01));
    if (!in || !segs || !flags) {
        free(in);
        free(segs);
        free(flags);
        return VMCHECK_ENOMEM;
    }
    /* each element's first bytes are its 0.1 layout (asserted above) */
    for (size_t i = 0; i < r->segment_count; i++)
        memcpy(segs + i * sizeof(VmcSegment01), &r->segments[i], sizeof(VmcSegment01));
    for (size_t i = 0; i < r->flag_count; i++) memcpy(flags + i * sizeof(VmcFlag01), &r->flags[i], sizeof(VmcFlag01));
    in->segments = r->segments;
    in->flags = r->flags;
    r->segments = (VmcheckSegment *)(void *)segs;
    r->flags = (VmcheckFlag *)(void *)flags;
    r->internal = in;
    return VMCHECK_OK;
}

void vmc_report_unpublish(VmcheckReport *r)
{
    if (!r->internal) return;
    free(r->segments);
    free(r->flags);
    r->segments = r->internal->segments;
    r->flags = r->internal->flags;
    free(r->internal);
    r->internal = NULL;
}

/* A finished report to the caller, in the layout programs built against
 * any version of this soname can read. */
static int publish(VmcheckReport **out, VmcheckReport *r)
{
    int st = vmc_report_publish(r);
    if (st) {
        vmc_report_release(r);
        free(r);
        return st;
    }
    *out = r;
    return VMCHECK_OK;
}

void vmcheck_report_free(VmcheckReport **r)
{
    if (!r || !*r) return;
    vmc_report_unpublish(*r);
    vmc_report_release(*r);
    free(*r);
    *r = NULL;
}

const VmcheckSegment *vmcheck_report_segment(const VmcheckReport *r, size_t i)
{
    if (!r || i >= r->segment_count) return NULL;
    return r->internal ? &r->internal->segments[i] : &r->segments[i];
}

const VmcheckFlag *vmcheck_report_flag(const VmcheckReport *r, size_t i)
{
    if (!r || i >= r->flag_count) return NULL;
    return r->internal ? &r->internal->flags[i] : &r->flags[i];
}

const VmcheckPause *vmcheck_report_pause(const VmcheckReport *r, size_t i)
{
    if (!r || i >= r->pause_count) return NULL;
    return &r->pauses[i];
}

int vmcheck_labels_parse(VmcheckSegmentSpec **out, size_t *n_out, size_t *bad_line, const char *text, size_t len)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(n_out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(text != NULL || len == 0, VMCHECK_EINVAL);
    return vmc_labels_parse(out, n_out, bad_line, text ? text : "", len);
}

void vmcheck_labels_free(VmcheckSegmentSpec **specs)
{
    if (!specs) return;
    free(*specs);
    *specs = NULL;
}
