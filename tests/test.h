/* A minimal test harness: CHECK records a failure with its message and goes
 * on, so one run shows every broken expectation.  Exit 77 = skipped. */
#ifndef VMCHECK_TEST_H
#define VMCHECK_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmcheck/vmcheck.h"

static int test_failures;
static int test_checks;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        test_checks++;                                                                                                 \
        if (!(cond)) {                                                                                                 \
            test_failures++;                                                                                           \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                            \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

/* |got - want| <= tol, printing both (the exact value shows drift early). */
#define CHECK_NEAR(got, want, tol, what)                                                                               \
    do {                                                                                                               \
        double g_ = (double)(got), w_ = (double)(want), t_ = (double)(tol);                                            \
        printf("  %-40s got %10.4f want %10.4f +- %.4f\n", what, g_, w_, t_);                                          \
        CHECK(fabs(g_ - w_) <= t_, "%s: got %.4f, want %.4f +- %.4f", what, g_, w_, t_);                               \
    } while (0)

/* Analyse n mono samples through the streaming API (cfg NULL: defaults);
 * block 0 pushes them at once, else in odd sizes from block upwards (the
 * result must not depend on how the audio arrives).  NULL on any error. */
static inline VmcheckReport *test_analyse(const float *x, size_t n, unsigned rate, const VmcheckConfig *cfg,
                                          const VmcheckSegmentSpec *segs, size_t n_segs, const char *script,
                                          size_t block)
{
    VmcheckAnalyzer *a = NULL;
    VmcheckReport *r = NULL;
    if (vmcheck_analyzer_create(&a, cfg, rate)) return NULL;
    int bad = 0;
    for (size_t off = 0; off < n && !bad;) {
        size_t k = block ? block + off % 1000 : n;
        if (k > n - off) k = n - off;
        bad = vmcheck_analyzer_push(a, x + off, k) != 0;
        off += k;
    }
    if (bad || vmcheck_analyzer_finish(a, &r, segs, n_segs, script)) r = NULL;
    vmcheck_analyzer_destroy(&a);
    return r;
}

static inline int test_done(void)
{
    printf("%d checks, %d failed\n", test_checks, test_failures);
    return test_failures ? 1 : 0;
}

#endif
