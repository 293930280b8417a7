/* A fixed set of worker threads for one analysis.  start() hands a function
 * to the workers and returns at once; the caller can do other work, call
 * the same function itself to help, then wait() for the workers.  The
 * function shares out its own work (e.g. by an atomic counter). */
#ifndef VMCHECK_POOL_H
#define VMCHECK_POOL_H

typedef struct VmcPool VmcPool;
/* worker: 1..n-1 for the pool's threads; the caller passes 0 when it helps. */
typedef void (*VmcPoolFn)(void *ctx, unsigned worker);

/* n - 1 threads (n >= 1; a pool of 1 has none).  0 or VMCHECK_ENOMEM; if
 * some threads cannot start the pool runs with those that did. */
int vmc_pool_create(VmcPool **out, unsigned n);
/* Start fn(ctx, w) on every thread of the pool; do not wait.  NULL: nothing. */
void vmc_pool_start(VmcPool *p, VmcPoolFn fn, void *ctx);
/* Wait until every thread has returned from the last start().  NULL: nothing. */
void vmc_pool_wait(VmcPool *p);
/* How many threads can share a start()'s work: the pool's that started and
 * the caller (1 for a pool without threads, and for NULL). */
unsigned vmc_pool_threads(const VmcPool *p);
void vmc_pool_destroy(VmcPool **p);

#endif
