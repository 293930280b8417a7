/* The digit detector's network (features/digitnet.c) and its input bands
 * (features/melbands.c).
 *
 *  - The C inference gives the training tool's own output: tests/data/
 *    digitnet_ref.txt holds band codes and the log-probabilities that
 *    tools/digits/train.py computed with torch on them (argv[1]).
 *  - A step's output does not depend on how the steps are split into
 *    blocks (so not on threads), nor on the kernel that computes it: the
 *    plain C, SSE2, AVX and AVX-512F paths give the same bits, on the
 *    trained network and on random ones with every layer width from 1 to
 *    VMC_DN_MAX_WIDTH; and the bits of every input summed, zeros too (the
 *    kernels leave out inputs that are zero in all of a tile's rows), as
 *    this file sums them.  No bias of the trained network is -0, which
 *    that rests on.
 *  - The bands read the same level at 8 kHz and at 16 kHz input, and a
 *    tone lands in the band that holds its frequency.
 *  - A band's code, found without a logarithm, is the rounded level in
 *    half-dB steps, at random levels and just either side of every step.
 *  - Four frames' bands at once (vmc_melbands_process4) give the codes of
 *    four single frames, and their mean squares the same bits (SSE2, and
 *    AVX-512F where the CPU has it), on random spectra at each analysis
 *    size; their codes too (AVX-512F, AVX2), at every step's edges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "features/digitnet.h"
#include "features/melbands.h"
#include "test.h"

static const char *const path_name[] = {"best", "C", "SSE2", "AVX", "AVX-512F"};

/* The network the plain way, for steps [t0, t1): every layer over every row
 * the next needs, every input summed (zeros too) in the order the kernels
 * keep (bias, then tap by tap, input by input; multiply, then add), then
 * the log-softmax as features/digitnet.c writes it.  Returns 0 out of memory. */
static int dense_eval(const VmcDigitNet *net, const VmcDnNorm *norm, long t0, long t1, float *out)
{
    const int L = net->n_layers;
    long R[VMC_DN_MAX_LAYERS];
    R[L - 1] = 0;
    for (int l = L - 2; l >= 0; l--)
        R[l] = R[l + 1] + (long)(net->layer[l + 1].kernel / 2) * net->layer[l + 1].dilation;
    const long half = net->layer[0].kernel / 2;
    const long f_lo = 2 * (t0 - R[0]) - half, f_hi = 2 * (t1 + R[0] - 1) + half + 1;
    float *in = calloc((size_t)(f_hi - f_lo), VMC_DN_INPUTS * sizeof(float)), *prev = NULL;
    if (!in) return 0;
    vmc_digitnet_inputs(norm, in, f_lo, f_hi);
    long plo = 0;
    for (int l = 0; l < L; l++) {
        const VmcDnLayer *Ly = &net->layer[l];
        const long lo = t0 - R[l], hi = t1 + R[l];
        const size_t I = (size_t)Ly->inputs, O = (size_t)Ly->outputs;
        float *cur = calloc((size_t)(hi - lo), O * sizeof(float));
        if (!cur) {
            free(prev);
            free(in);
            return 0;
        }
        for (long q = lo; q < hi; q++)
            for (size_t o = 0; o < O; o++) {
                float acc = Ly->b[o];
                for (int j = 0; j < Ly->kernel; j++) {
                    const float *x = l == 0 ? in + (size_t)(2 * q + j - half - f_lo) * VMC_DN_INPUTS
                                            : prev + (size_t)(q + (long)(j - Ly->kernel / 2) * Ly->dilation - plo) * I;
                    for (size_t i = 0; i < I; i++) {
                        const float p = Ly->w[((size_t)j * I + i) * O + o] * x[i];
                        acc = acc + p;
                    }
                }
                cur[(size_t)(q - lo) * O + o] = l < L - 1 && !(acc > 0.0f) ? 0.0f : acc;
            }
        free(prev);
        prev = cur;
        plo = lo;
    }
    for (long q = 0; q < t1 - t0; q++) {
        float *v = prev + (size_t)q * VMC_DN_CLASSES;
        float m = v[0];
        for (int c = 1; c < VMC_DN_CLASSES; c++) m = v[c] > m ? v[c] : m;
        double sum = 0.0;
        for (int c = 0; c < VMC_DN_CLASSES; c++) sum += exp((double)(v[c] - m));
        const float lse = m + (float)log(sum);
        for (int c = 0; c < VMC_DN_CLASSES; c++) out[(size_t)q * VMC_DN_CLASSES + (size_t)c] = v[c] - lse;
    }
    free(prev);
    free(in);
    return 1;
}

