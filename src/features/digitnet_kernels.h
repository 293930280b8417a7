/* The digit network's inner kernels: a tile of VMC_DN_TILE_R output rows
 * of a layer, as many whole tiles of outputs as the kernel does; each
 * returns the first output it left for the next (narrower) kernel.  They
 * sum only the inputs a VmcDnUsed lists (the others are zero in every row
 * of the tile, see features/digitnet.c). */
#ifndef VMCHECK_DIGITNET_KERNELS_H
#define VMCHECK_DIGITNET_KERNELS_H

#include <stddef.h>

#include "features/digitnet.h"

#define VMC_DN_TILE_R 4

/* Per tap, the inputs that are not zero in every row of a tile: bit i%64
 * of word i/64. */
#define VMC_DN_MASK_WORDS ((VMC_DN_MAX_WIDTH + 63) / 64)
typedef struct VmcDnUsed {
    unsigned long long m[VMC_DN_MAX_KERNEL][VMC_DN_MASK_WORDS];
} VmcDnUsed;

#if defined(VMC_HAVE_AVX)
/* 16 outputs at a time, 8-lane AVX, the last 1-15 masked (digitnet_avx.c,
 * built with -mavx); returns L->outputs. */
size_t vmc_dn_tiles_avx(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                        const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu);
#endif

#if defined(VMC_HAVE_AVX512)
/* Every output, 64 at a time, 16-lane AVX-512F with a masked last vector
 * (digitnet_avx512.c, built with -mavx512f); returns L->outputs. */
size_t vmc_dn_tiles_avx512(const VmcDnLayer *L, float *const out[VMC_DN_TILE_R],
                           const float *const rows[VMC_DN_TILE_R][VMC_DN_MAX_KERNEL], const VmcDnUsed *u, int relu);
#endif

#endif
