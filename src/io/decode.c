#include "io/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "common/common.h"
#include "common/fmt.h"

/* libsndfile keeps the error of a failed open in one global: an open and
 * the reading of its error must not interleave with another thread's open.
 * Opens only parse a header, so serialising them costs nothing. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/* Frames read per sf_readf_float call. */
#define BLOCK_FRAMES 2048

static const char *major_name(int f)
{
    switch (f & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAVEX";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_RAW: return "RAW";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "OGG";
    case SF_FORMAT_VOC: return "VOC";
    case SF_FORMAT_IRCAM: return "IRCAM";
    case SF_FORMAT_NIST: return "NIST";
#ifdef SF_FORMAT_MPEG
    case SF_FORMAT_MPEG: return "MPEG";
#endif
    default: return "audio";
    }
}

static const char *sub_name(int f)
{
    switch (f & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: return "PCM 8";
    case SF_FORMAT_PCM_U8: return "PCM U8";
    case SF_FORMAT_PCM_16: return "PCM 16";
    case SF_FORMAT_PCM_24: return "PCM 24";
    case SF_FORMAT_PCM_32: return "PCM 32";
    case SF_FORMAT_FLOAT: return "float";
    case SF_FORMAT_DOUBLE: return "double";
    case SF_FORMAT_ULAW: return "mu-law";
    case SF_FORMAT_ALAW: return "A-law";
    case SF_FORMAT_GSM610: return "GSM 6.10";
    case SF_FORMAT_IMA_ADPCM: return "IMA ADPCM";
    case SF_FORMAT_MS_ADPCM: return "MS ADPCM";
    case SF_FORMAT_G721_32: return "G.721";
    case SF_FORMAT_VORBIS: return "Vorbis";
#ifdef SF_FORMAT_OPUS
    case SF_FORMAT_OPUS: return "Opus";
#endif
#ifdef SF_FORMAT_MPEG_LAYER_III
    case SF_FORMAT_MPEG_LAYER_III: return "MP3";
#endif
    default: return "";
    }
}

/* The largest magnitude the file's encoding holds, as libsndfile decodes it
 * (integer codes over 2^(bits-1)): a sample there is clipped.  G.711's
 * largest codes decode to 32124/32768 (mu-law, 0.980) and 32256/32768
 * (A-law, 0.984), 8-bit PCM's to +127/128 (0.992) and -1: a fixed level
 * just under 1.0 would never see clipping in the telephone formats.  Float,
 * and the codecs without such a table, keep full scale. */
static float largest_code(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_ULAW: return 32124.0f / 32768.0f;
    case SF_FORMAT_ALAW: return 32256.0f / 32768.0f;
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_DPCM_8: return 127.0f / 128.0f;
    case SF_FORMAT_DWVW_12: return 2047.0f / 2048.0f;
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_DPCM_16:
    case SF_FORMAT_DWVW_16: return 32767.0f / 32768.0f;
    case SF_FORMAT_PCM_24:
    case SF_FORMAT_DWVW_24: return 8388607.0f / 8388608.0f;
    default: return 1.0f;
    }
}

static int run(VmcheckReport **out, const VmcAnalyzeArgs *args, SNDFILE *sf, const SF_INFO *info)
{
    const VmcheckLogger *lg = &args->cfg->logger;
    if (info->channels < 1 || info->channels > VMCHECK_MAX_CHANNELS) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "%d channels; vmcheck reads 1 to %d", info->channels, VMCHECK_MAX_CHANNELS);
        return VMCHECK_ERANGE;
    }
    if (info->samplerate < VMCHECK_MIN_RATE_HZ || info->samplerate > VMCHECK_MAX_RATE_HZ) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "sample rate %d Hz is outside 8000-192000 Hz", info->samplerate);
        return VMCHECK_ERANGE;
    }
    if (info->frames <= 0) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "no audio frames");
        return VMCHECK_EEMPTY;
    }
    if ((double)info->frames / info->samplerate > VMCHECK_MAX_DURATION_S && info->frames != SF_COUNT_MAX) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "longer than %d hours", (int)(VMCHECK_MAX_DURATION_S / 3600.0));
        return VMCHECK_ERANGE;
    }
    const size_t ch = (size_t)info->channels;
    float *buf = vmc_calloc(BLOCK_FRAMES * ch, sizeof(float));
    float *mono = vmc_calloc(BLOCK_FRAMES, sizeof(float));
    VmcheckAnalyzer *a = NULL;
    int r = VMCHECK_ENOMEM;
    if (!buf || !mono) goto done;
    r = vmc_analyzer_create(&a, args->cfg, (unsigned)info->samplerate);
    if (r) goto done;
    if (info->frames != SF_COUNT_MAX && (r = vmc_analyzer_reserve(a, (unsigned long long)info->frames))) goto done;
    if (args->tap) vmc_analyzer_set_tap(a, args->tap);
    /* float files: values as stored, no normalisation games */
    sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
    unsigned long long done_frames = 0;
    /* a hair under the largest code (1e-4 of it, 0.001 dB): far above the
     * next code down in any encoding of 13 bits or fewer */
    const float clip_level = largest_code(info->format) * (1.0f - 1e-4f);
    for (;;) {
        sf_count_t got = sf_readf_float(sf, buf, BLOCK_FRAMES);
        if (got <= 0) break;
        size_t clipped = 0;
        const size_t n = (size_t)got;
        /* NaN and infinity have an all-ones exponent: one integer test per
         * sample that vectorises, and only then look for where */
        unsigned bad = 0;
        for (size_t i = 0; i < n * ch; i++) {
            uint32_t u;
            memcpy(&u, &buf[i], sizeof(u));
            bad |= (u & 0x7f800000u) == 0x7f800000u;
            clipped += fabsf(buf[i]) >= clip_level;
        }
        if (bad) {
            size_t i = 0;
            while (isfinite(buf[i])) i++;
            char t[32];
            vmc_fmt_fixed(t, sizeof(t), (double)(done_frames + i / ch) / info->samplerate, 3);
            vmc_log(lg, VMCHECK_LOG_ERROR, "NaN or infinite sample at %s s", t);
            r = VMCHECK_EDATA;
            goto done;
        }
        const float *in = buf;
        if (ch > 1) {
            for (size_t i = 0; i < n; i++) {
                float acc = 0.0f;
                for (size_t c = 0; c < ch; c++) acc += buf[i * ch + c];
                mono[i] = acc / (float)ch;
            }
            in = mono;
        }
        vmc_analyzer_add_clipping(a, clipped, n * ch);
        r = vmc_analyzer_push_checked(a, in, n, 1);
        if (r) {
            if (r == VMCHECK_ERANGE)
                vmc_log(lg, VMCHECK_LOG_ERROR, "longer than %d hours", (int)(VMCHECK_MAX_DURATION_S / 3600.0));
            goto done;
        }
        done_frames += n;
        if (got < BLOCK_FRAMES) break;
    }
    if (sf_error(sf) != SF_ERR_NO_ERROR) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "read error: %s", sf_strerror(sf));
        r = VMCHECK_EFORMAT;
        goto done;
    }
    if (done_frames == 0) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "no audio frames could be read");
        r = VMCHECK_EEMPTY;
        goto done;
    }
    r = vmc_analyzer_finish(a, out, args->segs, args->n_segs, args->script);
    if (!r) {
        (*out)->channels = (unsigned)ch;
        const char *sub = sub_name(info->format);
        snprintf((*out)->format, sizeof((*out)->format), "%s%s%s", major_name(info->format), *sub ? " " : "", sub);
    }
