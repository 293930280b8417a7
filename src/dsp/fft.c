#include "dsp/fft.h"

#include <kiss_fftr.h>
#include <stdlib.h>

#include "common/common.h"

_Static_assert(sizeof(kiss_fft_cpx) == sizeof(VmcCpx), "VmcCpx must match kiss_fft_cpx");

struct VmcFft {
    size_t n;
    kiss_fftr_cfg fwd, inv;
};

VmcFft *vmc_fft_create(size_t n)
{
    if (n < 2 || n % 2 || n > (1u << 24)) return NULL;
    VmcFft *f = vmc_calloc(1, sizeof(*f));
    if (!f) return NULL;
    f->n = n;
    f->fwd = kiss_fftr_alloc((int)n, 0, NULL, NULL);
    f->inv = kiss_fftr_alloc((int)n, 1, NULL, NULL);
    if (!f->fwd || !f->inv) vmc_fft_destroy(&f);
    return f;
}

void vmc_fft_destroy(VmcFft **pf)
{
    if (!pf || !*pf) return;
    VmcFft *f = *pf;
    if (f->fwd) kiss_fftr_free(f->fwd);
    if (f->inv) kiss_fftr_free(f->inv);
    free(f);
    *pf = NULL;
}

size_t vmc_fft_size(const VmcFft *f) { return f->n; }

void vmc_fft_forward(VmcFft *f, VmcCpx *out, const float *in) { kiss_fftr(f->fwd, in, (kiss_fft_cpx *)out); }

void vmc_fft_inverse(VmcFft *f, float *out, const VmcCpx *in) { kiss_fftri(f->inv, (const kiss_fft_cpx *)in, out); }

size_t vmc_fft_good_size(size_t n)
{
    for (size_t m = n < 2 ? 2 : n + (n & 1);; m += 2) {
        size_t r = m;
        while (r % 2 == 0) r /= 2;
        while (r % 3 == 0) r /= 3;
        while (r % 5 == 0) r /= 5;
        if (r == 1) return m;
    }
}
