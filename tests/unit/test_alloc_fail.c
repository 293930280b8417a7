/* Allocation failures walk every cleanup path (STYLE T10): the test is
 * linked with -Wl,--wrap=malloc,calloc,realloc, so every allocation the
 * library makes comes here, and the k-th one fails.  For k = 1, 2, ... a
 * whole analysis (streaming, segments, script) must either fail with
 * VMCHECK_ENOMEM and no report, or succeed; under ASan nothing may leak. */
#include <stdlib.h>
#include <string.h>

#include "io/decode.h"
#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1; /* allocations left before one fails; -1: never */
static long made;

static int fail_now(void)
{
    made++;
    if (countdown < 0) return 0;
    return countdown-- == 0;
}
void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fail_now() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

static int analyse(const float *x, size_t n, VmcheckReport **r)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    cfg.threads = 2;
    VmcheckAnalyzer *a = NULL;
    int s = vmcheck_analyzer_create(&a, &cfg, 16000);
    if (s) return s;
    const VmcheckSegmentSpec seg = {VMCHECK_SEGMENT_NAME, 0.6, 1.4, 0};
    s = vmcheck_analyzer_push(a, x, n);
    if (!s) s = vmcheck_analyzer_finish(a, r, &seg, 1, "Hi, it's [Sam Lee]. Call 07700 900 123. Bye.");
    vmcheck_analyzer_destroy(&a);
    return s;
}

/* A 16-bit mono WAV of x, in memory. */
static unsigned char *wav(const float *x, size_t n, size_t *size)
{
    *size = 44 + 2 * n;
    unsigned char *w = __real_malloc(*size);
    const unsigned hdr[] = {0x46464952u, (unsigned)(*size - 8), 0x45564157u, 0x20746d66u, 16u};
    memcpy(w, hdr, sizeof(hdr));
    const unsigned short fmt[] = {1, 1};
    memcpy(w + 20, fmt, 4);
    const unsigned rates[] = {16000u, 32000u};
    memcpy(w + 24, rates, 8);
    const unsigned short align[] = {2, 16};
    memcpy(w + 32, align, 4);
    const unsigned data[] = {0x61746164u, (unsigned)(2 * n)};
    memcpy(w + 36, data, 8);
    for (size_t i = 0; i < n; i++) {
        short v = (short)(x[i] * 32767.0f);
        memcpy(w + 44 + 2 * i, &v, 2);
    }
    return w;
}

/* The WAV image w through the decoder: the public call (passes 0), or
 * the driver with VmcAnalyzeArgs.passes. */
static int decode(const unsigned char *w, size_t size, int passes, VmcheckReport **r)
{
    if (!passes) return vmcheck_analyze_memory(NULL, r, w, size, NULL, 0, NULL);
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    const VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, NULL, 0.0, passes};
    return vmc_decode_memory(r, &args, w, size);
}

/* Each allocation of a decoded analysis fails in turn: ENOMEM and no
 * report, or a report. */
static void fail_each_decode(const char *what, const unsigned char *w, size_t size, int passes)
{
    VmcheckReport *r = NULL;
    made = 0;
    int s = decode(w, size, passes, &r);
    const long total = made;
    CHECK(s == VMCHECK_OK && r, "%s: reference run: %d", what, s);
    vmcheck_report_free(&r);
    long nomem = 0;
    for (long k = 0; k < total + 5; k++) {
        countdown = k;
        r = NULL;
        s = decode(w, size, passes, &r);
        countdown = -1;
        CHECK(s == VMCHECK_OK ? r != NULL : (s == VMCHECK_ENOMEM && r == NULL), "%s, allocation %ld: %d", what, k, s);
        nomem += s == VMCHECK_ENOMEM;
        vmcheck_report_free(&r);
    }
    printf("%s: %ld allocations, %ld runs failed cleanly\n", what, total, nomem);
    CHECK(nomem > 0, "%s: some failure was injected", what);
}

int main(void)
{
    static const SynthPiece p[] = {{0.3, 0}, {0.4, 120}, {0.2, 0}, {0.5, 140}, {0.3, 0}, {0.4, 110}, {0.3, 0}};
    size_t n;
    float *x = synth_message(&n, 16000, p, sizeof(p) / sizeof(p[0]), 4000, 0.05);
    VmcheckReport *r = NULL;
    made = 0;
    int s = analyse(x, n, &r);
    const long total = made;
    CHECK(s == VMCHECK_OK && r, "reference run");
    vmcheck_report_free(&r);
    printf("a full analysis makes %ld allocations; failing each in turn\n", total);
    long ok = 0, nomem = 0;
    for (long k = 0; k < total + 5; k++) {
        countdown = k;
        r = NULL;
        s = analyse(x, n, &r);
        countdown = -1;
        if (s == VMCHECK_OK) {
            ok++;
            CHECK(r != NULL, "allocation %ld failed: OK but no report", k);
        } else {
            nomem++;
            CHECK(s == VMCHECK_ENOMEM && r == NULL, "allocation %ld failed: status %d, report %p", k, s, (void *)r);
        }
        vmcheck_report_free(&r);
    }
    printf("%ld runs failed cleanly with ENOMEM, %ld succeeded\n", nomem, ok);
    CHECK(nomem > 0, "some failure was injected");

    /* the same through the decoder (its own buffers; libsndfile's are its
     * own), in one pass and in the passes a long file is read in
     * (io/decode.c: the trellis, the frequencies, the detector's stream) */
    size_t size;
    unsigned char *w = wav(x, n, &size);
    fail_each_decode("decoding", w, size, 0);
    fail_each_decode("in passes", w, size, 2);
    free(w);
    free(x);
    return test_done();
}
