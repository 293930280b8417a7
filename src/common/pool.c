#include "common/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "common/common.h"

typedef struct Worker {
    VmcPool *pool;
    unsigned index;
    pthread_t thread;
} Worker;

struct VmcPool {
    unsigned n, started;
    Worker *w;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long long generation;
    unsigned finished;
    int quit;
    VmcPoolFn fn;
    void *ctx;
};

static void *worker_main(void *arg)
{
    Worker *w = arg;
    VmcPool *p = w->pool;
    unsigned long long seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->quit && p->generation == seen) pthread_cond_wait(&p->go, &p->mu);
        if (p->quit) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = p->generation;
        VmcPoolFn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);
        fn(ctx, w->index);
        pthread_mutex_lock(&p->mu);
        if (++p->finished == p->n - 1) pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

int vmc_pool_create(VmcPool **out, unsigned n)
{
    if (n < 1) n = 1;
    VmcPool *p = vmc_calloc(1, sizeof(*p));
    if (!p) return VMCHECK_ENOMEM;
    p->n = n;
    p->w = vmc_calloc(n, sizeof(Worker));
    if (!p->w) {
        free(p);
        return VMCHECK_ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->finished = n - 1; /* nothing started: wait() returns at once */
    for (unsigned i = 1; i < n; i++) {
        p->w[i] = (Worker){p, i, 0};
        if (pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i])) {
            p->n = p->started + 1; /* run with the threads that did start */
            break;
        }
        p->started++;
    }
    *out = p;
    return VMCHECK_OK;
}

void vmc_pool_start(VmcPool *p, VmcPoolFn fn, void *ctx)
{
    if (!p || p->n < 2) return;
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->finished = 0;
    p->generation++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
}

void vmc_pool_wait(VmcPool *p)
{
    if (!p || p->n < 2) return;
    pthread_mutex_lock(&p->mu);
    while (p->finished < p->n - 1) pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

unsigned vmc_pool_threads(const VmcPool *p) { return p ? p->n : 1; }

void vmc_pool_destroy(VmcPool **pp)
{
    if (!pp || !*pp) return;
    VmcPool *p = *pp;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 1; i <= p->started; i++) pthread_join(p->w[i].thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->w);
    free(p);
    *pp = NULL;
}
