/* 16-bit PCM comes out of the source as libsndfile's normalised floats, to
 * the bit, in every container the source reads it from as stored (WAV,
 * WAVE_EXTENSIBLE, AIFF (big-endian), W64, RF64, CAF): every one of the
 * 65536 codes, mono and stereo (the channels' mean), against the value
 * code / 32768 and against libsndfile's own float reading of the file. */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/source.h"
#include "test.h"

#define CODES 65536

/* The file's frames as libsndfile reads them as float, the channels' mean. */
static float *sndfile_mono(const char *path, size_t *n)
{
    SF_INFO info;
    memset(&info, 0, sizeof(info));
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf) return NULL;
    sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
    float *x = calloc((size_t)info.frames * (size_t)info.channels, sizeof(float));
    float *m = calloc((size_t)info.frames, sizeof(float));
    *n = (size_t)sf_readf_float(sf, x, info.frames);
    for (size_t i = 0; i < *n; i++) {
        float acc = 0.0f;
        for (int c = 0; c < info.channels; c++) acc += x[i * (size_t)info.channels + (size_t)c];
        m[i] = acc / (float)info.channels;
    }
    sf_close(sf);
    free(x);
    return m;
}

static void check(int format, const char *name, int channels)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/vmcheck-test-source-XXXXXX");
    const int fd = mkstemp(path);
    if (fd < 0) exit(99);
    close(fd);
    /* every code once, in an order that puts each next to far ones; the
     * second channel every code once in another order */
    short *pcm = calloc((size_t)CODES * (size_t)channels, sizeof(short));
    for (size_t i = 0; i < CODES; i++) {
        const int code = (int)((i * 40503u) % CODES) - 32768;
        pcm[i * (size_t)channels] = (short)code;
        if (channels == 2) pcm[i * 2 + 1] = (short)((int)((i * 9973u + 12345u) % CODES) - 32768);
    }
    SF_INFO info = {.samplerate = 16000, .channels = channels, .format = format | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    CHECK(sf != NULL, "%s: libsndfile writes it", name);
    if (!sf) return;
    sf_writef_short(sf, pcm, CODES);
    sf_close(sf);

    size_t n_ref = 0;
    float *ref = sndfile_mono(path, &n_ref);
    VmcSource *s = NULL;
    CHECK(vmc_source_open_path(&s, path, NULL) == 0, "%s: the source opens it", name);
    size_t at = 0, off_value = 0, off_sndfile = 0;
    while (s) {
        const float *mono;
        size_t n, clipped, samples;
        if (vmc_source_read(s, &mono, &n, &clipped, &samples) || !n) break;
        for (size_t i = 0; i < n && at < CODES; i++, at++) {
            float want = (float)pcm[at * (size_t)channels] / 32768.0f;
            if (channels == 2) want = (want + (float)pcm[at * 2 + 1] / 32768.0f) / 2.0f;
            off_value += memcmp(&mono[i], &want, sizeof(float)) != 0;
            off_sndfile += !ref || at >= n_ref || memcmp(&mono[i], &ref[at], sizeof(float)) != 0;
        }
    }
    CHECK(at == CODES, "%s, %d channels: %zu of %d frames", name, channels, at, CODES);
    CHECK(off_value == 0, "%s, %d channels: %zu frames not code / 32768", name, channels, off_value);
    CHECK(off_sndfile == 0, "%s, %d channels: %zu frames not libsndfile's floats", name, channels, off_sndfile);
    vmc_source_close(&s);
    free(ref);
    free(pcm);
    remove(path);
}

int main(void)
{
    const struct {
        int format;
        const char *name;
    } c[] = {{SF_FORMAT_WAV, "WAV"},   {SF_FORMAT_WAVEX, "WAVEX"}, {SF_FORMAT_AIFF, "AIFF"}, {SF_FORMAT_W64, "W64"},
             {SF_FORMAT_RF64, "RF64"}, {SF_FORMAT_CAF, "CAF"},     {SF_FORMAT_FLAC, "FLAC"}};
    for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++)
        for (int ch = 1; ch <= 2; ch++) check(c[k].format, c[k].name, ch);
    return test_done();
}
