/* The pitch paths (features/pitch.c): both rules' paths found in one pass
 * (vmc_pitch_paths, what a single-threaded analysis does), and in one pass
 * with a pool thread computing the moves' costs a block ahead
 * (vmc_pitch_paths_pool, what the threads do), are the two paths found one
 * at a time (vmc_pitch_path), to the bit; on candidates with a known answer the path takes the true pitch
 * through octave errors and stays unvoiced in silence. */
#include <string.h>

#include "common/pool.h"
#include "features/pitch.h"
#include "synth.h"
#include "test.h"

#define N 6000

static float peak[N], fr[N * 2 * VMC_PITCH_CANDS], a1[N], b1[N], a2[N], b2[N];
static unsigned char count[N];

/* Random frames: loud, quiet and silent stretches, 0-6 candidates of any strength,
 * some an octave off a slowly moving pitch. */
static VmcPitchCands random_cands(SynthRng *rng)
{
    size_t k = 0;
    double f = 120.0;
    for (size_t i = 0; i < N; i++) {
        /* loud, loud, quiet (voiced by the local rule only), silent */
        const unsigned part = (unsigned)(i / 300) % 4;
        const double level = part < 2 ? 0.3 : part == 2 ? 0.01 : 1e-5;
        peak[i] = (float)(level * (0.5 + synth_uniform(rng)));
        count[i] = part == 3 ? 0 : (unsigned char)(synth_uniform(rng) * (VMC_PITCH_CANDS + 1));
        if (count[i] > VMC_PITCH_CANDS) count[i] = VMC_PITCH_CANDS;
        f *= 1.0 + 0.01 * (synth_uniform(rng) - 0.5);
        for (unsigned c = 0; c < count[i]; c++) {
            const double u = synth_uniform(rng);
            const double fc = u < 0.5 ? f : u < 0.7 ? 2.0 * f : u < 0.8 ? 0.5 * f : 75.0 + 500.0 * synth_uniform(rng);
            fr[k++] = (float)fc;
            fr[k++] = (float)(0.2 + 0.8 * synth_uniform(rng));
        }
    }
    return (VmcPitchCands){peak, count, fr};
}

static void check_same(const char *what, const VmcPitchCands *c, const VmcPitchParams *pa, const VmcPitchParams *pb,
                       int rules_differ)
{
    CHECK(vmc_pitch_path(a1, c, N, pa) == 0 && vmc_pitch_path(b1, c, N, pb) == 0, "%s: one at a time", what);
    CHECK(vmc_pitch_paths(a2, pa, b2, pb, c, N) == 0, "%s: together", what);
    CHECK(!memcmp(a1, a2, sizeof(a1)) && !memcmp(b1, b2, sizeof(b1)), "%s: the same paths, to the bit", what);
    for (unsigned threads = 1; threads <= 3; threads++) { /* 1: a pool without threads */
        VmcPool *pool = NULL;
        CHECK(vmc_pool_create(&pool, threads) == 0, "%s: a pool of %u", what, threads);
        memset(a2, 0, sizeof(a2));
        memset(b2, 0, sizeof(b2));
        CHECK(vmc_pitch_paths_pool(a2, pa, b2, pb, c, N, pool) == 0, "%s: with %u threads", what, threads);
        CHECK(!memcmp(a1, a2, sizeof(a1)) && !memcmp(b1, b2, sizeof(b1)), "%s: %u threads, the same paths", what,
              threads);
        vmc_pool_destroy(&pool);
    }
    size_t differ = 0, voiced = 0;
    for (size_t i = 0; i < N; i++) differ += a1[i] != b1[i], voiced += b1[i] > 0.0f;
    /* the rules must differ somewhere, or the check says little */
    printf("%s: the two rules' paths differ in %zu frames, %zu voiced\n", what, differ, voiced);
    if (rules_differ) CHECK(differ > N / 10 && voiced > N / 4, "%s: two different, mostly voiced paths", what);
}

int main(void)
{
    VmcPitchParams local, global;
    vmc_pitch_params_default(&local, 75.0, 600.0);
    global = local;
    global.local_reach_frames = 0;
    SynthRng rng;
    for (unsigned seed = 1; seed <= 3; seed++) {
        synth_seed(&rng, seed);
        const VmcPitchCands c = random_cands(&rng);
        char what[64];
        snprintf(what, sizeof(what), "random candidates, seed %u", seed);
        check_same(what, &c, &global, &local, 1);
        /* moves that cost differently: two passes, the same answer */
        VmcPitchParams jumpy = local;
        jumpy.octave_jump_cost = 0.7;
        snprintf(what, sizeof(what), "seed %u, other jump cost", seed);
        check_same(what, &c, &global, &jumpy, 1);
    }

    /* a known answer: 100 Hz with its octave as a weaker candidate, an
     * octave error (200 Hz stronger) in two single frames, then silence */
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        const int speech = i < 200;
        peak[i] = speech ? 0.5f : 0.0005f;
        count[i] = speech ? 2 : 0;
        if (!speech) continue;
        const int trap = i == 50 || i == 120;
        fr[k++] = 100.0f;
        fr[k++] = trap ? 0.6f : 0.9f;
        fr[k++] = 200.0f;
        fr[k++] = trap ? 0.7f : 0.5f;
    }
    const VmcPitchCands c = {peak, count, fr};
    CHECK(vmc_pitch_paths(a2, &global, b2, &local, &c, N) == 0, "known answer");
    size_t wrong = 0;
    for (size_t i = 0; i < N; i++) {
        const float want = i < 200 ? 100.0f : 0.0f;
        wrong += a2[i] != want || b2[i] != want;
    }
    CHECK(wrong == 0, "100 Hz through the octave traps, then unvoiced: %zu frames wrong", wrong);

    /* every frame with all its candidates: the most costs a block can hold,
     * so the most blocks; and frames with no candidates at all */
    k = 0;
    for (size_t i = 0; i < N; i++) {
        peak[i] = 0.3f;
        count[i] = VMC_PITCH_CANDS;
        for (unsigned j = 0; j < VMC_PITCH_CANDS; j++) {
            fr[k++] = (float)(80.0 + 60.0 * j + (double)(i % 7));
            fr[k++] = (float)(0.3 + 0.1 * j);
        }
    }
    check_same("six candidates everywhere", &c, &global, &local, 0);
    memset(count, 0, sizeof(count));
    const VmcPitchCands none = {peak, count, NULL};
    VmcPool *pool = NULL;
    CHECK(vmc_pool_create(&pool, 2) == 0, "a pool of 2");
    CHECK(vmc_pitch_paths_pool(a2, &global, b2, &local, &none, N, pool) == 0, "no candidates anywhere");
    wrong = 0;
    for (size_t i = 0; i < N; i++) wrong += a2[i] != 0.0f || b2[i] != 0.0f;
    CHECK(wrong == 0, "no candidates: unvoiced throughout (%zu frames not)", wrong);
    CHECK(vmc_pitch_paths_pool(a2, &global, b2, &local, &none, 0, pool) == 0, "no frames");
    vmc_pool_destroy(&pool);
    return test_done();
}
