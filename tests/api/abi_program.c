/* A program of libvmcheck's users, built three ways: against the 0.1 header
 * (tests/api/v0_1, -DABI_OLD: it indexes r->segments and r->flags, as such
 * programs do), against the current header (accessors, sized calls), and
 * against a header in which the growable structs have grown
 * (-DABI_GROWN).  Each is run on the real library and on one built against
 * the grown header; tests/api/abi.py checks that they all print the same.
 * Exit 1 when the library writes past the caller's VmcheckConfig. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "vmcheck/vmcheck.h"

#ifdef ABI_OLD
#define SEG(r, i) (&(r)->segments[i])
#define FLAG(r, i) (&(r)->flags[i])
#else
#define SEG(r, i) vmcheck_report_segment(r, i)
#define FLAG(r, i) vmcheck_report_flag(r, i)
#endif

static void dump(const char *how, const VmcheckReport *r)
{
    printf("%s: %.6f s, %u Hz, %zu syllables, %.6f/s, score %.1f, clipped %.6f, f0 %.4f Hz, speech %.4f dBFS\n", how,
           r->duration_s, r->sample_rate_hz, r->syllable_count, r->syllables_per_s, r->score, r->clipped_ratio,
           r->f0_median_hz, r->speech_dbfs);
    for (size_t i = 0; i < r->pause_count; i++) printf("  pause %.4f-%.4f\n", r->pauses[i].start_s, r->pauses[i].end_s);
    for (size_t i = 0; i < r->segment_count; i++) {
        const VmcheckSegment *s = SEG(r, i);
        printf(
            "  segment %d/%d %.4f-%.4f %zu syllables %.4f/s %s, f0 %.3f, %zu groups, %zu gaps '%s' %zu digits '%s'\n",
            (int)s->kind, (int)s->source, s->start_s, s->end_s, s->syllables, s->syllables_per_s,
            s->too_fast ? "too fast" : "ok", s->median_f0_hz, s->groups, s->gap_count, s->text, s->digits, s->heard);
        for (size_t k = 0; k < s->gap_count; k++) printf("    gap %.4f-%.4f\n", s->gaps[k].start_s, s->gaps[k].end_s);
    }
    for (size_t i = 0; i < r->flag_count; i++) {
        const VmcheckFlag *f = FLAG(r, i);
        printf("  flag %s %d %.4f-%.4f: %s\n", vmcheck_flag_name(f->code), (int)f->severity, f->start_s, f->end_s,
               f->message);
    }
}

/* A 16-bit mono WAV image of x in memory. */
static unsigned char *wav_image(const float *x, size_t n, unsigned rate, size_t *size)
{
    *size = 44 + 2 * n;
    unsigned char *b = calloc(1, *size);
    if (!b) return NULL;
    unsigned v[] = {(unsigned)(36 + 2 * n), 16, 0x00010001u, rate, 2 * rate, 0x00100002u, (unsigned)(2 * n)};
    memcpy(b, "RIFF", 4), memcpy(b + 8, "WAVEfmt ", 8), memcpy(b + 36, "data", 4);
    const size_t at[] = {4, 16, 20, 24, 28, 32, 40};
    for (int k = 0; k < 7; k++)
        for (int j = 0; j < 4; j++) b[at[k] + (size_t)j] = (unsigned char)(v[k] >> (8 * j));
    for (size_t i = 0; i < n; i++) {
        long q = lrintf(x[i] * 32767.0f);
        b[44 + 2 * i] = (unsigned char)(q & 0xff);
        b[45 + 2 * i] = (unsigned char)((q >> 8) & 0xff);
    }
    return b;
}

int main(void)
{
    int bad = 0;
    /* vmcheck_config_default writes the caller's struct and not a byte more */
    union {
        VmcheckConfig c;
        unsigned char raw[sizeof(VmcheckConfig) + 64];
    } u;
    memset(u.raw, 0xa5, sizeof(u.raw));
    vmcheck_config_default(&u.c);
    for (size_t i = sizeof(VmcheckConfig); i < sizeof(u.raw); i++)
        if (u.raw[i] != 0xa5) {
            fprintf(stderr, "vmcheck_config_default wrote byte %zu of a %zu-byte VmcheckConfig\n", i,
                    sizeof(VmcheckConfig));
            bad = 1;
            break;
        }
    if (u.c.max_number_rate != 3.5 || u.c.clipping_ratio != 0.001 || u.c.digit_detector != 1) {
        fprintf(stderr, "defaults not as documented\n");
        bad = 1;
    }
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.max_number_rate = 2.0;
    cfg.long_message_s = 5.0;
    cfg.late_start_s = 0.3;
    cfg.noisy_snr_db = 20.0;
    cfg.digit_detector = 0; /* the last field of 0.1 */
#ifdef ABI_GROWN
    cfg.test_grown_config = 12345.0; /* unknown to a library built before it: ignored */
#endif
    const unsigned rate = 16000;
    SynthPiece p[60];
    size_t np = 0;
    p[np++] = (SynthPiece){0.5, 0};
    for (int i = 0; i < 26; i++) {
        p[np++] = (SynthPiece){0.15, 110.0 * (1.0 + 0.08 * (i % 5))};
        p[np++] = (SynthPiece){i % 6 == 5 ? 0.45 : 0.2, 0};
    }
    size_t n;
    float *x = synth_message(&n, rate, p, np, 4000, 0.05);
    if (!x) return 99;
    const VmcheckSegmentSpec segs[2] = {{VMCHECK_SEGMENT_NUMBER, 2.0, 4.5, 0}, {VMCHECK_SEGMENT_NAME, 6.0, 7.0, 0}};

    VmcheckAnalyzer *a = NULL;
    VmcheckReport *r = NULL;
    if (vmcheck_analyzer_create(&a, &cfg, rate) || vmcheck_analyzer_push(a, x, n) ||
        vmcheck_analyzer_finish(a, &r, segs, 2, NULL)) {
        fprintf(stderr, "streaming analysis failed\n");
        return 1;
    }
    dump("stream", r);
    vmcheck_report_free(&r);
    vmcheck_analyzer_destroy(&a);

    size_t size;
    unsigned char *img = wav_image(x, n, rate, &size);
    if (!img || vmcheck_analyze_memory(&cfg, &r, img, size, segs, 2, NULL)) {
        fprintf(stderr, "analysis from memory failed\n");
        return 1;
    }
    dump("memory", r);
    vmcheck_report_free(&r);
    free(img);
    free(x);
    return bad;
}
