/* common/stats: vmc_sliding_max against a direct search over every window,
 * symmetric and one-sided, with and without a keep mask, on random values
 * (fixed seed 7), on falling values (the queue full), and at the edges (n =
 * 1, a reach past both ends). */
#include <math.h>
#include <stdlib.h>

#include "common/stats.h"
#include "synth.h"
#include "test.h"

static float direct(const float *v, const unsigned char *keep, size_t n, size_t i, size_t before, size_t after,
                    float empty)
{
    float m = empty;
    int any = 0;
    for (size_t j = i >= before ? i - before : 0; j < n && j <= i + after; j++)
        if (!keep || keep[j]) {
            if (!any || v[j] > m) m = v[j];
            any = 1;
        }
    return m;
}

int main(void)
{
    SynthRng rng;
    synth_seed(&rng, 7);
    const size_t sizes[] = {1, 2, 7, 300, 300};
    /* {3, 4}, {7, 8}: a full queue is one past a power of two */
    const size_t reaches[][2] = {{0, 0}, {3, 3}, {3, 4}, {7, 8}, {5, 0}, {0, 5}, {2, 9}, {400, 400}};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        const size_t n = sizes[s];
        float *v = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float));
        unsigned char *keep = malloc(n);
        CHECK(v && out && keep, "out of memory");
        if (!v || !out || !keep) return 1;
        for (size_t i = 0; i < n; i++) {
            v[i] = (float)floor(synth_uniform(&rng) * 20.0); /* ties on purpose */
            /* the last: falling values, so the queue holds a whole window */
            if (s == sizeof(sizes) / sizeof(sizes[0]) - 1) v[i] = (float)(n - i);
            keep[i] = synth_uniform(&rng) < 0.6;
        }
        for (size_t r = 0; r < sizeof(reaches) / sizeof(reaches[0]); r++)
            for (int masked = 0; masked < 2; masked++) {
                const unsigned char *k = masked ? keep : NULL;
                CHECK(vmc_sliding_max(out, v, k, n, reaches[r][0], reaches[r][1], -1.0f) == 0, "sliding max failed");
                size_t bad = 0;
                for (size_t i = 0; i < n; i++) bad += out[i] != direct(v, k, n, i, reaches[r][0], reaches[r][1], -1.0f);
                CHECK(bad == 0, "n %zu, window -%zu..+%zu, %s: %zu frames differ from a direct search", n,
                      reaches[r][0], reaches[r][1], masked ? "masked" : "all kept", bad);
            }
        free(v);
        free(out);
        free(keep);
    }
    printf("sliding max: %d checks\n", test_checks);
    return test_done();
}
