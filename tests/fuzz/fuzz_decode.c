/* Fuzz the whole pipeline from an encoded file image in memory (STYLE T8):
 * each decoder's header checks and decode, every stage, scoring.  Every
 * input takes the public entry point's route (libsndfile first, FFmpeg
 * when libsndfile cannot open it) and, in a build with FFmpeg, FFmpeg
 * alone, so that FFmpeg's demuxers also see what libsndfile would have
 * taken (WAV, FLAC, Ogg).  Inputs over 1 MiB are cut: the interesting bugs
 * live in headers.  The replay build (the CI test) also runs the public
 * entry point itself, uncapped. */
#include <stddef.h>
#include <stdint.h>

#include "io/decode.h"
#include "io/source.h"
#include "vmcheck/vmcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The decoded length analysed: the demuxers and decoders see the whole
 * input, the analysis (the costly part of a run) only this much of it. */
#define MAX_DECODED_S 0.5

/* Touch the report: every array the report claims must be readable. */
static void touch(const VmcheckReport *r)
{
    volatile double sink = r->duration_s;
    for (size_t i = 0; i < r->frame_count; i++) sink += (double)r->f0_hz[i] + (double)r->energy_db[i];
    for (size_t i = 0; i < r->pause_count; i++) sink += r->pauses[i].end_s;
    for (size_t i = 0; i < r->syllable_count; i++) sink += r->syllables_s[i];
    for (size_t i = 0; i < r->segment_count; i++) sink += r->segments[i].syllables_per_s;
    for (size_t i = 0; i < r->flag_count; i++) sink += vmcheck_report_flag(r, i)->start_s;
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) size = 1u << 20;
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    VmcheckReport *r = NULL;
    static const char script[] = "Hi, it's [Sam Lee]. Call 07700 900 123. Bye.";
#ifdef VMC_FUZZ_REPLAY
    /* the public entry point, whole (the corpus is small) */
    if (vmcheck_analyze_memory(&cfg, &r, data, size, NULL, 0, size % 2 ? script : NULL) == VMCHECK_OK) touch(r);
    vmcheck_report_free(&r);
#endif
    /* the route vmcheck_analyze_memory() takes (libsndfile, then FFmpeg),
     * and FFmpeg alone: the path phones' and browsers' files take */
    static const unsigned routes[] = {
        VMC_BACKEND_ANY,
#ifdef VMC_HAVE_FFMPEG
        VMC_BACKEND_FFMPEG,
#endif
    };
    for (size_t k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
        const VmcAnalyzeArgs args = {&cfg, NULL, 0, (size + k) % 2 ? script : NULL, NULL, MAX_DECODED_S, 0};
        if (vmc_decode_memory_with(&r, &args, data, size, routes[k]) == VMCHECK_OK) touch(r);
        vmcheck_report_free(&r);
    }
    return 0;
}
