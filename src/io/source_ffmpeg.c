/* The FFmpeg backend (the only includer of libavformat, libavcodec,
 * libswresample): what phones, browsers and voicemail systems record
 * (AMR-NB/WB, M4A/MP4/3GP with AAC or AMR, WebM and Ogg with Opus, ...).
 *
 * The bytes come through a custom AVIOContext over the source's input, so
 * a file, a memory image and a stream are read the same way (a stream
 * without seeking).  Only audio containers are allowed (format_whitelist)
 * and no demuxer may open anything else (io_open refuses: a playlist or a
 * reference movie cannot make vmcheck read other files or the network).
 * The first audio stream is decoded, one thread per decoder, packet by
 * packet; libswresample turns each frame into interleaved float at its own
 * rate and channels (no resampling: the analyser takes any rate).
 *
 * The libraries are loaded the first time a file needs them (dlopen, by
 * the sonames of the headers this was built with), not linked: Debian's
 * libavcodec alone pulls in some 140 shared libraries, which would cost
 * every run 25 MB of memory and 35 ms of start-up, for WAV files too.  If
 * they are missing at run time, FFmpeg's formats are refused with that
 * reason and everything libsndfile reads still works. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libswresample/swresample.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "io/source_backend.h"

#define IO_BUFFER_BYTES 32768

/* The functions used, by library: X(library, return type, name, arguments) */
#define FF_FUNCTIONS(X)                                                                                                \
    X(UTIL, void, av_log_set_level, (int))                                                                             \
    X(UTIL, int, av_strerror, (int, char *, size_t))                                                                   \
    X(UTIL, void *, av_malloc, (size_t))                                                                               \
    X(UTIL, void, av_free, (void *))                                                                                   \
    X(UTIL, void, av_freep, (void *))                                                                                  \
    X(UTIL, char *, av_strdup, (const char *))                                                                         \
    X(UTIL, AVDictionaryEntry *, av_dict_get, (const AVDictionary *, const char *, const AVDictionaryEntry *, int))    \
    X(UTIL, int64_t, av_rescale_q, (int64_t, AVRational, AVRational))                                                  \
    X(UTIL, enum AVSampleFormat, av_get_packed_sample_fmt, (enum AVSampleFormat))                                      \
    X(UTIL, int, av_channel_layout_copy, (AVChannelLayout *, const AVChannelLayout *))                                 \
    X(UTIL, void, av_channel_layout_default, (AVChannelLayout *, int))                                                 \
    X(UTIL, int, av_channel_layout_compare, (const AVChannelLayout *, const AVChannelLayout *))                        \
    X(UTIL, void, av_channel_layout_uninit, (AVChannelLayout *))                                                       \
    X(UTIL, AVFrame *, av_frame_alloc, (void))                                                                         \
    X(UTIL, void, av_frame_free, (AVFrame **))                                                                         \
    X(UTIL, void, av_frame_unref, (AVFrame *))                                                                         \
    X(SWR, int, swr_alloc_set_opts2,                                                                                   \
      (struct SwrContext **, AVChannelLayout *, enum AVSampleFormat, int, AVChannelLayout *, enum AVSampleFormat, int, \
       int, void *))                                                                                                   \
    X(SWR, int, swr_init, (struct SwrContext *))                                                                       \
    X(SWR, void, swr_free, (struct SwrContext **))                                                                     \
    X(SWR, int, swr_get_out_samples, (struct SwrContext *, int))                                                       \
    X(SWR, int, swr_convert, (struct SwrContext *, uint8_t **, int, const uint8_t **, int))                            \
    X(CODEC, AVPacket *, av_packet_alloc, (void))                                                                      \
    X(CODEC, void, av_packet_free, (AVPacket **))                                                                      \
    X(CODEC, void, av_packet_unref, (AVPacket *))                                                                      \
    X(CODEC, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *))                                              \
    X(CODEC, int, avcodec_parameters_to_context, (AVCodecContext *, const AVCodecParameters *))                        \
    X(CODEC, int, avcodec_open2, (AVCodecContext *, const AVCodec *, AVDictionary **))                                 \
    X(CODEC, int, avcodec_send_packet, (AVCodecContext *, const AVPacket *))                                           \
    X(CODEC, int, avcodec_receive_frame, (AVCodecContext *, AVFrame *))                                                \
    X(CODEC, void, avcodec_free_context, (AVCodecContext **))                                                          \
    X(CODEC, const AVCodecDescriptor *, avcodec_descriptor_get, (enum AVCodecID))                                      \
    X(FORMAT, AVIOContext *, avio_alloc_context,                                                                       \
      (unsigned char *, int, int, void *, int (*)(void *, uint8_t *, int), int (*)(void *, uint8_t *, int),            \
       int64_t (*)(void *, int64_t, int)))                                                                             \
    X(FORMAT, void, avio_context_free, (AVIOContext **))                                                               \
    X(FORMAT, AVFormatContext *, avformat_alloc_context, (void))                                                       \
    X(FORMAT, int, av_probe_input_buffer2,                                                                             \
      (AVIOContext *, const AVInputFormat **, const char *, void *, unsigned, unsigned))                               \
    X(FORMAT, int, avformat_open_input, (AVFormatContext **, const char *, const AVInputFormat *, AVDictionary **))    \
    X(FORMAT, int, avformat_find_stream_info, (AVFormatContext *, AVDictionary **))                                    \
    X(FORMAT, int, av_find_best_stream, (AVFormatContext *, enum AVMediaType, int, int, const AVCodec **, int))        \
    X(FORMAT, int, av_read_frame, (AVFormatContext *, AVPacket *))                                                     \
    X(FORMAT, void, avformat_close_input, (AVFormatContext **))

