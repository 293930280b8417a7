/* The digit detector fed a batch of band codes at a time
 * (vmc_digits_stream_*) gives vmc_digits_detect's words to the bit, on a
 * synthetic recording of several groups of regions (one region longer than
 * the decoder's cut, gaps shorter than the merge gap, speech at both ends),
 * pushed in pieces of 1, 7, 256, 4096 frames and at once, with and without
 * a pool; it holds well under the whole track's codes.
 *
 *  - vmc_digitnet_frames is exact: codes outside the range it gives never
 *    change a step's output, and its first and last frames do.
 *  - The norm from sums added a batch at a time is vmc_digitnet_norm's.
 *  - Without speech the stream gives no words; with frames missing,
 *    finish says so. */
#include <string.h>

#include "common/pool.h"
#include "events/digits.h"
#include "features/digitnet.h"
#include "synth.h"
#include "test.h"

#define HOP 0.01
#define N_FRAMES 150000 /* 25 minutes */

/* Band codes: a random walk per band, around a loud, moving level in speech
 * and a quiet floor in silence; active marks the speech. */
static void make_track(unsigned char *codes, unsigned char *active, size_t n)
{
    SynthRng rng;
    synth_seed(&rng, 20240611);
    memset(active, 0, n);
    /* speech near both ends, one 80 s stretch, the rest random: runs of
     * 0.3-4 s split by gaps of 0.05-0.25 s (merged) or 0.5-8 s */
    size_t f = 3;
    int long_done = 0;
    while (f < n - 10) {
        size_t len = 30 + (size_t)(synth_uniform(&rng) * 370.0);
        if (!long_done && f > 20000) len = 8000, long_done = 1;
        for (size_t k = f; k < f + len && k < n - 2; k++) active[k] = 1;
        f += len;
        f += synth_uniform(&rng) < 0.4 ? 5 + (size_t)(synth_uniform(&rng) * 20.0)
                                       : 50 + (size_t)(synth_uniform(&rng) * 750.0);
    }
    double walk[VMC_MEL_BANDS] = {0};
    for (size_t t = 0; t < n; t++) {
        const double base = active[t] ? 110.0 + 25.0 * sin((double)t * 0.07) : 30.0;
        for (int b = 0; b < VMC_MEL_BANDS; b++) {
            walk[b] += synth_gauss(&rng) * (active[t] ? 6.0 : 1.0);
            walk[b] *= 0.95;
            double c = base + walk[b] - 1.5 * b + (active[t] ? 15.0 * synth_gauss(&rng) : 2.0 * synth_gauss(&rng));
            c = c < 0.0 ? 0.0 : c > 255.0 ? 255.0 : c;
            codes[t * VMC_MEL_BANDS + (size_t)b] = (unsigned char)(c + 0.5);
        }
    }
}

static int same_words(const VmcDigitWords *a, const VmcDigitWords *b)
{
    if (a->n != b->n) return 0;
    for (size_t k = 0; k < a->n; k++) {
        const VmcDigitToken *x = &a->v[k], *y = &b->v[k];
        if (x->word != y->word || memcmp(&x->start_s, &y->start_s, sizeof(double)) ||
            memcmp(&x->end_s, &y->end_s, sizeof(double)) || memcmp(&x->conf, &y->conf, sizeof(float)))
            return 0;
    }
    return 1;
}

/* The stream over the track in pieces of `piece` frames (0: at once). */
static int stream_words(VmcDigitWords *w, size_t *held, const VmcDigitsInput *in, const unsigned char *codes,
                        size_t piece, size_t extra)
{
    unsigned long long s_sp[VMC_MEL_BANDS] = {0}, s_all[VMC_MEL_BANDS] = {0};
    size_t n_sp = 0;
    for (size_t f = 0; f < in->n_frames; f += 4096) {
        const size_t k = in->n_frames - f < 4096 ? in->n_frames - f : 4096;
        vmc_digitnet_norm_add(s_sp, &n_sp, s_all, codes + f * VMC_MEL_BANDS, in->act->active, f, k);
    }
    VmcDigitsInput sin_ = *in;
    sin_.mel = NULL;
    VmcDigitsStream *s = NULL;
    int r = vmc_digits_stream_create(&s, &sin_, &vmc_digits_tuned, s_sp, n_sp, s_all);
    const size_t n = in->n_frames + extra, step = piece ? piece : n;
    for (size_t f = 0; !r && f < n; f += step)
        r = vmc_digits_stream_push(s, codes + f * VMC_MEL_BANDS, n - f < step ? n - f : step);
    if (!r) r = vmc_digits_stream_finish(s, w);
    *held = s ? vmc_digits_stream_held_max(s) : 0;
    vmc_digits_stream_destroy(&s);
    return r;
}