static void check_reference(const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "cannot open %s", path);
    if (!f) return;
    char line[4096];
    size_t n_frames = 0, n_in = 0, n_steps = 0, n_cls = 0;
    while (fgets(line, sizeof(line), f) && line[0] == '#') {}
    CHECK(sscanf(line, "%zu %zu %zu %zu", &n_frames, &n_in, &n_steps, &n_cls) == 4, "header");
    CHECK(n_in == VMC_MEL_BANDS && n_cls == VMC_DN_CLASSES && n_steps == (n_frames + 1) / 2, "sizes %zu %zu %zu", n_in,
          n_cls, n_steps);
    unsigned char *codes = calloc(n_frames * VMC_MEL_BANDS + 1, 1);
    float *want = calloc(n_steps * VMC_DN_CLASSES + 1, sizeof(float));
    float *got = calloc(n_steps * VMC_DN_CLASSES + 1, sizeof(float));
    int ok = codes && want && got && n_in == VMC_MEL_BANDS && n_cls == VMC_DN_CLASSES;
    for (size_t i = 0; ok && i < n_frames * VMC_MEL_BANDS; i++) {
        unsigned v;
        ok = fscanf(f, "%u", &v) == 1 && v < 256;
        if (ok) codes[i] = (unsigned char)v;
    }
    for (size_t i = 0; ok && i < n_steps * VMC_DN_CLASSES; i++) ok = fscanf(f, "%f", &want[i]) == 1;
    fclose(f);
    CHECK(ok, "reference file %s is malformed", path);
    if (ok) {
        /* every band's mean at code 80 (-80 dBFS), as the reference was made */
        VmcDnNorm norm;
        vmc_digitnet_norm(&norm, codes, NULL, n_frames, 0.01);
        norm.fixed = 1;
        for (int b = 0; b < VMC_MEL_BANDS; b++) norm.global[b] = 80.0;
        VmcDnScratch sc;
        CHECK(vmc_dn_scratch_init(&sc, &vmc_digitnet_model, 256) == 0, "scratch");
        vmc_digitnet_eval(&vmc_digitnet_model, &sc, got, &norm, 0, n_steps);
        double worst = 0.0;
        for (size_t i = 0; i < n_steps * VMC_DN_CLASSES; i++) worst = fmax(worst, fabs((double)(got[i] - want[i])));
        CHECK_NEAR(worst, 0.0, 2e-4, "largest |C - torch| log-probability");

        /* blocks of 7 steps, and a block starting past the end of the input */
        float *blk = calloc((n_steps + 7) * VMC_DN_CLASSES, sizeof(float));
        CHECK(blk != NULL, "alloc");
        for (size_t t0 = 0; blk && t0 < n_steps; t0 += 7) {
            const size_t t1 = t0 + 7 < n_steps ? t0 + 7 : n_steps;
            vmc_digitnet_eval(&vmc_digitnet_model, &sc, blk + t0 * VMC_DN_CLASSES, &norm, t0, t1);
        }
        CHECK(blk && memcmp(blk, got, n_steps * VMC_DN_CLASSES * sizeof(float)) == 0,
              "blocks of 7 steps give bit-identical outputs");
        /* every kernel path (C, SSE2, AVX, AVX-512F) gives the same bits */
        for (int p = VMC_DN_PATH_C; blk && p <= VMC_DN_PATH_AVX512; p++) {
            sc.path = p;
            vmc_digitnet_eval(&vmc_digitnet_model, &sc, blk, &norm, 0, n_steps);
            CHECK(memcmp(blk, got, n_steps * VMC_DN_CLASSES * sizeof(float)) == 0,
                  "kernel path %s gives bit-identical outputs", path_name[p]);
        }
        sc.path = VMC_DN_PATH_BEST;
        /* every input summed, zeros too: the same bits */
        int dense_ok = blk && dense_eval(&vmc_digitnet_model, &norm, 0, (long)n_steps, blk);
        CHECK(dense_ok && memcmp(blk, got, n_steps * VMC_DN_CLASSES * sizeof(float)) == 0,
              "every input summed (zeros too) gives the same bits");
        int neg_zero = 0;
        for (int l = 0; l < vmc_digitnet_model.n_layers; l++)
            for (int o = 0; o < vmc_digitnet_model.layer[l].outputs; o++) {
                const float b = vmc_digitnet_model.layer[l].b[o];
                neg_zero += b == 0.0f && signbit(b);
            }
        CHECK(neg_zero == 0, "no bias of the trained network is -0 (%d are)", neg_zero);
        free(blk);
        /* every output a log-probability distribution */
        double worst_sum = 0.0;
        for (size_t t = 0; t < n_steps; t++) {
            double s = 0.0;
            for (int c = 0; c < VMC_DN_CLASSES; c++) s += exp((double)got[t * VMC_DN_CLASSES + (size_t)c]);
            worst_sum = fmax(worst_sum, fabs(s - 1.0));
        }
        CHECK_NEAR(worst_sum, 0.0, 1e-5, "probabilities sum to 1");
        vmc_dn_scratch_free(&sc);
    }
    free(codes);
    free(want);
    free(got);
}

