#include "common/track.h"

#include <string.h>

#include "common/common.h"

int vmc_track_push(VmcTrack *t, float x)
{
    if (t->n == t->cap && vmc_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(float))) return VMCHECK_ENOMEM;
    t->v[t->n++] = x;
    return VMCHECK_OK;
}

int vmc_track_push_n(VmcTrack *t, const float *x, size_t k)
{
    if (k == 0) return VMCHECK_OK; /* nothing: t->v may not exist yet */
    if (vmc_grow((void **)&t->v, &t->cap, t->n + k, sizeof(float))) return VMCHECK_ENOMEM;
    memcpy(t->v + t->n, x, k * sizeof(float));
    t->n += k;
    return VMCHECK_OK;
}

void vmc_track_free(VmcTrack *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

int vmc_track8_push_n(VmcTrack8 *t, const unsigned char *x, size_t k)
{
    if (k && t->width > SIZE_MAX / k) return VMCHECK_ENOMEM;
    const size_t bytes = k * t->width, used = t->n * t->width;
    if (vmc_grow((void **)&t->v, &t->cap, used + bytes, 1)) return VMCHECK_ENOMEM;
    memcpy(t->v + used, x, bytes);
    t->n += k;
    return VMCHECK_OK;
}

int vmc_track8_reserve(VmcTrack8 *t, size_t frames)
{
    if (frames && t->width > SIZE_MAX / frames) return VMCHECK_ENOMEM;
    return vmc_grow((void **)&t->v, &t->cap, frames * t->width, 1) ? VMCHECK_ENOMEM : VMCHECK_OK;
}

void vmc_track8_free(VmcTrack8 *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}