/* Steps [t0, t1) with every frame's codes outside [lo, hi) (and, when
 * poison_at < n, frame poison_at's) set to 255: the same bits as on the
 * track itself? */
static int same_eval(const VmcDnNorm *nm, VmcDnScratch *sc, const unsigned char *codes, unsigned char *tmp, float *want,
                     float *got, size_t t0, size_t t1, size_t lo, size_t hi, size_t poison_at)
{
    const size_t n = nm->n_frames, B = VMC_MEL_BANDS;
    memset(tmp, 255, n * B);
    memcpy(tmp + lo * B, codes + lo * B, (hi - lo) * B);
    if (poison_at < n) memset(tmp + poison_at * B, 255, B);
    VmcDnNorm a = *nm;
    vmc_digitnet_eval(&vmc_digitnet_model, sc, want, &a, t0, t1);
    a.codes = tmp;
    vmc_digitnet_eval(&vmc_digitnet_model, sc, got, &a, t0, t1);
    /* and from a buffer that starts at frame lo */
    const int whole = !memcmp(want, got, (t1 - t0) * VMC_DN_CLASSES * sizeof(float));
    a.codes = tmp + lo * B;
    a.base = lo;
    vmc_digitnet_eval(&vmc_digitnet_model, sc, got, &a, t0, t1);
    return whole && !memcmp(want, got, (t1 - t0) * VMC_DN_CLASSES * sizeof(float));
}

static void check_frames(const unsigned char *codes, const unsigned char *active, size_t n)
{
    VmcDnNorm nm;
    VmcDnScratch sc;
    unsigned char *tmp = malloc(n * VMC_MEL_BANDS);
    float *want = calloc(600 * VMC_DN_CLASSES, sizeof(float)), *got = calloc(600 * VMC_DN_CLASSES, sizeof(float));
    CHECK(tmp && want && got && !vmc_dn_scratch_init(&sc, &vmc_digitnet_model, 600), "memory");
    if (!tmp || !want || !got) return;
    const size_t t_last = (n + 1) / 2;
    const size_t spans[][2] = {{0, 1}, {0, 300}, {10, 40}, {5000, 5512}, {30000, 30001}, {t_last - 200, t_last}};
    for (int with_speech = 0; with_speech < 2; with_speech++) {
        vmc_digitnet_norm(&nm, codes, with_speech ? active : NULL, n, HOP);
        for (size_t k = 0; k < sizeof(spans) / sizeof(spans[0]); k++) {
            const size_t t0 = spans[k][0], t1 = spans[k][1];
            size_t lo, hi;
            vmc_digitnet_frames(&vmc_digitnet_model, &nm, t0, t1, &lo, &hi);
            CHECK(lo < hi && hi <= n, "steps [%zu, %zu): frames [%zu, %zu)", t0, t1, lo, hi);
            if (!(lo < hi && hi <= n)) continue;
            CHECK(same_eval(&nm, &sc, codes, tmp, want, got, t0, t1, lo, hi, n),
                  "steps [%zu, %zu) read frames outside [%zu, %zu)", t0, t1, lo, hi);
            /* every frame counts without a speech mask: the range is no wider */
            if (!with_speech) {
                CHECK(!same_eval(&nm, &sc, codes, tmp, want, got, t0, t1, lo, hi, lo),
                      "steps [%zu, %zu): frame %zu is not read", t0, t1, lo);
                CHECK(!same_eval(&nm, &sc, codes, tmp, want, got, t0, t1, lo, hi, hi - 1),
                      "steps [%zu, %zu): frame %zu is not read", t0, t1, hi - 1);
            }
        }
        /* the norm from sums is vmc_digitnet_norm's */
        unsigned long long s_sp[VMC_MEL_BANDS] = {0}, s_all[VMC_MEL_BANDS] = {0};
        size_t n_sp = 0;
        for (size_t f = 0; f < n; f += 999)
            vmc_digitnet_norm_add(s_sp, &n_sp, s_all, codes + f * VMC_MEL_BANDS, with_speech ? active : NULL, f,
                                  n - f < 999 ? n - f : 999);
        VmcDnNorm ns;
        vmc_digitnet_norm_sums(&ns, s_sp, n_sp, s_all, with_speech ? active : NULL, n, HOP);
        CHECK(!memcmp(ns.global, nm.global, sizeof(nm.global)) && ns.speech == nm.speech && ns.half == nm.half &&
                  ns.min_frames == nm.min_frames && ns.n_frames == n && !ns.codes && !ns.base,
              "norm from sums (speech %d)", with_speech);
    }
    vmc_dn_scratch_free(&sc);
    free(tmp);
    free(want);
    free(got);
}

