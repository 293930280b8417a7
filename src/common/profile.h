/* Time per pipeline stage, for tools/bench-speed.  Built with
 * `-Dprofile=true` the stages add their wall time (per thread, so stages
 * run on the pool add up like CPU time) into process-wide counters; in any
 * other build every macro is empty and costs nothing. */
#ifndef VMCHECK_PROFILE_H
#define VMCHECK_PROFILE_H

#include <stdint.h>

typedef enum VmcStage {
    VMC_STAGE_DECODE,   /* the source: read, convert to float, mix to mono, check */
    VMC_STAGE_LEVEL,    /* rumble high-pass and the 20 ms frame level */
    VMC_STAGE_DECIMATE, /* down to the 8-16 kHz analysis rate */
    VMC_STAGE_FRAMING,  /* frames into batches, mean and peak per frame */
    VMC_STAGE_FFT,      /* window and the shared spectrum */
    VMC_STAGE_BANDS,    /* 300-1200 Hz level and the 20 mel bands */
    VMC_STAGE_PITCH,    /* pitch candidates (autocorrelation) */
    VMC_STAGE_WAIT,     /* the feeding thread waiting for the pool */
    VMC_STAGE_PATH,     /* the pitch path (Viterbi) */
    VMC_STAGE_EVENTS,   /* activity, pauses, syllable nuclei */
    VMC_STAGE_DIGITS,   /* the digit detector: network and decoder */
    VMC_STAGE_SCORE,    /* segments, numbers, scoring, the report */
    VMC_STAGE_COUNT
} VmcStage;

/* The stage's name, for a table. */
const char *vmc_stage_name(int stage);
/* Seconds per stage since the start (or the last reset); 0 when built
 * without the profile.  Returns 1 when the profile is built in. */
int vmc_profile_read(double seconds[VMC_STAGE_COUNT]);
void vmc_profile_reset(void);

#ifdef VMC_PROFILE
uint64_t vmc_profile_now(void);
void vmc_profile_add(int stage, uint64_t ns);
/* VMC_PROFILE_START(t); ...; VMC_PROFILE_STOP(t, VMC_STAGE_X); */
#define VMC_PROFILE_START(t) const uint64_t t = vmc_profile_now()
#define VMC_PROFILE_STOP(t, stage) vmc_profile_add((stage), vmc_profile_now() - (t))
/* the end of one stage is the start of the next */
#define VMC_PROFILE_LAP(t, stage)                                                                                      \
    do {                                                                                                               \
        const uint64_t now_ = vmc_profile_now();                                                                       \
        vmc_profile_add((stage), now_ - (t));                                                                          \
        (t) = now_;                                                                                                    \
    } while (0)
#define VMC_PROFILE_MARK(t) uint64_t t = vmc_profile_now()
#else
#define VMC_PROFILE_START(t) ((void)0)
#define VMC_PROFILE_STOP(t, stage) ((void)0)
#define VMC_PROFILE_LAP(t, stage) ((void)0)
#define VMC_PROFILE_MARK(t) ((void)0)
#endif

#endif
