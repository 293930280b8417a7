/* A minimal test harness: CHECK records a failure with its message and goes
 * on, so one run shows every broken expectation.  Exit 77 = skipped. */
#ifndef VMCHECK_TEST_H
#define VMCHECK_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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

static inline int test_done(void)
{
    printf("%d checks, %d failed\n", test_checks, test_failures);
    return test_failures ? 1 : 0;
}

#endif
