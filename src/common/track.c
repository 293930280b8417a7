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
