/* Bad-argument sweeps over the public API: the documented code comes back
 * and no object is made.  (In debug builds misuse aborts by design: skip.) */
/* the sweep passes NULL on purpose: switch off the header's nonnull */
#define VMCHECK_BUILDING_LIBRARY
#include <string.h>

#include "test.h"
#include "vmcheck/vmcheck.h"

int main(void)
{
#ifdef VMCHECK_DEBUG_ABORT
    return 77;
#endif
    VmcheckAnalyzer *a = (VmcheckAnalyzer *)0x1;
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    CHECK(vmcheck_analyzer_create(NULL, &cfg, 16000) == VMCHECK_EINVAL, "NULL out");
    const unsigned bad_rates[] = {0, 1, 7999, 192001, 0xFFFFFFFFu, (unsigned)-16000};
    for (size_t i = 0; i < sizeof(bad_rates) / sizeof(bad_rates[0]); i++) {
        a = (VmcheckAnalyzer *)0x1;
        int r = vmcheck_analyzer_create(&a, &cfg, bad_rates[i]);
        CHECK(r == VMCHECK_ERANGE && a == (VmcheckAnalyzer *)0x1, "rate %u: r=%d, out untouched", bad_rates[i], r);
    }
    VmcheckConfig c2 = cfg;
    c2.min_pause_s = 0.0;
    CHECK(vmcheck_analyzer_create(&a, &c2, 16000) == VMCHECK_EINVAL, "min_pause 0");
    c2 = cfg;
    c2.pitch_floor_hz = NAN;
    CHECK(vmcheck_analyzer_create(&a, &c2, 16000) == VMCHECK_EINVAL, "NaN pitch floor");
    c2 = cfg;
    c2.pitch_ceiling_hz = c2.pitch_floor_hz;
    CHECK(vmcheck_analyzer_create(&a, &c2, 16000) == VMCHECK_EINVAL, "ceiling == floor");

    a = NULL;
    CHECK(vmcheck_analyzer_create(&a, NULL, 16000) == VMCHECK_OK && a, "NULL config = defaults");
    CHECK(vmcheck_analyzer_push(NULL, NULL, 0) == VMCHECK_EINVAL, "push NULL analyser");
    CHECK(vmcheck_analyzer_push(a, NULL, 10) == VMCHECK_EINVAL, "push NULL samples");
    CHECK(vmcheck_analyzer_push(a, NULL, 0) == VMCHECK_OK, "push nothing");
    VmcheckReport *rep = (VmcheckReport *)0x1;
    CHECK(vmcheck_analyzer_finish(a, &rep, NULL, 0, NULL) == VMCHECK_EEMPTY && rep == (VmcheckReport *)0x1,
          "finish with no samples: EEMPTY, out untouched");
    CHECK(vmcheck_analyzer_finish(a, &rep, NULL, 0, NULL) != VMCHECK_OK, "second finish fails");
    CHECK(vmcheck_analyzer_push(a, (const float[]){0.f}, 1) == VMCHECK_EINVAL, "push after finish");
    vmcheck_analyzer_destroy(&a);
    CHECK(a == NULL, "destroy nulls");
    vmcheck_analyzer_destroy(&a);
    vmcheck_analyzer_destroy(NULL);

    float nanbuf[4] = {0.f, NAN, 0.f, 0.f};
    CHECK(vmcheck_analyzer_create(&a, NULL, 16000) == VMCHECK_OK, "create");
    CHECK(vmcheck_analyzer_push(a, nanbuf, 4) == VMCHECK_EDATA, "NaN sample: EDATA");
    CHECK(vmcheck_analyzer_finish(a, &rep, NULL, 0, NULL) == VMCHECK_EDATA, "and the analyser stays failed");
    vmcheck_analyzer_destroy(&a);

    CHECK(vmcheck_analyze_file(NULL, NULL, "x.wav", NULL, 0, NULL) == VMCHECK_EINVAL, "file: NULL out");
    CHECK(vmcheck_analyze_file(NULL, &rep, NULL, NULL, 0, NULL) == VMCHECK_EINVAL, "file: NULL path");
    CHECK(vmcheck_analyze_file(NULL, &rep, "x.wav", NULL, 3, NULL) == VMCHECK_EINVAL, "file: segments NULL, n 3");
    CHECK(vmcheck_analyze_file(NULL, &rep, "/nonexistent/x.wav", NULL, 0, NULL) == VMCHECK_EIO, "missing: EIO");
    CHECK(vmcheck_analyze_memory(NULL, &rep, NULL, 0, NULL, 0, NULL) == VMCHECK_EEMPTY, "memory: empty");
    CHECK(vmcheck_analyze_memory(NULL, &rep, "RIFF", 4, NULL, 0, NULL) == VMCHECK_EFORMAT, "memory: junk");
    CHECK(vmcheck_analyze_memory(NULL, &rep, NULL, 5, NULL, 0, NULL) == VMCHECK_EINVAL, "memory: NULL, 5");
    VmcheckSegmentSpec bad_kind = {(enum VmcheckSegmentKind)7, 0, 1, 0};
    CHECK(vmcheck_analyze_file(NULL, &rep, "x.wav", &bad_kind, 1, NULL) == VMCHECK_EINVAL, "bad segment kind");
    CHECK(vmcheck_labels_parse(NULL, NULL, NULL, "", 0) == VMCHECK_EINVAL, "labels: NULL out");
    CHECK(vmcheck_analyzer_add_clipping(NULL, 0, 0) == VMCHECK_EINVAL, "clipping: NULL");

    for (int c = 0; c >= -9; c--) CHECK(strcmp(vmcheck_strerror(c), "unknown error") != 0, "strerror names code %d", c);
    CHECK(strcmp(vmcheck_strerror(-100), "unknown error") == 0, "unknown code");
    for (int f = 0; f < VMCHECK_FLAG_COUNT_; f++)
        CHECK(vmcheck_flag_name((enum VmcheckFlagCode)f)[0] != '\0', "flag %d has a name", f);
    CHECK(strcmp(vmcheck_version(), VMCHECK_VERSION_STRING) == 0, "version");
    vmcheck_report_free(NULL);
    vmcheck_config_default(NULL);

    /* sized entry points: a config smaller than 0.1's is misuse, and nothing is written to it */
    unsigned char small[16];
    memset(small, 0x5a, sizeof(small));
    vmcheck_config_default_sized((VmcheckConfig *)(void *)small, sizeof(small));
    int untouched = 1;
    for (size_t i = 0; i < sizeof(small); i++) untouched &= small[i] == 0x5a;
    CHECK(untouched, "config_default_sized: a 16-byte config is not written");
    a = (VmcheckAnalyzer *)0x1;
    CHECK(vmcheck_analyzer_create_sized(&a, &cfg, 16, 16000) == VMCHECK_EINVAL && a == (VmcheckAnalyzer *)0x1,
          "create_sized: 16-byte config");
    CHECK(vmcheck_analyze_file_sized(&cfg, 16, &rep, "x.wav", NULL, 0, NULL) == VMCHECK_EINVAL, "file_sized: 16 bytes");
    CHECK(vmcheck_analyze_memory_sized(&cfg, 16, &rep, "RIFF", 4, NULL, 0, NULL) == VMCHECK_EINVAL,
          "memory_sized: 16 bytes");
    /* accessors: NULL report or index out of range */
    CHECK(!vmcheck_report_segment(NULL, 0) && !vmcheck_report_flag(NULL, 0) && !vmcheck_report_pause(NULL, 0),
          "accessors on NULL");
    VmcheckReport empty;
    memset(&empty, 0, sizeof(empty));
    CHECK(!vmcheck_report_segment(&empty, 0) && !vmcheck_report_flag(&empty, 0) && !vmcheck_report_pause(&empty, 0),
          "accessors past the end");
    VmcheckSegmentSpec *specs = NULL;
    size_t n_specs = 0;
    CHECK(vmcheck_labels_parse(&specs, &n_specs, NULL, "1\t2\tname\n", 9) == VMCHECK_OK && n_specs == 1,
          "labels parse");
    vmcheck_labels_free(&specs);
    CHECK(specs == NULL, "labels_free nulls");
    vmcheck_labels_free(&specs);
    vmcheck_labels_free(NULL);
    return test_done();
}