#define FF_TYPEDEF(lib, ret, name, args) typedef ret(*name##_fn) args;
FF_FUNCTIONS(FF_TYPEDEF)
#undef FF_TYPEDEF

/* Written once, by load() under pthread_once, then only read. */
static struct {
#define FF_MEMBER(lib, ret, name, args) name##_fn name;
    FF_FUNCTIONS(FF_MEMBER)
#undef FF_MEMBER
    int loaded;
    char why[200]; /* why not */
} ff;

#define SONAME(base, major) base ".so." AV_STRINGIFY(major)

static void load(void)
{
    enum { UTIL, SWR, CODEC, FORMAT, N_LIBS };
    static const char *const sonames[N_LIBS] = {
        SONAME("libavutil", LIBAVUTIL_VERSION_MAJOR), SONAME("libswresample", LIBSWRESAMPLE_VERSION_MAJOR),
        SONAME("libavcodec", LIBAVCODEC_VERSION_MAJOR), SONAME("libavformat", LIBAVFORMAT_VERSION_MAJOR)};
    void *h[N_LIBS];
    for (int k = 0; k < N_LIBS; k++) {
        /* never closed: the process keeps them, as if linked */
        h[k] = dlopen(sonames[k], RTLD_NOW | RTLD_LOCAL);
        if (!h[k]) {
            snprintf(ff.why, sizeof(ff.why), "FFmpeg's libraries cannot be loaded (%s)", sonames[k]);
            return;
        }
    }
    const char *missing = NULL;
#define FF_LOAD(lib, ret, name, args)                                                                                  \
    if (!missing) {                                                                                                    \
        void *sym_ = dlsym(h[lib], #name);                                                                             \
        if (!sym_) missing = #name;                                                                                    \
        memcpy(&ff.name, &sym_, sizeof(sym_));                                                                         \
    }
    FF_FUNCTIONS(FF_LOAD)
#undef FF_LOAD
    if (missing) {
        snprintf(ff.why, sizeof(ff.why), "FFmpeg's libraries lack %s", missing);
        return;
    }
    /* FFmpeg logs to stderr through one process-wide callback and level,
     * and the library never prints.  A callback that routed messages to
     * each analysis's logger would need a map from FFmpeg's objects to
     * analyses: a global written per analysis.  So the level is set to
     * quiet, here, once (pthread_once: no race, never written again).  It
     * only silences FFmpeg, in a process that had not loaded it before, and
     * a program that wants FFmpeg's messages can turn them back on
     * (av_log_set_level) at its own choice.  What went wrong still reaches
     * the logger: every failure is reported in FFmpeg's own words for its
     * error code (av_strerror). */
    ff.av_log_set_level(AV_LOG_QUIET);
    ff.loaded = 1;
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Demuxers for audio files (names as FFmpeg gives them). */
static const char format_whitelist[] =
    "amr,amrnb,amrwb,mov,matroska,ogg,aac,mp3,flac,wav,w64,aiff,caf,au,asf,avi,wv,mpegts";

typedef struct Ff {
    VmcInput *in;
    AVIOContext *pb;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    SwrContext *swr;
    AVPacket *pkt;
    AVFrame *frame;
    int stream;
    unsigned channels, rate;
    AVChannelLayout out_layout;       /* the first frame's: every frame is mixed to it */
    AVChannelLayout swr_layout;       /* the input layout swr is set up for */
    int swr_format;                   /* and its sample format (-1: not set up) */
    float *buf;                       /* one decoded frame, interleaved */
    size_t buf_cap, buf_len, buf_pos; /* in frames */
    int flushed;                      /* the decoder has been sent the end */
    int done;                         /* no more frames */
    int have_frame;                   /* frame holds a decoded frame not yet converted */
    /* the timeline, in samples at the decoded rate: where the next frame
     * should start, where the last packet ends, silence owed before the
     * next frame (see fill_gap) */
    AVRational tb;
    int64_t next, end;
    int timed;
    int64_t owed;
    int64_t limit; /* the stream's own length ends here (its padding is not audio); -1: unknown */
} Ff;

/* Packets a decoder drops leave a hole: FFmpeg's AMR decoders skip the
 * comfort-noise (SID) and no-data frames of discontinuous transmission,
 * which voicemail systems use in every pause, and any decoder skips a
 * damaged packet.  The hole is filled with silence of the same length, so
 * that times stay those of the recording.  A jump of more than a minute is
 * a broken timestamp, not a pause: not filled. */
#define MAX_GAP_S 60.0

/* Timestamps in samples stay within +-2^50 (over two thousand years at
 * 16 kHz), so that sums and differences of a few of them cannot overflow;
 * a damaged container's timestamp beyond that is no timestamp. */
#define TS_LIMIT ((int64_t)1 << 50)

/* A time in the stream's time base as samples at the decoded rate, or
 * AV_NOPTS_VALUE when it is none or out of range. */
static int64_t to_samples(const Ff *f, int64_t t)
{
    if (t == AV_NOPTS_VALUE || !f->rate) return AV_NOPTS_VALUE;
    int64_t s = ff.av_rescale_q(t, f->tb, (AVRational){1, (int)f->rate});
    return s > -TS_LIMIT && s < TS_LIMIT ? s : AV_NOPTS_VALUE;
}

static void err_text(char *why, size_t size, const char *what, int e)
{
    char t[AV_ERROR_MAX_STRING_SIZE] = "";
    ff.av_strerror(e, t, sizeof(t));
    snprintf(why, size, "%s%s%s", what, *what ? ": " : "", t);
}

static int io_read(void *opaque, uint8_t *buf, int size)
{
    Ff *f = opaque;
    int64_t k = vmc_input_read(f->in, buf, size);
    if (k < 0) return AVERROR(EIO);
    return k == 0 ? AVERROR_EOF : (int)k;
}

static int64_t io_seek(void *opaque, int64_t off, int whence)
{
    Ff *f = opaque;
    if (whence & AVSEEK_SIZE) return f->in->size;
    int64_t r = vmc_input_seek(f->in, off, whence & ~AVSEEK_FORCE);
    return r < 0 ? AVERROR(EINVAL) : r;
}

static int no_nested_open(AVFormatContext *s, AVIOContext **pb, const char *url, int flags, AVDictionary **opts)
{
    (void)s, (void)pb, (void)url, (void)flags, (void)opts;
    return AVERROR(EPERM);
}

static void ff_close(void *state)
{
    Ff *f = state;
    if (!f) return;
    ff.swr_free(&f->swr);
    ff.avcodec_free_context(&f->dec);
    ff.avformat_close_input(&f->fmt);
    if (f->pb) ff.av_freep(&f->pb->buffer);
    ff.avio_context_free(&f->pb);
    ff.av_packet_free(&f->pkt);
    ff.av_frame_free(&f->frame);
    ff.av_channel_layout_uninit(&f->out_layout);
    ff.av_channel_layout_uninit(&f->swr_layout);
    free(f->buf);
    free(f);
}

/* The next decoded frame into f->frame: 1, 0 at the end.  A packet the
 * decoder refuses is skipped, as players do; a demuxer error ends the
 * audio there (a file cut short or damaged from there on). */
static int next_frame(Ff *f)
{
    for (;;) {
        int e = ff.avcodec_receive_frame(f->dec, f->frame);
        if (e == 0) return 1;
        /* the end; or, once drained, an error (a decoder that cannot
         * drain); else EAGAIN or a bad frame: on to the next packet */
        if (e == AVERROR_EOF || f->flushed) return 0;
        e = ff.av_read_frame(f->fmt, f->pkt);
        if (e < 0) {
            ff.avcodec_send_packet(f->dec, NULL);
            f->flushed = 1;
            continue;
        }
        if (f->pkt->stream_index == f->stream) {
            const int64_t pts = to_samples(f, f->pkt->pts), dur = to_samples(f, f->pkt->duration);
            if (pts != AV_NOPTS_VALUE && dur != AV_NOPTS_VALUE && dur > 0 && pts + dur > f->end) f->end = pts + dur;
            ff.avcodec_send_packet(f->dec, f->pkt);
        }
        ff.av_packet_unref(f->pkt);
    }
}

/* Silence owed before a frame that starts at ts (samples), or at the end
 * (ts = where the last packet ends). */
static void fill_gap(Ff *f, int64_t ts)
{
    if (f->limit >= 0 && ts > f->limit) ts = f->limit;
    const int64_t gap = ts - f->next;
    if (gap > (int64_t)f->rate / 1000 && (double)gap <= MAX_GAP_S * f->rate) f->owed = gap;
}

static void layout_of(AVChannelLayout *dst, const AVChannelLayout *src)
{
    if (src->order == AV_CHANNEL_ORDER_UNSPEC || ff.av_channel_layout_copy(dst, src) < 0)
        ff.av_channel_layout_default(dst, src->nb_channels);
}

/* f->frame as interleaved float in f->buf.  0 or a VMCHECK_E* code. */
static int convert(Ff *f, char *why, size_t why_size)
{
    AVFrame *fr = f->frame;
    if ((unsigned)fr->sample_rate != f->rate) {
        snprintf(why, why_size, "the sample rate changes inside the recording (%u Hz, then %d Hz)", f->rate,
                 fr->sample_rate);
        return VMCHECK_EFORMAT;
    }
    if (!f->swr || fr->format != f->swr_format || ff.av_channel_layout_compare(&fr->ch_layout, &f->swr_layout)) {
        ff.swr_free(&f->swr);
        ff.av_channel_layout_uninit(&f->swr_layout);
        layout_of(&f->swr_layout, &fr->ch_layout);
        f->swr_format = fr->format;
        int e = ff.swr_alloc_set_opts2(&f->swr, &f->out_layout, AV_SAMPLE_FMT_FLT, fr->sample_rate, &f->swr_layout,
                                       fr->format, fr->sample_rate, 0, NULL);
        if (e >= 0) e = ff.swr_init(f->swr);
        if (e < 0) {
            err_text(why, why_size, "cannot convert the decoded audio", e);
            return VMCHECK_EFORMAT;
        }
    }
    const int out_samples = ff.swr_get_out_samples(f->swr, fr->nb_samples);
    if (out_samples < 0) {
        err_text(why, why_size, "cannot convert the decoded audio", out_samples);
        return VMCHECK_EFORMAT;
    }
    size_t need = (size_t)out_samples;
    if (need > f->buf_cap) {
        float *b = vmc_calloc(need, f->channels * sizeof(float));
        if (!b) {
            snprintf(why, why_size, "out of memory");
            return VMCHECK_ENOMEM;
        }
        free(f->buf);
        f->buf = b;
        f->buf_cap = need;
    }
    uint8_t *out = (uint8_t *)f->buf;
    int got = ff.swr_convert(f->swr, &out, (int)f->buf_cap, (const uint8_t **)fr->extended_data, fr->nb_samples);
    ff.av_frame_unref(fr);
    if (got < 0) {
        err_text(why, why_size, "cannot convert the decoded audio", got);
        return VMCHECK_EFORMAT;
    }
    f->buf_len = (size_t)got;
    f->buf_pos = 0;
    return VMCHECK_OK;
}

/* The container as people call it: the brand of an MP4-family file, WebM
 * or Matroska by the EBML doctype; "" for a bare codec stream (AMR, ADTS). */
static const char *container_name(const Ff *f)
{
    const char *n = f->fmt->iformat->name;
    if (!strncmp(n, "mov", 3)) {
        const AVDictionaryEntry *b = ff.av_dict_get(f->fmt->metadata, "major_brand", NULL, 0);
        const char *brand = b ? b->value : "";
        if (!strncmp(brand, "M4A", 3) || !strncmp(brand, "M4B", 3)) return "M4A";
        if (!strncmp(brand, "3g", 2)) return "3GP";
        if (!strncmp(brand, "qt", 2)) return "MOV";
        return "MP4";
    }
    if (!strncmp(n, "matroska", 8)) {
        /* DocType element 0x4282, size 4, "webm", within the EBML header */
        VmcInput copy = *f->in;
        unsigned char head[64] = {0};
        int64_t k = 0;
        if (!vmc_input_seekable(f->in)) {
            k = (int64_t)(f->in->prefix_len < sizeof(head) ? f->in->prefix_len : sizeof(head));
            memcpy(head, f->in->prefix, (size_t)k);
        } else {
            copy.pos = 0;
            k = vmc_input_read(&copy, head, sizeof(head));
        }
        for (int64_t i = 0; i + 7 <= k; i++)
            if (head[i] == 0x42 && head[i + 1] == 0x82 && head[i + 2] == 0x84 && !memcmp(head + i + 3, "webm", 4))
                return "WebM";
        return "Matroska";
    }
    static const struct {
        const char *demuxer, *name;
    } names[] = {{"ogg", "Ogg"}, {"wav", "WAV"}, {"w64", "W64"}, {"aiff", "AIFF"},     {"caf", "CAF"}, {"au", "AU"},
                 {"asf", "ASF"}, {"avi", "AVI"}, {"wv", ""},     {"flac", ""},         {"mp3", ""},    {"aac", ""},
                 {"amr", ""},    {"amrnb", ""},  {"amrwb", ""},  {"mpegts", "MPEG-TS"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(n, names[i].demuxer)) return names[i].name;
    return n;
}

static const char *codec_name(enum AVCodecID id)
{
    switch (id) {
    case AV_CODEC_ID_AMR_NB: return "AMR-NB";
    case AV_CODEC_ID_AMR_WB: return "AMR-WB";
    case AV_CODEC_ID_AAC: return "AAC";
    case AV_CODEC_ID_OPUS: return "Opus";
    case AV_CODEC_ID_VORBIS: return "Vorbis";
    case AV_CODEC_ID_MP3: return "MP3";
    case AV_CODEC_ID_FLAC: return "FLAC";
    case AV_CODEC_ID_SPEEX: return "Speex";
    case AV_CODEC_ID_ALAC: return "ALAC";
    case AV_CODEC_ID_PCM_MULAW: return "mu-law";
    case AV_CODEC_ID_PCM_ALAW: return "A-law";
    case AV_CODEC_ID_GSM_MS:
    case AV_CODEC_ID_GSM: return "GSM 6.10";
    case AV_CODEC_ID_WMAV1:
    case AV_CODEC_ID_WMAV2: return "WMA";
    case AV_CODEC_ID_PCM_U8: return "PCM U8";
    case AV_CODEC_ID_PCM_S8: return "PCM 8";
    case AV_CODEC_ID_PCM_S16LE:
    case AV_CODEC_ID_PCM_S16BE: return "PCM 16";
    case AV_CODEC_ID_PCM_S24LE:
    case AV_CODEC_ID_PCM_S24BE: return "PCM 24";
    case AV_CODEC_ID_PCM_S32LE:
    case AV_CODEC_ID_PCM_S32BE: return "PCM 32";
    case AV_CODEC_ID_PCM_F32LE:
    case AV_CODEC_ID_PCM_F32BE: return "float";
    case AV_CODEC_ID_PCM_F64LE:
    case AV_CODEC_ID_PCM_F64BE: return "double";
    default: {
        const AVCodecDescriptor *d = ff.avcodec_descriptor_get(id);
        return d ? d->name : "audio";
    }
    }
}

/* The largest magnitude the decoded encoding holds (see source_sndfile.c):
 * G.711's largest codes, 8 and 16-bit integers under full scale, float
 * codecs full scale. */
static float largest_code(enum AVCodecID id, int sample_format)
{
    if (id == AV_CODEC_ID_PCM_MULAW) return 32124.0f / 32768.0f;
    if (id == AV_CODEC_ID_PCM_ALAW) return 32256.0f / 32768.0f;
    switch (ff.av_get_packed_sample_fmt(sample_format)) {
    case AV_SAMPLE_FMT_U8: return 127.0f / 128.0f;
    case AV_SAMPLE_FMT_S16: return 32767.0f / 32768.0f;
    default: return 1.0f;
    }
}

/* An ISO base media file (MP4, M4A, 3GP, MOV): its first box is one of
 * these.  Its index (moov) may follow the audio, as it does in what most
 * recorders and ffmpeg write, so from a stream it cannot be read in one
 * pass. */
static int looks_isobmff(const VmcInput *in)
{
    static const char boxes[][5] = {"ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"};
    if (in->prefix_len < 8) return 0;
    for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
        if (!memcmp(in->prefix + 4, boxes[i], 4)) return 1;
    return 0;
}

static int ff_open(void **state, VmcInput *in, VmcSourceInfo *out, char *why, size_t why_size)
{
    pthread_once(&load_once, load);
    if (!ff.loaded) {
        snprintf(why, why_size, "%s", ff.why);
        return VMCHECK_EFORMAT;
    }
    /* an MP4 from a stream is read from a temporary copy (on disk, not
     * in memory: an hour of AAC is some 30 MB) */
    if (!vmc_input_seekable(in) && looks_isobmff(in)) {
        int r = vmc_input_spool(in, why, why_size);
        if (r) return r;
    }
    Ff *f = vmc_calloc(1, sizeof(*f));
    if (!f) {
        snprintf(why, why_size, "out of memory");
        return VMCHECK_ENOMEM;
    }
    f->in = in;
    f->swr_format = -1;
    int r = VMCHECK_ENOMEM, e = 0;
    unsigned char *iobuf = ff.av_malloc(IO_BUFFER_BYTES);
    f->pkt = ff.av_packet_alloc();
    f->frame = ff.av_frame_alloc();
    f->fmt = ff.avformat_alloc_context();
    if (iobuf)
        f->pb =
            ff.avio_alloc_context(iobuf, IO_BUFFER_BYTES, 0, f, io_read, NULL, vmc_input_seekable(in) ? io_seek : NULL);
    if (!f->pb) ff.av_free(iobuf);
    if (!f->pb || !f->pkt || !f->frame || !f->fmt) {
        snprintf(why, why_size, "out of memory");
        goto fail;
    }
    f->pb->seekable = vmc_input_seekable(in) ? AVIO_SEEKABLE_NORMAL : 0;
    f->fmt->pb = f->pb;
    f->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    f->fmt->io_open = no_nested_open;
    /* vmcheck reads straight through, never seeks: no index of every
     * packet (an hour of AMR is 180 000 of them) */
    f->fmt->max_index_size = 1 << 16;
    f->fmt->format_whitelist = ff.av_strdup(format_whitelist);
    if (!f->fmt->format_whitelist) {
        snprintf(why, why_size, "out of memory");
        goto fail;
    }
    /* by content alone, so that the same bytes read the same from a path,
     * memory or a pipe; a guess FFmpeg itself calls a possible
     * misdetection (score 25 or less) is no format */
    const AVInputFormat *ifmt = NULL;
    e = ff.av_probe_input_buffer2(f->pb, &ifmt, "", NULL, 0, 0);
    r = VMCHECK_EFORMAT;
    if (e < 0 || !ifmt) {
        if (e < 0 && e != AVERROR_INVALIDDATA && in->read_errno) r = VMCHECK_EIO;
        err_text(why, why_size, "", e < 0 ? e : AVERROR_INVALIDDATA);
        goto fail;
    }
    if (e <= AVPROBE_SCORE_RETRY) {
        snprintf(why, why_size, "format not recognised (at best a guess: %s)", ifmt->name);
        goto fail;
    }
    e = ff.avformat_open_input(&f->fmt, "", ifmt, NULL); /* frees f->fmt on failure */
    if (e < 0) {
        err_text(why, why_size, "", e);
        goto fail;
    }
    e = ff.avformat_find_stream_info(f->fmt, NULL);
    if (e < 0) {
        err_text(why, why_size, "", e);
        goto fail;
    }
    const AVCodec *codec = NULL;
    f->stream = ff.av_find_best_stream(f->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (f->stream < 0) {
        snprintf(why, why_size, "%s",
                 f->stream == AVERROR_DECODER_NOT_FOUND ? "no decoder for its audio" : "no audio stream in it");
        goto fail;
    }
    for (unsigned i = 0; i < f->fmt->nb_streams; i++)
        if ((int)i != f->stream) f->fmt->streams[i]->discard = AVDISCARD_ALL;
    AVStream *st = f->fmt->streams[f->stream];
    f->tb = st->time_base;
    f->dec = ff.avcodec_alloc_context3(codec);
    if (!f->dec) {
        r = VMCHECK_ENOMEM;
        snprintf(why, why_size, "out of memory");
        goto fail;
    }
    e = ff.avcodec_parameters_to_context(f->dec, st->codecpar);
    if (e >= 0) {
        f->dec->thread_count = 1; /* parallel work is the analyser's (files, frames) */
        f->dec->pkt_timebase = st->time_base;
        e = ff.avcodec_open2(f->dec, codec, NULL);
    }
    if (e < 0) {
        err_text(why, why_size, "cannot open the decoder", e);
        goto fail;
    }
    /* the first frame says the rate and channels as decoded (a codec's
     * parameters in the container can differ: HE-AAC, a wrong header) */
    if (!next_frame(f)) {
        snprintf(why, why_size, "no audio could be decoded");
        goto fail;
    }
    f->have_frame = 1;
    f->rate = f->frame->sample_rate > 0 ? (unsigned)f->frame->sample_rate : 0;
    if (f->rate) {
        /* time starts with the first frame (a codec's priming before it is not audio) */
        const int64_t ts = to_samples(f, f->frame->best_effort_timestamp);
        f->timed = ts != AV_NOPTS_VALUE;
        f->next = f->timed ? ts : 0;
        f->end = f->next;
        /* a container that gives the stream's length (MP4's edit list)
         * marks where the codec's last frame stops being audio */
        f->limit = -1;
        const int64_t len = to_samples(f, st->duration);
        if (f->timed && len != AV_NOPTS_VALUE && len > 0) f->limit = f->next + len;
    }
    f->channels = f->frame->ch_layout.nb_channels > 0 ? (unsigned)f->frame->ch_layout.nb_channels : 0;
    layout_of(&f->out_layout, &f->frame->ch_layout);
    out->rate_hz = f->rate;
    out->channels = f->channels;
    out->largest = largest_code(st->codecpar->codec_id, f->frame->format);
    const char *cont = container_name(f);
    snprintf(out->format, sizeof(out->format), "%s%s%s", cont, *cont ? " " : "", codec_name(st->codecpar->codec_id));
    /* the container's length is a promise when the container says it (not
     * FFmpeg's guess from the bit rate) and the whole file is there to
     * check it against */
    double dur = -1.0;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        dur = (double)st->duration * av_q2d(st->time_base);
    else if (f->fmt->duration != AV_NOPTS_VALUE && f->fmt->duration > 0)
        dur = (double)f->fmt->duration / AV_TIME_BASE;
    if (dur > 0.0 && vmc_input_seekable(in) && !in->from_stream &&
        f->fmt->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
        if (f->rate) out->frames_hint = (unsigned long long)(dur * f->rate);
        if (dur <= VMCHECK_MAX_DURATION_S) out->promised_s = dur;
        /* a codec's priming and padding: up to two of its frames, or 50 ms */
        double fr = f->dec->frame_size > 0 && f->rate ? (double)f->dec->frame_size / f->rate : 0.0;
        out->promise_slack_s = fr * 2.0 > 0.05 ? fr * 2.0 : 0.05;
    }
    *state = f;
    return VMCHECK_OK;
fail:
    ff_close(f);
    return r;
}

static long ff_read(void *state, float *buf, size_t n, char *why, size_t why_size)
{
    Ff *f = state;
    size_t done = 0;
    while (done < n) {
        if (f->owed > 0) {
            size_t k = (size_t)(f->owed < (int64_t)(n - done) ? f->owed : (int64_t)(n - done));
            memset(buf + done * f->channels, 0, k * f->channels * sizeof(float));
            f->owed -= (int64_t)k;
            f->next += (int64_t)k;
            done += k;
            continue;
        }
        if (f->buf_pos == f->buf_len) {
            if (f->done) break;
            if (!f->have_frame) {
                if (!next_frame(f)) {
                    f->done = 1;
                    if (f->timed) fill_gap(f, f->end);
                    continue;
                }
                f->have_frame = 1;
            }
            const int64_t ts =
                f->have_frame == 1 && f->timed ? to_samples(f, f->frame->best_effort_timestamp) : AV_NOPTS_VALUE;
            if (ts != AV_NOPTS_VALUE) {
                fill_gap(f, ts);
                if (f->owed > 0) {
                    f->have_frame = 2; /* the silence first, then this frame */
                    continue;
                }
            }
            f->have_frame = 0;
            int r = convert(f, why, why_size);
            if (r) return r;
            if (f->limit >= 0 && f->next + (int64_t)f->buf_len > f->limit)
                f->buf_len = f->limit > f->next ? (size_t)(f->limit - f->next) : 0;
            f->next += (int64_t)f->buf_len;
            continue;
        }
        size_t k = f->buf_len - f->buf_pos;
        if (k > n - done) k = n - done;
        memcpy(buf + done * f->channels, f->buf + f->buf_pos * f->channels, k * f->channels * sizeof(float));
        f->buf_pos += k;
        done += k;
    }
    return (long)done;
}

const VmcBackend vmc_backend_ffmpeg = {"FFmpeg", ff_open, ff_read, ff_close};
