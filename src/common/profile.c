#include "common/profile.h"

#include <stdatomic.h>
#include <time.h>

static const char *const names[VMC_STAGE_COUNT] = {
    "decode",     "level",  "decimate",       "framing",           "fft", "bands", "pitch candidates", "pool wait",
    "pitch path", "events", "digit detector", "segments, scoring",
};

const char *vmc_stage_name(int stage) { return stage >= 0 && stage < VMC_STAGE_COUNT ? names[stage] : "?"; }

#ifdef VMC_PROFILE
static _Atomic uint64_t spent[VMC_STAGE_COUNT];

uint64_t vmc_profile_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void vmc_profile_add(int stage, uint64_t ns) { atomic_fetch_add_explicit(&spent[stage], ns, memory_order_relaxed); }

int vmc_profile_read(double seconds[VMC_STAGE_COUNT])
{
    for (int s = 0; s < VMC_STAGE_COUNT; s++)
        seconds[s] = (double)atomic_load_explicit(&spent[s], memory_order_relaxed) * 1e-9;
    return 1;
}

void vmc_profile_reset(void)
{
    for (int s = 0; s < VMC_STAGE_COUNT; s++) atomic_store(&spent[s], 0);
}
#else
int vmc_profile_read(double seconds[VMC_STAGE_COUNT])
{
    for (int s = 0; s < VMC_STAGE_COUNT; s++) seconds[s] = 0.0;
    return 0;
}

void vmc_profile_reset(void) {}
#endif
