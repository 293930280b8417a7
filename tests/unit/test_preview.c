/* The HTML player's copy of a recording (src/io/preview.c): a WAV written
 * here is encoded, the image decoded back through a source, and the result
 * compared in physical units: its length, the level of a tone in the
 * passband, the rejection of a tone above the new Nyquist frequency. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/preview.h"
#include "io/source.h"
#include "test.h"

static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static void put16(FILE *f, unsigned v)
{
    unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    fwrite(b, 1, 2, f);
}

/* A 16-bit PCM WAV of `channels` copies of sin(2 pi f t) at amplitude a. */
static int write_tone(const char *path, unsigned rate, unsigned channels, double seconds, double f, double a)
{
    FILE *o = fopen(path, "wb");
    if (!o) return -1;
    uint32_t frames = (uint32_t)lround(seconds * rate), bytes = frames * channels * 2;
    fwrite("RIFF", 1, 4, o);
    put32(o, 36 + bytes);
    fwrite("WAVEfmt ", 1, 8, o);
    put32(o, 16);
    put16(o, 1);
    put16(o, channels);
    put32(o, rate);
    put32(o, rate * channels * 2);
    put16(o, channels * 2);
    put16(o, 16);
    fwrite("data", 1, 4, o);
    put32(o, bytes);
    for (uint32_t i = 0; i < frames; i++) {
        long v = lround(32767.0 * a * sin(2.0 * 3.14159265358979323846 * f * i / rate));
        for (unsigned c = 0; c < channels; c++) put16(o, (unsigned)(uint16_t)(int16_t)v);
    }
    return fclose(o);
}

/* Decode the image; the RMS of its middle (a second in from each end, past
 * the codec's and the filter's edges), in dBFS; its length in seconds. */
static int decode(const VmcPreview *p, double *rms_db, double *seconds)
{
    VmcSource *s = NULL;
    if (vmc_source_open_memory(&s, p->data, p->size, VMC_BACKEND_SNDFILE, NULL)) return -1;
    unsigned rate = vmc_source_info(s)->rate_hz;
    double acc = 0.0;
    unsigned long long n = 0, used = 0;
    for (;;) {
        const float *x;
        size_t k, clipped, samples;
        if (vmc_source_read(s, &x, &k, &clipped, &samples)) break;
        if (!k) break;
        for (size_t i = 0; i < k; i++, n++)
            if (n >= rate && n < (unsigned long long)(p->duration_s * rate) - rate) {
                acc += (double)x[i] * (double)x[i];
                used++;
            }
    }
    vmc_source_close(&s);
    *rms_db = used ? 10.0 * log10(acc / (double)used + 1e-30) : -300.0;
    *seconds = (double)n / rate;
    return 0;
}

int main(void)
{
    char dir[] = "/tmp/vmcheck-preview-XXXXXX";
    if (!mkdtemp(dir)) return 77;
    char path[128];
    snprintf(path, sizeof(path), "%s/tone.wav", dir);
    static const struct {
        unsigned rate, channels;
        double f, want_db, tol_db;
        const char *what;
    } cases[] = {
        {16000, 1, 1000, -3.01 - 6.02, 1.0, "16 kHz, 1 kHz at -6 dB: level kept"},
        {48000, 2, 1000, -3.01 - 6.02, 1.0, "48 kHz stereo, 1 kHz: level kept"},
        {44100, 1, 440, -3.01 - 6.02, 1.0, "44.1 kHz, 440 Hz: level kept"},
        {8000, 1, 1000, -3.01 - 6.02, 1.0, "8 kHz (upsampled), 1 kHz: level kept"},
        {48000, 1, 12000, -100.0, 50.0, "48 kHz, 12 kHz tone (over the new Nyquist): under -50 dBFS"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        printf("%s\n", cases[k].what);
        CHECK(write_tone(path, cases[k].rate, cases[k].channels, 4.0, cases[k].f, 0.5) == 0, "cannot write %s", path);
        VmcPreview p;
        memset(&p, 0, sizeof(p));
        int st = vmc_preview_encode(&p, path, 600.0, NULL);
        CHECK(st == 0, "encode: %d", st);
        if (st) continue;
        CHECK(p.rate_hz == 16000 || p.rate_hz == 8000, "rate %u", p.rate_hz);
        CHECK(p.mime && !strncmp(p.mime, "audio/", 6), "mime");
        CHECK_NEAR(p.duration_s, 4.0, 0.002, "encoded length, s");
        double db = -300.0, secs = 0.0;
        CHECK(decode(&p, &db, &secs) == 0, "the image does not decode");
        CHECK_NEAR(secs, 4.0, 0.03, "decoded length, s");
        if (cases[k].want_db < -90)
            CHECK(db < -50.0, "%s: %.1f dBFS", cases[k].what, db);
        else
            CHECK_NEAR(db, cases[k].want_db, cases[k].tol_db, "tone level, dBFS");
        /* 40 kbit/s or less: a minute well under a megabyte */
        CHECK(p.size * 8.0 / p.duration_s < 48000.0, "%.0f bit/s", p.size * 8.0 / p.duration_s);
        vmc_preview_free(&p);
    }
    /* too long for the page: refused before encoding; a missing file */
    VmcPreview p;
    memset(&p, 0, sizeof(p));
    CHECK(vmc_preview_encode(&p, path, 1.0, NULL) == VMCHECK_ERANGE, "a 4-s file under a 1-s cap");
    CHECK(p.data == NULL, "out written on failure");
    snprintf(path, sizeof(path), "%s/missing.wav", dir);
    CHECK(vmc_preview_encode(&p, path, 600.0, NULL) == VMCHECK_EIO, "a missing file");
    vmc_preview_free(NULL);
    snprintf(path, sizeof(path), "%s/tone.wav", dir);
    unlink(path);
    rmdir(dir);
    printf("%d checks, %d failed\n", test_checks, test_failures);
    return test_failures ? 1 : 0;
}