int main(void)
{
    const size_t n = N_FRAMES, extra = 5;
    unsigned char *codes = calloc((n + extra) * VMC_MEL_BANDS, 1), *active = calloc(n, 1);
    CHECK(codes && active, "memory");
    if (!codes || !active) return 1;
    make_track(codes, active, n);
    VmcActivity act = {0};
    act.has_speech = 1;
    act.active = active;
    act.n = n;
    for (size_t f = 0; f < n; f++)
        if (active[f]) {
            if (!act.end) act.start = f;
            act.end = f + 1;
        }
    check_frames(codes, active, n);

    VmcPool *pool = NULL;
    CHECK(!vmc_pool_create(&pool, 2), "pool");
    size_t total_words = 0;
    for (int pooled = 0; pooled < 2; pooled++) {
        VmcDigitsInput in = {&vmc_digitnet_model, codes, &act, n, HOP, pooled ? pool : NULL, pooled ? 2u : 1u};
        VmcDigitWords want;
        CHECK(!vmc_digits_detect(&want, &in, &vmc_digits_tuned), "detect");
        printf("  %s: %zu words on the whole track\n", pooled ? "2 threads" : "1 thread", want.n);
        total_words += want.n;
        const size_t pieces[] = {1, 7, 256, 4096, 0};
        for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
            VmcDigitWords got = {0};
            size_t held = 0;
            /* all frames pushed at once also push a few past the end */
            const int r = stream_words(&got, &held, &in, codes, pieces[k], pieces[k] ? 0 : extra);
            CHECK(r == 0, "stream in pieces of %zu: %d", pieces[k], r);
            CHECK(same_words(&got, &want), "stream in pieces of %zu (%s): %zu words, detect %zu", pieces[k],
                  pooled ? "pool" : "no pool", got.n, want.n);
            printf("  pieces of %zu: %zu words, at most %zu frames' codes held (of %zu)\n", pieces[k], got.n, held, n);
            CHECK(held > 0 && held < n / 3, "held %zu frames' codes of %zu", held, n);
            vmc_digits_free(&got);
        }
        vmc_digits_free(&want);
    }
    CHECK(total_words > 0, "no words decoded");

    /* frames missing: finish says so */
    VmcDigitsInput in = {&vmc_digitnet_model, NULL, &act, n, HOP, NULL, 1};
    unsigned long long zero[VMC_MEL_BANDS] = {0};
    VmcDigitsStream *s = NULL;
    VmcDigitWords w;
    CHECK(!vmc_digits_stream_create(&s, &in, &vmc_digits_tuned, zero, 0, zero), "create");
    CHECK(s && !vmc_digits_stream_push(s, codes, n / 2), "push half");
    CHECK(s && vmc_digits_stream_finish(s, &w) == VMCHECK_EINVAL && w.n == 0, "finish with frames missing");
    vmc_digits_stream_destroy(&s);
    /* no speech: no words */
    act.has_speech = 0;
    CHECK(!vmc_digits_stream_create(&s, &in, &vmc_digits_tuned, zero, 0, zero), "create without speech");
    CHECK(s && !vmc_digits_stream_push(s, codes, n), "push without speech");
    CHECK(s && !vmc_digits_stream_finish(s, &w) && w.n == 0 && vmc_digits_stream_held_max(s) == 0,
          "no words without speech");
    vmc_digits_stream_destroy(&s);

    vmc_pool_destroy(&pool);
    free(codes);
    free(active);
    return test_done();
}
