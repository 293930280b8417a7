/* The libsndfile backend (the only includer of <sndfile.h>).
 *
 * Files and memory images are read through libsndfile's virtual I/O over
 * the source's bytes.  A stream (a pipe, standard input) is read in
 * libsndfile's own pipe mode, which parses headers without seeking: its
 * first bytes are tried as a memory image first, so that a stream
 * libsndfile cannot read is still whole for the next backend, and only
 * then handed to libsndfile through a socket that a small thread fills
 * with those bytes and the rest of the stream. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "io/source_backend.h"

/* libsndfile keeps the error of a failed open in one global: an open and
 * the reading of its error must not interleave with another thread's open.
 * Opens only parse a header, so serialising them costs nothing. */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

/* A file length no header can reach: opened with it, libsndfile believes
 * the header instead of cutting the audio to what the file holds, which is
 * how the header's own promise is read (see promise()). */
#define UNBOUNDED_BYTES ((sf_count_t)1 << 60)

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
#ifdef VMC_HAVE_SF_MPEG
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
#ifdef VMC_HAVE_SF_OPUS
    case SF_FORMAT_OPUS: return "Opus";
#endif
#ifdef VMC_HAVE_SF_MPEG
    case SF_FORMAT_MPEG_LAYER_I: return "MP1";
    case SF_FORMAT_MPEG_LAYER_II: return "MP2";
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

/* Bytes a sample takes in the data of the uncompressed encodings; 0 for
 * the others. */
static int sample_bytes(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW: return 1;
    case SF_FORMAT_PCM_16: return 2;
    case SF_FORMAT_PCM_24: return 3;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT: return 4;
    case SF_FORMAT_DOUBLE: return 8;
    default: return 0;
    }
}

/* ------------------------------------------------ virtual I/O over bytes */

typedef struct View {
    VmcInput *in;
    sf_count_t length; /* as libsndfile is told */
} View;

static sf_count_t v_len(void *u) { return ((View *)u)->length; }
static sf_count_t v_seek(sf_count_t off, int whence, void *u)
{
    return (sf_count_t)vmc_input_seek(((View *)u)->in, (int64_t)off, whence);
}
static sf_count_t v_read(void *ptr, sf_count_t n, void *u)
{
    int64_t k = vmc_input_read(((View *)u)->in, ptr, (int64_t)n);
    return k < 0 ? 0 : (sf_count_t)k;
}
static sf_count_t v_write(const void *ptr, sf_count_t n, void *u)
{
    (void)ptr, (void)n, (void)u;
    return 0;
}
static sf_count_t v_tell(void *u) { return (sf_count_t)((View *)u)->in->pos; }

