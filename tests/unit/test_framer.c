/* The framer: frame i is centred on sample round(i*rate*hop) whatever the
 * push sizes; the count covers the signal; bad arguments are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/framer.h"
#include "test.h"

typedef struct Seen {
    double rate;
    size_t win, count, bad;
    long long n;
    const VmcFramer *fr;
    size_t bad_start; /* frames whose vmc_framer_start is not where they start */
    long long last;   /* the previous frame's start */
} Seen;

/* The signal is x[k] = k + 1 (0 is padding), so a frame shows where it is. */
static int on_frame(void *ctx, const float *f, size_t i)
{
    Seen *s = ctx;
    long long c = (long long)floor((double)i * s->rate * 0.01 + 0.5);
    /* the analyzer copies a batch's frames once, by where each starts: in
     * order, at most ceil(rate * hop) + 1 samples after the last */
    const long long start = vmc_framer_start(s->fr, i);
    if (start != c - (long long)(s->win / 2) ||
        (i && (start < s->last || start - s->last > (long long)ceil(s->rate * 0.01) + 1)))
        s->bad_start++;
    s->last = start;
    for (size_t j = 0; j < s->win; j++) {
        long long k = c - (long long)(s->win / 2) + (long long)j;
        float want = (k >= 0 && k < s->n) ? (float)(k + 1) : 0.0f;
        if (f[j] != want) {
            s->bad++;
            break;
        }
    }
    s->count = i + 1;
    return 0;
}

static void run(double rate, size_t win, size_t n, size_t block)
{
    float *x = malloc(n * sizeof(float));
    for (size_t k = 0; k < n; k++) x[k] = (float)(k + 1);
    VmcFramer *fr = vmc_framer_create(rate, 0.01, win, 4096);
    Seen s = {rate, win, 0, 0, (long long)n, fr, 0, 0};
    for (size_t off = 0; off < n; off += block) {
        size_t m = n - off < block ? n - off : block;
        vmc_framer_push(fr, x + off, m, on_frame, &s);
    }
    vmc_framer_flush(fr, on_frame, &s);
    /* frames whose centre lies inside the signal: i*hop*rate < n */
    size_t want = (size_t)ceil((double)n / (rate * 0.01) - 1e-9);
    while (want > 0 && floor((double)(want - 1) * rate * 0.01 + 0.5) >= (double)n) want--;
    CHECK(s.count == want, "rate %.0f win %zu n %zu block %zu: %zu frames, want %zu", rate, win, n, block, s.count,
          want);
    CHECK(s.bad == 0, "rate %.0f block %zu: %zu frames misplaced", rate, block, s.bad);
    CHECK(s.bad_start == 0, "rate %.0f block %zu: %zu frames' starts wrong", rate, block, s.bad_start);
    vmc_framer_destroy(&fr);
    CHECK(fr == NULL, "destroy nulls the pointer");
    free(x);
}

int main(void)
{
    const size_t blocks[] = {1, 7, 160, 4096};
    for (size_t b = 0; b < 4; b++) {
        run(16000, 800, 16000, blocks[b]);
        run(8000, 400, 12345, blocks[b]);
        run(22050, 1104, 30000, blocks[b]); /* a hop of 220.5 samples */
    }
    run(16000, 800, 1, 1); /* a single sample: one frame */
    run(16000, 800, 159, 64);
    /* constructors reject hop 0, win < hop, rate 0, odd windows */
    CHECK(vmc_framer_create(16000, 0.0, 800, 4096) == NULL, "hop 0 refused");
    CHECK(vmc_framer_create(16000, 0.01, 100, 4096) == NULL, "win < 2 hops refused");
    CHECK(vmc_framer_create(0, 0.01, 800, 4096) == NULL, "rate 0 refused");
    CHECK(vmc_framer_create(16000, 0.01, 801, 4096) == NULL, "odd window refused");
    CHECK(vmc_framer_create(16000, 0.01, 800, 0) == NULL, "chunk 0 refused");
    vmc_framer_destroy(NULL);
    return test_done();
}