/* The inputs' sliding normalisation: the same bits whatever stretch of
 * frames they are computed in, a level step followed within the window, and
 * the recording's mean standing in where the window holds little speech. */
static void check_norm(void)
{
    enum { N = 1200 };
    static unsigned char codes[N * VMC_MEL_BANDS], speech[N];
    static float whole[N * VMC_DN_INPUTS], part[N * VMC_DN_INPUTS];
    unsigned long long st = 12345;
    for (size_t f = 0; f < N; f++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        speech[f] = (unsigned char)((f / 40) % 4 != 3); /* 0.3 s of every 1.2 s silent */
        /* speech at code 160 (-40 dBFS) for 6 s, then 20 dB (40 codes) down */
        for (int b = 0; b < VMC_MEL_BANDS; b++)
            codes[f * VMC_MEL_BANDS + (size_t)b] = (unsigned char)((f < 600 ? 160 : 120) + (int)((st >> 33) % 9) - 4);
    }
    VmcDnNorm nm;
    vmc_digitnet_norm(&nm, codes, speech, N, 0.01);
    vmc_digitnet_inputs(&nm, whole, 0, N);
    for (long f0 = 0; f0 < N; f0 += 37)
        vmc_digitnet_inputs(&nm, part + f0 * VMC_DN_INPUTS, f0, f0 + 37 < N ? f0 + 37 : N);
    CHECK(!memcmp(whole, part, sizeof(whole)), "inputs computed in stretches of 37 frames are bit-identical");
    /* far from the step each half is normalised to its own level: mean ~0 */
    double a = 0.0, b = 0.0;
    for (int k = 0; k < 100; k++)
        a += (double)whole[(200 + k) * VMC_DN_INPUTS] / 100.0, b += (double)whole[(1000 + k) * VMC_DN_INPUTS] / 100.0;
    CHECK_NEAR(a, 0.0, 0.05, "louder half, normalised (units of 10 dB)");
    CHECK_NEAR(b, 0.0, 0.05, "quieter half, 20 dB down, normalised too");
    /* a frame before the recording reads the pad */
    float pad[VMC_DN_INPUTS];
    vmc_digitnet_inputs(&nm, pad, -1, 0);
    CHECK(pad[0] == VMC_DN_IN_LO, "outside the recording: %g", (double)pad[0]);
}