static SNDFILE *open_view(View *v, SF_INFO *info, char *why, size_t why_size)
{
    static SF_VIRTUAL_IO io = {v_len, v_seek, v_read, v_write, v_tell};
    memset(info, 0, sizeof(*info));
    pthread_mutex_lock(&open_lock);
    SNDFILE *sf = sf_open_virtual(&io, SFM_READ, info, v);
    if (!sf && why) snprintf(why, why_size, "%s", sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    return sf;
}

/* ------------------------------------------------------- the pump thread */

/* Bytes of the stream kept while libsndfile opens it: if it cannot, they
 * go back to the stream's prefix for the next backend. */
#define RETAIN_MAX (1024 * 1024)

/* Fills the socket libsndfile reads in pipe mode: the prefix, then the
 * stream.  wake[] interrupts a wait for the stream at close.  Until
 * libsndfile has opened the stream and read its first block, what the
 * pump takes from the stream is kept (retained) as well. */
typedef struct Pump {
    VmcInput *in;
    int sock[2]; /* [0] libsndfile's end, [1] the pump's */
    int wake[2];
    pthread_t thread;
    int running;
    atomic_int err; /* errno of a failed read of the stream (written by the thread) */
    pthread_mutex_t mu;
    int retaining;       /* under mu */
    unsigned char *kept; /* under mu: the bytes taken from the stream so far */
    size_t kept_len;
    int kept_all; /* under mu: kept holds every byte taken (none lost to an overflow) */
    int eof;      /* under mu: the stream ended */
} Pump;

static int send_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1; /* the reader has gone */
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void keep(Pump *p, const unsigned char *b, size_t n)
{
    pthread_mutex_lock(&p->mu);
    if (p->retaining) {
        if (p->kept_len + n > RETAIN_MAX) {
            p->kept_all = 0;
        } else {
            unsigned char *k = realloc(p->kept, p->kept_len + n);
            if (k) {
                memcpy(k + p->kept_len, b, n);
                p->kept = k;
                p->kept_len += n;
            } else {
                p->kept_all = 0;
            }
        }
    }
    pthread_mutex_unlock(&p->mu);
}

static void *pump_main(void *arg)
{
    Pump *p = arg;
    unsigned char buf[16384];
    int eof = p->in->stream_eof;
    if (send_all(p->sock[1], p->in->prefix, p->in->prefix_len) == 0) {
        while (!eof) {
            struct pollfd w[2] = {{p->in->fd, POLLIN, 0}, {p->wake[0], POLLIN, 0}};
            if (poll(w, 2, -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (w[1].revents) break; /* closing */
            ssize_t k = read(p->in->fd, buf, sizeof(buf));
            if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (k < 0) atomic_store(&p->err, errno);
            if (k <= 0) {
                eof = 1;
                break;
            }
            keep(p, buf, (size_t)k);
            if (send_all(p->sock[1], buf, (size_t)k)) break;
        }
    }
    pthread_mutex_lock(&p->mu);
    p->eof = eof;
    pthread_mutex_unlock(&p->mu);
    shutdown(p->sock[1], SHUT_WR); /* end of file for libsndfile */
    return NULL;
}

static void pump_stop(Pump *p)
{
    if (p->sock[0] >= 0) close(p->sock[0]); /* a send blocked on a full socket fails */
    p->sock[0] = -1;
    if (p->running) {
        while (write(p->wake[1], "x", 1) < 0 && errno == EINTR) continue;
        pthread_join(p->thread, NULL);
        p->running = 0;
    }
    for (int k = 0; k < 2; k++)
        if (p->wake[k] >= 0) close(p->wake[k]);
    if (p->sock[1] >= 0) close(p->sock[1]);
    p->wake[0] = p->wake[1] = p->sock[1] = -1;
    free(p->kept);
    p->kept = NULL;
    pthread_mutex_destroy(&p->mu);
}

static int pump_start(Pump *p, VmcInput *in)
{
    p->in = in;
    p->sock[0] = p->sock[1] = p->wake[0] = p->wake[1] = -1;
    p->retaining = p->kept_all = 1;
    pthread_mutex_init(&p->mu, NULL);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->sock) || pipe(p->wake)) return -1;
    in->spent = 1;
    if (pthread_create(&p->thread, NULL, pump_main, p)) return -1;
    p->running = 1;
    return 0;
}

/* libsndfile opened the stream: what the pump takes need not be kept. */
static void pump_release(Pump *p)
{
    pthread_mutex_lock(&p->mu);
    p->retaining = 0;
    free(p->kept);
    p->kept = NULL;
    p->kept_len = 0;
    pthread_mutex_unlock(&p->mu);
}

/* libsndfile could not read the stream: stop the pump and give everything
 * it took back to the stream's prefix, so the next backend sees the stream
 * whole.  0, or -1 when that is no longer possible. */
static int pump_give_back(Pump *p)
{
    VmcInput *in = p->in;
    if (p->sock[0] >= 0) close(p->sock[0]);
    p->sock[0] = -1;
    if (p->running) {
        while (write(p->wake[1], "x", 1) < 0 && errno == EINTR) continue;
        pthread_join(p->thread, NULL);
        p->running = 0;
    }
    if (!p->kept_all) return -1;
    if (p->kept_len) {
        unsigned char *np = realloc(in->prefix, in->prefix_len + p->kept_len);
        if (!np) return -1;
        memcpy(np + in->prefix_len, p->kept, p->kept_len);
        in->prefix = np;
        in->prefix_len += p->kept_len;
    }
    in->stream_eof = p->eof || in->stream_eof;
    in->spent = 0;
    return 0;
}

/* ------------------------------------------------------------- backend */

typedef struct Snd {
    SNDFILE *sf;
    View view;
    Pump pump;
    int piped;
    unsigned long long frames_read;
    float *first; /* a stream's first block, read at open (see snd_open) */
    size_t first_n;
    size_t channels; /* per frame (the stream's, once known) */
    /* 16-bit PCM in an uncompressed container: read as it is stored and
     * scaled here in vectors (libsndfile's own loop is one sample at a
     * time); int16 to float and the scale 2^-15 are exact, so the samples
     * are libsndfile's normalised floats to the bit */
    short *pcm16;
    size_t pcm16_cap; /* samples */
} Snd;

/* Containers whose 16-bit PCM is stored as plain integers. */
static int plain_pcm16(int format)
{
    if ((format & SF_FORMAT_SUBMASK) != SF_FORMAT_PCM_16) return 0;
    switch (format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
    case SF_FORMAT_AIFF:
    case SF_FORMAT_W64:
    case SF_FORMAT_RF64:
    case SF_FORMAT_CAF: return 1;
    default: return 0;
    }
}

/* What the header promises, s, or -1 when it cannot say: read by opening
 * the file again, told it is unboundedly long.  A length over the cap, or
 * one of 2 GiB of data or more (0x7fffffff, 0xffffffff: what a writer that
 * could not seek back to its header leaves there), is no promise. */
static double promise(VmcInput *in, const SF_INFO *real)
{
    VmcInput copy = *in;
    copy.pos = 0;
    View v = {&copy, UNBOUNDED_BYTES};
    SF_INFO info;
    SNDFILE *sf = open_view(&v, &info, NULL, 0);
    if (!sf) return -1.0;
    sf_close(sf);
    if (info.frames <= 0 || info.frames == SF_COUNT_MAX || info.samplerate != real->samplerate ||
        info.channels != real->channels)
        return -1.0;
    const double s = (double)info.frames / (double)info.samplerate;
    const int width = sample_bytes(info.format);
    if (s > VMCHECK_MAX_DURATION_S || (width && (double)info.frames * info.channels * width >= 2147479552.0))
        return -1.0;
    return s;
}

static void snd_close(void *state)
{
    Snd *s = state;
    if (!s) return;
    if (s->sf) sf_close(s->sf);
    if (s->piped) pump_stop(&s->pump);
    free(s->first);
    free(s->pcm16);
    free(s);
}

/* A stream in libsndfile's pipe mode.  It is known to work only once audio
 * comes out of it (some formats open in pipe mode and then give nothing),
 * so the first block is read here; until then the stream's bytes are kept,
 * and when libsndfile fails, handed back for the next backend. */
static int open_stream(Snd *s, VmcInput *in, SF_INFO *info, char *why, size_t why_size)
{
    /* the first bytes as a whole file: can libsndfile read this at all? */
    VmcInput head = {.fd = -1, .mem = in->prefix, .size = (int64_t)in->prefix_len};
    View hv = {&head, (sf_count_t)in->prefix_len};
    SNDFILE *probe = open_view(&hv, info, why, why_size);
    if (!probe) return VMCHECK_EFORMAT;
    sf_close(probe);
    s->piped = 1;
    if (pump_start(&s->pump, in)) {
        char eb[128];
        snprintf(why, why_size, "cannot start reading the stream: %s", vmc_strerror(errno, eb, sizeof(eb)));
        return VMCHECK_ENOMEM;
    }
    memset(info, 0, sizeof(*info));
    pthread_mutex_lock(&open_lock);
    s->sf = sf_open_fd(s->pump.sock[0], SFM_READ, info, SF_FALSE);
    if (!s->sf) snprintf(why, why_size, "%s", sf_strerror(NULL));
    pthread_mutex_unlock(&open_lock);
    if (s->sf && info->channels > 0 && info->channels <= VMCHECK_MAX_CHANNELS) {
        s->channels = (size_t)info->channels;
        s->first = vmc_calloc((size_t)VMC_SOURCE_BLOCK * s->channels, sizeof(float));
        if (!s->first) {
            snprintf(why, why_size, "out of memory");
            return VMCHECK_ENOMEM;
        }
        sf_command(s->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
        sf_count_t got = sf_readf_float(s->sf, s->first, VMC_SOURCE_BLOCK);
        s->first_n = got > 0 ? (size_t)got : 0;
        if (!s->first_n) {
            snprintf(why, why_size, "%s",
                     sf_error(s->sf) ? sf_strerror(s->sf) : "no audio frames came out of the stream");
            sf_close(s->sf);
            s->sf = NULL;
        }
    }
    if (!s->sf) {
        if (pump_give_back(&s->pump)) return VMCHECK_EFORMAT; /* spent: the source stops here */
        pump_stop(&s->pump);
        s->piped = 0;
        return VMCHECK_EFORMAT;
    }
    pump_release(&s->pump);
    return VMCHECK_OK;
}

static int snd_open(void **state, VmcInput *in, VmcSourceInfo *out, char *why, size_t why_size)
{
    Snd *s = vmc_calloc(1, sizeof(*s));
    if (!s) {
        snprintf(why, why_size, "out of memory");
        return VMCHECK_ENOMEM;
    }
    SF_INFO info;
    if (vmc_input_seekable(in)) {
        s->view = (View){in, (sf_count_t)in->size};
        s->sf = open_view(&s->view, &info, why, why_size);
        if (!s->sf) {
            snd_close(s);
            return VMCHECK_EFORMAT;
        }
        if (info.frames <= 0) {
            snprintf(why, why_size, "no audio frames");
            snd_close(s);
            return VMCHECK_EEMPTY;
        }
    } else {
        int r = open_stream(s, in, &info, why, why_size);
        if (r) {
            snd_close(s);
            return r;
        }
    }
    /* float files: values as stored, no normalisation games */
    sf_command(s->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
    /* out of range values are the source's to refuse */
    out->rate_hz = info.samplerate > 0 ? (unsigned)info.samplerate : 0;
    out->channels = info.channels > 0 ? (unsigned)info.channels : 0;
    const char *sub = sub_name(info.format);
    snprintf(out->format, sizeof(out->format), "%s%s%s", major_name(info.format), *sub ? " " : "", sub);
    out->largest = largest_code(info.format);
    if (plain_pcm16(info.format) && info.channels > 0 && info.channels <= VMCHECK_MAX_CHANNELS) {
        s->channels = (size_t)info.channels;
        s->pcm16_cap = (size_t)VMC_SOURCE_BLOCK * s->channels;
        s->pcm16 = vmc_calloc(s->pcm16_cap, sizeof(short));
        if (!s->pcm16) {
            snprintf(why, why_size, "out of memory");
            snd_close(s);
            return VMCHECK_ENOMEM;
        }
    }
    if (!s->piped) {
        out->frames_hint = info.frames != SF_COUNT_MAX ? (unsigned long long)info.frames : 0;
        if (out->rate_hz && out->channels) out->promised_s = promise(in, &info);
        out->promise_slack_s = info.samplerate > 0 ? 0.5 / info.samplerate : 0.0;
    }
    *state = s;
    return VMCHECK_OK;
}

static long snd_read(void *state, float *buf, size_t n, char *why, size_t why_size)
{
    Snd *s = state;
    if (s->first_n) { /* the block read at open */
        size_t k = s->first_n < n ? s->first_n : n;
        memcpy(buf, s->first, k * s->channels * sizeof(float));
        memmove(s->first, s->first + k * s->channels, (s->first_n - k) * s->channels * sizeof(float));
        s->first_n -= k;
        s->frames_read += k;
        return (long)k;
    }
    sf_count_t got;
    if (s->pcm16) {
        const size_t ch = s->channels, want = n < s->pcm16_cap / ch ? n : s->pcm16_cap / ch;
        got = sf_readf_short(s->sf, s->pcm16, (sf_count_t)want);
        for (size_t i = 0; got > 0 && i < (size_t)got * ch; i++) buf[i] = (float)s->pcm16[i] * (1.0f / 32768.0f);
    } else {
        got = sf_readf_float(s->sf, buf, (sf_count_t)n);
    }
    if (got < 0) got = 0;
    if ((size_t)got < n && sf_error(s->sf) != SF_ERR_NO_ERROR) {
        /* a decoding error: the end of what can be read (a file cut short
         * ends so); with nothing read at all, the file is damaged */
        if (s->frames_read + (unsigned long long)got == 0) {
            snprintf(why, why_size, "read error: %s", sf_strerror(s->sf));
            return VMCHECK_EFORMAT;
        }
    }
    int perr = s->piped ? atomic_load(&s->pump.err) : 0;
    if ((size_t)got < n && perr) {
        char eb[128];
        snprintf(why, why_size, "read error: %s", vmc_strerror(perr, eb, sizeof(eb)));
        return VMCHECK_EIO;
    }
    s->frames_read += (unsigned long long)got;
    return (long)got;
}

const VmcBackend vmc_backend_sndfile = {"libsndfile", snd_open, snd_read, snd_close};
