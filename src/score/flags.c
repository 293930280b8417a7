/* The flags of SPEC.md: when each fires and the one-line remedy. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "common/fmt.h"
#include "score/flags.h"

static const char *const names[VMCHECK_FLAG_COUNT_] = {
    [VMCHECK_FLAG_NUMBER_TOO_FAST] = "number_too_fast",
    [VMCHECK_FLAG_NAME_TOO_FAST] = "name_too_fast",
    [VMCHECK_FLAG_NO_SPEECH] = "no_speech",
    [VMCHECK_FLAG_NUMBER_NOT_FOUND] = "number_not_found",
    [VMCHECK_FLAG_NO_LIFT] = "no_lift",
    [VMCHECK_FLAG_OVERDONE_LIFT] = "overdone_lift",
    [VMCHECK_FLAG_MONOTONE] = "monotone",
    [VMCHECK_FLAG_LONG_MESSAGE] = "long_message",
    [VMCHECK_FLAG_LATE_START] = "late_start",
    [VMCHECK_FLAG_LOW_LEVEL] = "low_level",
    [VMCHECK_FLAG_CLIPPING] = "clipping",
    [VMCHECK_FLAG_NOISY] = "noisy",
    [VMCHECK_FLAG_SCRIPT_MISMATCH] = "script_mismatch",
    [VMCHECK_FLAG_NUMBER_MISMATCH] = "number_mismatch",
    [VMCHECK_FLAG_TRUNCATED] = "truncated",
};

const char *vmcheck_flag_name(enum VmcheckFlagCode code)
{
    if ((int)code < 0 || code >= VMCHECK_FLAG_COUNT_) return "";
    return names[code];
}

int vmc_flag_add(VmcheckReport *rep, size_t *cap, enum VmcheckFlagCode code, double start_s, double end_s,
                 const char *fmt, ...)
{
    if (vmc_grow((void **)&rep->flags, cap, rep->flag_count + 1, sizeof(VmcheckFlag))) return VMCHECK_ENOMEM;
    VmcheckFlag *f = &rep->flags[rep->flag_count++];
    memset(f, 0, sizeof(*f));
    f->code = code;
    f->severity = (code == VMCHECK_FLAG_NUMBER_TOO_FAST || code == VMCHECK_FLAG_NAME_TOO_FAST ||
                   code == VMCHECK_FLAG_NO_SPEECH || code == VMCHECK_FLAG_TRUNCATED)
                      ? VMCHECK_SEVERITY_ERROR
                      : VMCHECK_SEVERITY_WARNING;
    f->start_s = start_s;
    f->end_s = end_s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    return VMCHECK_OK;
}

const char *vmc_num(char buf[32], double v, int decimals)
{
    vmc_fmt_fixed(buf, 32, v, decimals);
    return buf;
}