/* The band codes of a 0.5 s tone analysed at `rate`. */
static void tone_bands(double hz, unsigned rate, double amp, double mean_db[VMC_MEL_BANDS])
{
    const size_t n = (size_t)(0.5 * rate);
    float *x = calloc(n, sizeof(float));
    for (size_t i = 0; x && i < n; i++) x[i] = (float)(amp * sin(2.0 * M_PI * hz * (double)i / (double)rate));
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    VmcheckAnalyzer *a = NULL;
    memset(mean_db, 0, VMC_MEL_BANDS * sizeof(double));
    if (!x || vmcheck_analyzer_create(&a, &cfg, rate) || vmcheck_analyzer_push(a, x, n)) {
        CHECK(0, "analyser at %u Hz", rate);
        free(x);
        vmcheck_analyzer_destroy(&a);
        return;
    }
    VmcDigitsTap tap;
    memset(&tap, 0, sizeof(tap));
    vmc_analyzer_set_tap(a, &tap);
    VmcheckReport *r = NULL;
    CHECK(vmcheck_analyzer_finish(a, &r, NULL, 0, NULL) == 0, "finish");
    /* frames 10..39 (0.1-0.4 s): inside the tone; the codes are the tracks' */
    const unsigned char *codes = a->tracks.mel.v;
    for (size_t t = 10; codes && t < 40 && t < a->tracks.mel.n; t++)
        for (int b = 0; b < VMC_MEL_BANDS; b++) mean_db[b] += (double)vmc_mel_db(codes[t * VMC_MEL_BANDS + b]) / 30.0;
    vmcheck_report_free(&r);
    vmc_digits_tap_free(&tap);
    vmcheck_analyzer_destroy(&a);
    free(x);
}

static void check_bands(void)
{
    double b8[VMC_MEL_BANDS], b16[VMC_MEL_BANDS], b44[VMC_MEL_BANDS];
    tone_bands(1000.0, 8000, 0.5, b8);
    tone_bands(1000.0, 16000, 0.5, b16);
    tone_bands(1000.0, 44100, 0.5, b44);
    int peak = 0;
    for (int b = 1; b < VMC_MEL_BANDS; b++) peak = b16[b] > b16[peak] ? b : peak;
    /* band centres: mel-spaced over 300-3400 Hz; 1 kHz lies between bands 7 and 8 */
    printf("  1 kHz tone peaks in band %d\n", peak);
    CHECK(peak == 7 || peak == 8, "1 kHz in band %d", peak);
    /* the level of the band: a 0.5 amplitude sine is -9.03 dBFS; the band's
     * triangular weight at 1 kHz is under 1, so a little less */
    CHECK(b16[peak] < -9.0 && b16[peak] > -16.0, "peak band level %.1f dBFS", b16[peak]);
    CHECK_NEAR(b8[peak], b16[peak], 0.6, "peak band, 8 kHz against 16 kHz input (dB)");
    CHECK_NEAR(b44[peak], b16[peak], 0.6, "peak band, 44.1 kHz against 16 kHz input (dB)");
    /* far from the tone the bands are far down */
    CHECK(b16[0] < b16[peak] - 40.0 && b16[VMC_MEL_BANDS - 1] < b16[peak] - 40.0, "off-band levels %.1f %.1f", b16[0],
          b16[VMC_MEL_BANDS - 1]);
}

static unsigned char code_by_log(double p)
{
    const double db = p > 1e-12 ? 10.0 * log10(p) : VMC_MEL_BASE_DB;
    double q = floor((db - VMC_MEL_BASE_DB) / VMC_MEL_STEP_DB + 0.5);
    return (unsigned char)(q < 0.0 ? 0.0 : q > 255.0 ? 255.0 : q);
}