done:
    vmc_analyzer_destroy(&a);
    free(buf);
    free(mono);
    return r;
}

/* Open a file descriptor, or virtual I/O when fd < 0, and analyse it. */
static int open_and_run(VmcheckReport **out, const VmcAnalyzeArgs *args, int fd, SF_VIRTUAL_IO *io, void *user)
{
    SF_INFO info;
    memset(&info, 0, sizeof(info));
    char why[256];
    pthread_mutex_lock(&open_lock);
    SNDFILE *sf = fd >= 0 ? sf_open_fd(fd, SFM_READ, &info, SF_FALSE) : sf_open_virtual(io, SFM_READ, &info, user);
    if (!sf) snprintf(why, sizeof(why), "%s", sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    if (!sf) {
        vmc_log(&args->cfg->logger, VMCHECK_LOG_ERROR, "not a readable audio file (libsndfile: %s)", why);
        return VMCHECK_EFORMAT;
    }
    int r = run(out, args, sf, &info);
    sf_close(sf);
    return r;
}

/* The file is opened once and everything is judged on what was opened
 * (fstat), so it cannot be swapped between a check and the read.  The open
 * does not wait for a FIFO's writer; reads from a pipe then do. */
int vmc_decode_path(VmcheckReport **out, const VmcAnalyzeArgs *args, const char *path)
{
    const VmcheckLogger *lg = &args->cfg->logger;
    char eb[128];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT)
            vmc_log(lg, VMCHECK_LOG_ERROR, "no such file");
        else
            vmc_log(lg, VMCHECK_LOG_ERROR, "cannot read: %s", vmc_strerror(err, eb, sizeof(eb)));
        return VMCHECK_EIO;
    }
    struct stat st;
    int r = VMCHECK_EIO;
    if (fstat(fd, &st) != 0) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "cannot read: %s", vmc_strerror(errno, eb, sizeof(eb)));
    } else if (S_ISDIR(st.st_mode)) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "is a directory, not an audio file");
    } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "empty file");
        r = VMCHECK_EEMPTY;
    } else {
        if (!S_ISREG(st.st_mode)) vmc_wait_readable(fd);
        r = open_and_run(out, args, fd, NULL, NULL);
    }
    close(fd);
    return r;
}

/* sf_open_virtual over a memory image */
typedef struct Mem {
    const unsigned char *p;
    sf_count_t size, pos;
} Mem;

static sf_count_t mem_len(void *u) { return ((Mem *)u)->size; }
static sf_count_t mem_seek(sf_count_t off, int whence, void *u)
{
    Mem *m = u;
    sf_count_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->size : 0;
    sf_count_t np = base + off;
    if (np < 0 || np > m->size) return -1;
    return m->pos = np;
}
static sf_count_t mem_read(void *ptr, sf_count_t n, void *u)
{
    Mem *m = u;
    if (n < 0) return 0;
    if (n > m->size - m->pos) n = m->size - m->pos;
    memcpy(ptr, m->p + m->pos, (size_t)n);
    m->pos += n;
    return n;
}
static sf_count_t mem_write(const void *ptr, sf_count_t n, void *u)
{
    (void)ptr, (void)n, (void)u;
    return 0;
}
static sf_count_t mem_tell(void *u) { return ((Mem *)u)->pos; }

int vmc_decode_memory(VmcheckReport **out, const VmcAnalyzeArgs *args, const void *data, size_t size)
{
    const VmcheckLogger *lg = &args->cfg->logger;
    if (size == 0) {
        vmc_log(lg, VMCHECK_LOG_ERROR, "empty file");
        return VMCHECK_EEMPTY;
    }
    Mem m = {data, (sf_count_t)size, 0};
    SF_VIRTUAL_IO io = {mem_len, mem_seek, mem_read, mem_write, mem_tell};
    return open_and_run(out, args, -1, &io, &m);
}
