/* An hour of audio streams with bounded memory: per-frame features only,
 * never the samples.  Peak RSS must stay under 64 MB. */
#include <string.h>
#include <sys/resource.h>

#include "synth.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

int main(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 77; /* ASan's shadow memory and quarantine make RSS meaningless */
#endif
    const unsigned rate = 16000;
    const size_t block = 4000, total = (size_t)rate * 3600;
    float *x = malloc(block * sizeof(float));
    VmcheckAnalyzer *a = NULL;
    CHECK(vmcheck_analyzer_create(&a, NULL, rate) == VMCHECK_OK, "create");
    double phase = 0.0;
    SynthRng rng;
    synth_seed(&rng, 2024);
    /* 0.75 s of voice then 0.25 s of quiet, over and over */
    for (size_t off = 0; off < total; off += block) {
        if ((off / block) % 4 < 3)
            synth_harmonic(x, block, rate, 120.0, 4000.0, 0.05, &phase);
        else
            memset(x, 0, block * sizeof(float));
        synth_add_noise(x, block, 0.0005, &rng);
        if (vmcheck_analyzer_push(a, x, block)) break;
    }
    VmcheckReport *r = NULL;
    CHECK(vmcheck_analyzer_finish(a, &r, NULL, 0, NULL) == VMCHECK_OK, "finish");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mb = (double)ru.ru_maxrss / 1024.0;
    printf("peak RSS %.1f MB for one hour at %u Hz\n", mb, rate);
    CHECK(mb < 64.0, "peak RSS %.1f MB", mb);
    CHECK(r && fabs(r->duration_s - 3600.0) < 1e-6, "duration");
    CHECK(r && r->has_speech, "speech found");
    vmcheck_report_free(&r);
    vmcheck_analyzer_destroy(&a);
    free(x);
    return test_done();
}
