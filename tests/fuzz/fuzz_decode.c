/* Fuzz the whole pipeline from an encoded file image in memory (STYLE T8):
 * libsndfile's virtual I/O, header checks, decode, every stage, scoring.
 * Inputs over 1 MiB are cut: the interesting bugs live in headers. */
#include <stddef.h>
#include <stdint.h>

#include "vmcheck/vmcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) size = 1u << 20;
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    VmcheckReport *r = NULL;
    static const char script[] = "Hi, it's [Sam Lee]. Call 07700 900 123. Bye.";
    int status = vmcheck_analyze_memory(&cfg, &r, data, size, NULL, 0, size % 2 ? script : NULL);
    if (status == VMCHECK_OK) {
        /* touch the report: every array the report claims must be readable */
        volatile double sink = r->duration_s;
        for (size_t i = 0; i < r->frame_count; i++) sink += (double)r->f0_hz[i] + (double)r->energy_db[i];
        for (size_t i = 0; i < r->pause_count; i++) sink += r->pauses[i].end_s;
        for (size_t i = 0; i < r->syllable_count; i++) sink += r->syllables_s[i];
        for (size_t i = 0; i < r->segment_count; i++) sink += r->segments[i].syllables_per_s;
        (void)sink;
    }
    vmcheck_report_free(&r);
    return 0;
}
