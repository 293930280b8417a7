#include "dsp/fft.h"

#include <kiss_fftr.h>
#include <stdlib.h>

#include "common/common.h"

_Static_assert(sizeof(kiss_fft_cpx) == sizeof(VmcCpx), "VmcCpx must match kiss_fft_cpx");

struct VmcFft {
    size_t n;
    kiss_fftr_cfg fwd;
};

VmcFft *vmc_fft_create(size_t n)
{
    if (n < 2 || n % 2 || n > (1u << 24)) return NULL;
    VmcFft *f = vmc_calloc(1, sizeof(*f));
    if (!f) return NULL;
    f->n = n;
    f->fwd = kiss_fftr_alloc((int)n, 0, NULL, NULL);
    if (!f->fwd) vmc_fft_destroy(&f);
    return f;
}

void vmc_fft_destroy(VmcFft **pf)
{
    if (!pf || !*pf) return;
    VmcFft *f = *pf;
    if (f->fwd) kiss_fftr_free(f->fwd);
    free(f);
    *pf = NULL;
}

void vmc_fft_forward(VmcFft *f, VmcCpx *out, const float *in) { kiss_fftr(f->fwd, in, (kiss_fft_cpx *)out); }