static void check_codes(void)
{
    VmcSpectrum s;
    VmcMelBands m;
    if (vmc_spectrum_init(&s, 8000.0, 320, 384) || vmc_melbands_init(&m, &s)) {
        CHECK(0, "mel bands set up");
        return;
    }
    unsigned long long x = 0x9e3779b97f4a7c15ull;
    size_t bad = 0, n = 0;
    for (int i = 0; i < 1000000; i++, n++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        /* log-uniform from -140 to +10 dB */
        const double p = pow(10.0, (-140.0 + 150.0 * (double)(x >> 11) / 9007199254740992.0) / 10.0);
        bad += vmc_mel_code(&m, p) != code_by_log(p);
    }
    /* each step's level and its neighbours a relative 1e-9 away */
    for (int c = 0; c < 256; c++)
        for (int k = -1; k <= 1; k++, n++) {
            const double p =
                pow(10.0, (VMC_MEL_BASE_DB + ((double)c - 0.5) * VMC_MEL_STEP_DB) / 10.0) * (1.0 + 1e-9 * k);
            bad += vmc_mel_code(&m, p) != code_by_log(p);
        }
    bad += vmc_mel_code(&m, 0.0) != 0 || vmc_mel_code(&m, 1e-13) != 0 || vmc_mel_code(&m, 1e6) != 255;
    CHECK(bad == 0, "band codes: %zu of %zu differ from the rounded level", bad, n);
    /* four frames' codes at once (eight at a time with AVX-512F where the CPU
     * has it): each vmc_mel_code's, on the same kind of levels, each step's
     * level and its neighbours, and the edges (0, negative, tiny, huge,
     * infinite, NaN) */
    const int have_avx512 = m.avx512, have_avx2 = m.avx2;
    size_t bad4[3] = {0, 0, 0}, n4 = 0; /* plain, AVX-512F, AVX2 */
    for (int rep = 0; rep < 20000; rep++) {
        double t[VMC_MEL_BANDS][4];
        for (int i = 0; i < 4 * VMC_MEL_BANDS; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const double u = (double)(x >> 11) / 9007199254740992.0;
            double p;
            if (rep < 1000) { /* a step's level, a relative 1e-9 either side */
                const int c = (rep * 80 + i) / 3 % 256, k = (rep * 80 + i) % 3 - 1;
                p = pow(10.0, (VMC_MEL_BASE_DB + ((double)c - 0.5) * VMC_MEL_STEP_DB) / 10.0) * (1.0 + 1e-9 * k);
            } else if (rep < 1010) {
                static const double edge[] = {0.0, -1.0, 1e-300, 4.9e-324, 1e-13, 1e-12, 1e6, 1e300, HUGE_VAL, NAN};
                p = edge[(rep + i) % 10];
            } else {
                p = pow(10.0, (-140.0 + 150.0 * u) / 10.0);
            }
            t[i / 4][i % 4] = p;
        }
        unsigned char want[4][VMC_MEL_BANDS], got[4][VMC_MEL_BANDS];
        unsigned char *o[4] = {got[0], got[1], got[2], got[3]};
        for (int b = 0; b < VMC_MEL_BANDS; b++)
            for (int l = 0; l < 4; l++) want[l][b] = vmc_mel_code(&m, t[b][l]);
        for (int path = 0; path < 3; path++) {
            if ((path == 1 && !have_avx512) || (path == 2 && !have_avx2)) continue;
            m.avx512 = path == 1;
            m.avx2 = path == 2;
            vmc_melbands_codes4(&m, o, (const double(*)[4])t);
            bad4[path] += memcmp(want, got, sizeof(want)) != 0;
        }
        m.avx512 = have_avx512;
        m.avx2 = have_avx2;
        n4++;
    }
    printf("  four frames' codes with AVX-512F: %s\n", have_avx512 ? "compared" : "not on this CPU or build");
    printf("  four frames' codes with AVX2: %s\n", have_avx2 ? "compared" : "not on this CPU or build");
    CHECK(bad4[0] == 0 && bad4[1] == 0 && bad4[2] == 0,
          "four frames' codes: %zu (plain), %zu (AVX-512F) and %zu (AVX2) of %zu sets differ", bad4[0], bad4[1],
          bad4[2], n4);
    vmc_melbands_free(&m);
    vmc_spectrum_free(&s);
}

