/* A fixed set of worker threads that run one function together and wait
 * for each other: the caller is worker 0, so a pool of 1 spawns nothing. */
#ifndef VMCHECK_POOL_H
#define VMCHECK_POOL_H

typedef struct VmcPool VmcPool;
typedef void (*VmcPoolFn)(void *ctx, unsigned worker, unsigned n_workers);

/* n >= 1 workers.  0, VMCHECK_ENOMEM (also when a thread cannot start). */
int vmc_pool_create(VmcPool **out, unsigned n);
unsigned vmc_pool_size(const VmcPool *p);
/* Run fn(ctx, w, n) on every worker w; returns when all have returned. */
void vmc_pool_run(VmcPool *p, VmcPoolFn fn, void *ctx);
void vmc_pool_destroy(VmcPool **p);

#endif
