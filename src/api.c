/* The public entry points: the one place public arguments are validated. */
#include <math.h>
#include <string.h>

#include "analyzer.h"
#include "common/common.h"
#include "io/decode.h"
#include "io/labels.h"
#include "score/score.h"
#include "vmcheck/vmcheck.h"

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
    case VMCHECK_EDATA: return "NaN or infinite samples";
    case VMCHECK_EEMPTY: return "no audio";
    case VMCHECK_ELABELS: return "bad segment labels";
    case VMCHECK_ESCRIPT: return "bad script";
    default: return "unknown error";
    }
}

void vmcheck_config_default(VmcheckConfig *cfg)
{
    if (!cfg) return;
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

static const VmcheckConfig *config_or_default(const VmcheckConfig *cfg, VmcheckConfig *tmp)
{
    if (cfg) return cfg;
    vmcheck_config_default(tmp);
    return tmp;
}

int vmcheck_analyzer_create(VmcheckAnalyzer **out, const VmcheckConfig *cfg, unsigned rate)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VmcheckConfig tmp;
    cfg = config_or_default(cfg, &tmp);
    VMC_VALIDATE(config_ok(cfg), VMCHECK_EINVAL);
    if (rate < VMCHECK_MIN_RATE_HZ || rate > VMCHECK_MAX_RATE_HZ) return VMCHECK_ERANGE;
    return vmc_analyzer_create(out, cfg, rate);
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
    return vmc_analyzer_finish(a, out, segs, n_segs, script);
}

void vmcheck_analyzer_destroy(VmcheckAnalyzer **a) { vmc_analyzer_destroy(a); }

int vmcheck_analyze_file(const VmcheckConfig *cfg, VmcheckReport **out, const char *path,
                         const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(path != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(segs_ok(segs, n_segs), VMCHECK_EINVAL);
    VmcheckConfig tmp;
    cfg = config_or_default(cfg, &tmp);
    VMC_VALIDATE(config_ok(cfg), VMCHECK_EINVAL);
    VmcAnalyzeArgs args = {cfg, segs, n_segs, script, NULL};
    return vmc_decode_path(out, &args, path);
}

int vmcheck_analyze_memory(const VmcheckConfig *cfg, VmcheckReport **out, const void *data, size_t size,
                           const VmcheckSegmentSpec *segs, size_t n_segs, const char *script)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(data != NULL || size == 0, VMCHECK_EINVAL);
    VMC_VALIDATE(segs_ok(segs, n_segs), VMCHECK_EINVAL);
    VmcheckConfig tmp;
    cfg = config_or_default(cfg, &tmp);
    VMC_VALIDATE(config_ok(cfg), VMCHECK_EINVAL);
    VmcAnalyzeArgs args = {cfg, segs, n_segs, script, NULL};
    return vmc_decode_memory(out, &args, data, size);
}

void vmcheck_report_free(VmcheckReport **r)
{
    if (!r || !*r) return;
    vmc_report_release(*r);
    free(*r);
    *r = NULL;
}

int vmcheck_labels_parse(VmcheckSegmentSpec **out, size_t *n_out, size_t *bad_line, const char *text, size_t len)
{
    VMC_VALIDATE(out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(n_out != NULL, VMCHECK_EINVAL);
    VMC_VALIDATE(text != NULL || len == 0, VMCHECK_EINVAL);
    return vmc_labels_parse(out, n_out, bad_line, text ? text : "", len);
}