static void check_four_lanes(void)
{
    /* the analysis's sizes at 8 and 16 kHz (analyzer.c: 3 / 75 Hz windows)
     * and one whose bands end off a multiple of four bins */
    static const struct {
        double rate;
        size_t win, nfft;
    } sizes[] = {{8000.0, 320, 384}, {16000.0, 640, 768}, {11025.0, 441, 512}};
    unsigned long long x = 0x2545f4914f6cdd1dull;
    size_t bad = 0, n = 0;
    size_t bad_sums[3] = {0, 0, 0}; /* SSE2, AVX-512F, AVX */
    int avx512_sums = 0, avx_sums = 0;
    for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
        VmcSpectrum s;
        VmcMelBands m;
        if (vmc_spectrum_init(&s, sizes[z].rate, sizes[z].win, sizes[z].nfft) || vmc_melbands_init(&m, &s)) {
            CHECK(0, "mel bands set up");
            return;
        }
        const int have_avx512 = m.avx512, have_avx = m.avx; /* as the CPU has them */
        avx512_sums |= have_avx512;
        avx_sums |= have_avx;
        float *pw = calloc(4 * s.nbins, sizeof(float));
        CHECK(pw != NULL, "out of memory");
        for (int rep = 0; pw && rep < 2000; rep++) {
            /* each frame at its own level, bins log-uniform over 60 dB; every
             * third set over 200 dB, so a band's double sum rounds (over 60
             * dB the float products add exactly in any order) */
            const double spread = rep % 3 == 2 ? 200.0 : 60.0;
            for (size_t i = 0; i < 4 * s.nbins; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                const double lvl = -100.0 + 10.0 * (double)(rep % 11) + 15.0 * (double)(i / s.nbins);
                pw[i] = (float)pow(10.0, (lvl + spread * (double)(x >> 11) / 9007199254740992.0) / 10.0);
            }
            unsigned char one[4][VMC_MEL_BANDS], four[4][VMC_MEL_BANDS];
            const float *in[4];
            unsigned char *out[4];
            for (int l = 0; l < 4; l++) {
                in[l] = pw + (size_t)l * s.nbins;
                out[l] = four[l];
                vmc_melbands_process(&m, one[l], in[l]);
            }
            vmc_melbands_process4(&m, out, in);
            bad += memcmp(one, four, sizeof(one)) != 0;
            n++;
            /* the mean squares themselves, bit for bit, on each path */
            double s1[4][VMC_MEL_BANDS], s4[VMC_MEL_BANDS][4];
            for (int l = 0; l < 4; l++) vmc_melbands_sums(&m, s1[l], in[l]);
            /* path 0 SSE2, 1 AVX-512F, 2 AVX */
            for (int path = 0; path < 3; path++) {
                if ((path == 1 && !have_avx512) || (path == 2 && !have_avx)) continue;
                m.avx512 = path == 1;
                m.avx = path == 2;
                vmc_melbands_sums4(&m, s4, in);
                int same = 1;
                for (int b = 0; b < VMC_MEL_BANDS; b++)
                    for (int l = 0; l < 4; l++) same &= memcmp(&s4[b][l], &s1[l][b], sizeof(double)) == 0;
                bad_sums[path] += !same;
            }
            m.avx512 = have_avx512;
            m.avx = have_avx;
        }
        free(pw);
        vmc_melbands_free(&m);
        vmc_spectrum_free(&s);
    }
    CHECK(bad == 0, "four lanes at once: %zu of %zu sets of four frames differ from one frame at a time", bad, n);
    CHECK(bad_sums[0] == 0, "four lanes at once, SSE2: %zu of %zu sets of four frames' sums differ", bad_sums[0], n);
    printf("  four frames' band sums with AVX-512F: %s\n", avx512_sums ? "compared" : "not on this CPU or build");
    CHECK(bad_sums[1] == 0, "four lanes at once, AVX-512F: %zu of %zu sets of four frames' sums differ", bad_sums[1],
          n);
    printf("  four frames' band sums with AVX: %s\n", avx_sums ? "compared" : "not on this CPU or build");
    CHECK(bad_sums[2] == 0, "four lanes at once, AVX: %zu of %zu sets of four frames' sums differ", bad_sums[2], n);
}

/* The paths the build and CPU have (the others fall back to a narrower
 * one, so comparing them would prove nothing). */
static int path_runs(int p) { return p <= vmc_dn_path_best(); }

/* Random networks 20 -> A -> B -> classes with A = 1 .. VMC_DN_MAX_WIDTH and
 * B = VMC_DN_MAX_WIDTH + 1 - A (so every width is a hidden layer's output
 * and a layer's input, whole tiles of 64, 16 and 8 outputs and every
 * remainder), random weights and inputs: each path gives the plain C path's
 * bits at every output.  Blocks of 37 steps (rows past a tile's end). */
static void check_paths(void)
{
    enum { STEPS = 37, FRAMES = 2 * STEPS + 24, MAXK = 5 };
    const int W = VMC_DN_MAX_WIDTH;
    float *w0 = calloc((size_t)MAXK * VMC_DN_INPUTS * (size_t)W, sizeof(float));
    float *w1 = calloc((size_t)MAXK * (size_t)W * (size_t)W, sizeof(float));
    float *w2 = calloc((size_t)MAXK * (size_t)W * VMC_DN_CLASSES, sizeof(float));
    float b0[VMC_DN_MAX_WIDTH], b1[VMC_DN_MAX_WIDTH], b2[VMC_DN_CLASSES];
    static unsigned char codes[FRAMES * VMC_MEL_BANDS];
    static float want[STEPS * VMC_DN_CLASSES], got[STEPS * VMC_DN_CLASSES];
    CHECK(w0 && w1 && w2, "out of memory");
    unsigned long long x = 0x853c49e6748fea9bull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, (float)((double)(x >> 11) / 4503599627370496.0 - 1.0))
    for (size_t i = 0; i < sizeof(codes); i++) codes[i] = (unsigned char)(80.0f + 50.0f * RND());
    VmcDnNorm norm;
    vmc_digitnet_norm(&norm, codes, NULL, FRAMES, 0.01);
    norm.fixed = 1;
    for (int b = 0; b < VMC_MEL_BANDS; b++) norm.global[b] = 80.0;
    int compared[VMC_DN_PATH_AVX512 + 1] = {0};
    size_t bad[VMC_DN_PATH_AVX512 + 1] = {0};
    for (int a = 1; w0 && w1 && w2 && a <= W; a++) {
        const int b = W + 1 - a, k0 = 1 + a % MAXK, k1 = 1 + (a / MAXK) % 3, k2 = 1 + (a / 3) % 3;
        VmcDigitNet net = {3,
                           {{VMC_DN_INPUTS, a, k0, 1, w0, b0},
                            {a, b, k1, 1 + a % 4, w1, b1},
                            {b, VMC_DN_CLASSES, k2, 1 + a % 3, w2, b2}},
                           NULL};
        for (int l = 0; l < 3; l++) {
            const VmcDnLayer *L = &net.layer[l];
            const float scale = 2.0f / sqrtf((float)(L->inputs * L->kernel));
            float *w = (float *)L->w, *bias = (float *)L->b;
            for (size_t i = 0; i < (size_t)L->kernel * (size_t)L->inputs * (size_t)L->outputs; i++)
                w[i] = scale * RND();
            for (int o = 0; o < L->outputs; o++) bias[o] = 0.3f * RND();
        }
        VmcDnScratch sc;
        if (vmc_dn_scratch_init(&sc, &net, STEPS)) {
            CHECK(0, "scratch");
            break;
        }
        /* the block starts at step 3 and runs past the frames' end */
        sc.path = VMC_DN_PATH_C;
        vmc_digitnet_eval(&net, &sc, want, &norm, 3, 3 + STEPS);
        compared[0]++;
        bad[0] += !dense_eval(&net, &norm, 3, 3 + STEPS, got) || memcmp(got, want, sizeof(got)) != 0;
        for (int p = VMC_DN_PATH_SSE2; p <= VMC_DN_PATH_AVX512; p++) {
            if (!path_runs(p)) continue;
            sc.path = p;
            memset(got, 0, sizeof(got));
            vmc_digitnet_eval(&net, &sc, got, &norm, 3, 3 + STEPS);
            compared[p]++;
            bad[p] += memcmp(got, want, sizeof(got)) != 0;
        }
        vmc_dn_scratch_free(&sc);
    }
#undef RND
    printf("  plain C path against every input summed: %d random networks\n", compared[0]);
    CHECK(compared[0] > 0 && bad[0] == 0, "plain C path: %zu of %d random networks differ from every input summed",
          bad[0], compared[0]);
    for (int p = VMC_DN_PATH_SSE2; p <= VMC_DN_PATH_AVX512; p++) {
        if (!compared[p]) {
            printf("  kernel path %s: not on this CPU or build, not compared\n", path_name[p]);
            continue;
        }
        printf("  kernel path %s against plain C: %d random networks\n", path_name[p], compared[p]);
        CHECK(bad[p] == 0, "kernel path %s: %zu of %d random networks differ from plain C", path_name[p], bad[p],
              compared[p]);
    }
    free(w0);
    free(w1);
    free(w2);
}

int main(int argc, char **argv)
{
    check_codes();
    check_four_lanes();
    if (argc < 2) {
        fprintf(stderr, "usage: test_digitnet REFERENCE\n");
        return 99;
    }
    check_reference(argv[1]);
    check_paths();
    check_norm();
    check_bands();
    return test_done();
}
