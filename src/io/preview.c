/* The player's copy of a recording (see preview.h): source -> mono ->
 * 16 kHz -> MP3 (or 8 kHz FLAC) in memory, through libsndfile's virtual I/O. */
#include "io/preview.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "io/source.h"

#ifdef VMC_HAVE_SF_MPEG
#define OUT_RATE_HZ 16000u
#else
#define OUT_RATE_HZ 8000u
#endif

/* ---- a growing memory file for libsndfile ---- */
typedef struct MemFile {
    unsigned char *data;
    size_t size, cap, pos;
    int failed;
} MemFile;

static sf_count_t mem_len(void *u) { return (sf_count_t)((MemFile *)u)->size; }

static sf_count_t mem_seek(sf_count_t off, int whence, void *u)
{
    MemFile *m = u;
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (sf_count_t)m->pos : (sf_count_t)m->size;
    if (base + off < 0) return -1;
    m->pos = (size_t)(base + off);
    return (sf_count_t)m->pos;
}

static sf_count_t mem_read(void *ptr, sf_count_t n, void *u)
{
    MemFile *m = u;
    if (n <= 0 || m->pos >= m->size) return 0;
    size_t k = (size_t)n < m->size - m->pos ? (size_t)n : m->size - m->pos;
    memcpy(ptr, m->data + m->pos, k);
    m->pos += k;
    return (sf_count_t)k;
}

static sf_count_t mem_write(const void *ptr, sf_count_t n, void *u)
{
    MemFile *m = u;
    if (n <= 0) return 0;
    size_t end = m->pos + (size_t)n;
    if (end < m->pos) return m->failed = 1, 0;
    if (end > m->cap) {
        size_t cap = m->cap ? m->cap : 65536;
        while (cap < end) cap *= 2;
        unsigned char *d = realloc(m->data, cap);
        if (!d) return m->failed = 1, 0;
        m->data = d;
        m->cap = cap;
    }
    if (m->pos > m->size) memset(m->data + m->size, 0, m->pos - m->size);
    memcpy(m->data + m->pos, ptr, (size_t)n);
    m->pos = end;
    if (end > m->size) m->size = end;
    return n;
}

static sf_count_t mem_tell(void *u) { return (sf_count_t)((MemFile *)u)->pos; }

/* ---- streaming windowed-sinc resampler ----
 * Output k sits at input position k * step (step = in rate / out rate).
 * The kernel is 2 fc sinc(2 fc x) under a Blackman window, |x| <= half
 * input samples, with fc = 0.45 of the lower rate (relative to the input
 * rate) and 16 zero crossings a side; it is tabulated at 1/PHASES of an
 * input sample and looked up at the nearest phase (a timing error under
 * 1/512 sample, far below what the ear or the player's seek can tell). */
#define PHASES 256
#define CROSSINGS 16

typedef struct Resampler {
    double step, pos; /* pos: the next output's input position */
    int half;         /* kernel half-width, input samples */
    float *table;     /* (2 * half * PHASES + 1) taps */
    float *buf;       /* input samples base .. base + len */
    size_t len, cap;
    long long base;
    int passthrough;
} Resampler;

static int rs_init(Resampler *r, unsigned in_hz, unsigned out_hz)
{
    memset(r, 0, sizeof(*r));
    r->step = (double)in_hz / (double)out_hz;
    if (in_hz == out_hz) {
        r->passthrough = 1;
        return 0;
    }
    double fc = 0.45 * (double)(in_hz < out_hz ? in_hz : out_hz) / (double)in_hz; /* cycles per input sample */
    r->half = (int)ceil(CROSSINGS / (2.0 * fc));
    size_t n = (size_t)(2 * r->half * PHASES + 1);
    r->table = malloc(n * sizeof(float));
    if (!r->table) return -1;
    const double pi = 3.14159265358979323846;
    for (size_t i = 0; i < n; i++) {
        double x = ((double)i - (double)(r->half * PHASES)) / PHASES; /* input samples from the centre */
        double a = 2.0 * pi * fc * x;
        double sinc = fabs(a) < 1e-12 ? 1.0 : sin(a) / a;
        double w = 0.42 + 0.5 * cos(pi * x / r->half) + 0.08 * cos(2.0 * pi * x / r->half);
        r->table[i] = (float)(2.0 * fc * sinc * w);
    }
    return 0;
}

static void rs_free(Resampler *r)
{
    free(r->table);
    free(r->buf);
}

static int rs_push(Resampler *r, const float *in, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 8192;
        while (cap < r->len + n) cap *= 2;
        float *b = realloc(r->buf, cap * sizeof(float));
        if (!b) return -1;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, in, n * sizeof(float));
    r->len += n;
    return 0;
}

/* Outputs whose kernel lies inside what has arrived (all of them, with
 * zeros beyond the end, when last); at most max_out.  Returns how many. */
static size_t rs_pull(Resampler *r, float *out, size_t max_out, int last, long long total_in)
{
    size_t k = 0;
    if (r->passthrough) {
        k = r->len < max_out ? r->len : max_out;
        memcpy(out, r->buf, k * sizeof(float));
        memmove(r->buf, r->buf + k, (r->len - k) * sizeof(float));
        r->len -= k;
        return k;
    }
    const long long have = r->base + (long long)r->len;
    while (k < max_out) {
        if (last ? r->pos >= (double)total_in : (long long)floor(r->pos) + r->half + 1 >= have) break;
        long long c = (long long)floor(r->pos);
        double frac = r->pos - (double)c;
        double acc = 0.0;
        for (int j = -r->half + 1; j <= r->half; j++) {
            long long n = c + j;
            if (n < r->base || n >= have) continue;
            double x = frac - j; /* distance of input n from the output's position */
            long idx = lround(x * PHASES) + (long)r->half * PHASES;
            if (idx < 0 || idx > 2L * r->half * PHASES) continue;
            acc += (double)r->buf[n - r->base] * (double)r->table[idx];
        }
        out[k++] = (float)acc;
        r->pos += r->step;
    }
    /* drop input no later output needs */
    long long keep_from = (long long)floor(r->pos) - r->half;
    if (keep_from > r->base) {
        size_t drop = (size_t)(keep_from - r->base);
        if (drop > r->len) drop = r->len;
        memmove(r->buf, r->buf + drop, (r->len - drop) * sizeof(float));
        r->len -= drop;
        r->base += (long long)drop;
    }
    return k;
}

int vmc_preview_encode(VmcPreview *out, const char *path, double max_s, const VmcheckLogger *lg)
{
    VmcSource *src = NULL;
    SNDFILE *snd = NULL;
    MemFile mem = {NULL, 0, 0, 0, 0};
    Resampler rs;
    memset(&rs, 0, sizeof(rs));
    float *block = NULL;
    long long total_in = 0, total_out = 0;
    int status = vmc_source_open_path(&src, path, lg);
    if (status) return status;
    const VmcSourceInfo *info = vmc_source_info(src);
    if (info->promised_s > max_s) {
        status = VMCHECK_ERANGE;
        goto fail;
    }
    /* Always the one rate, also for 8 kHz telephone audio (upsampled): at
     * 8-12 kHz MP3 is MPEG-2.5, whose encoder delay libsndfile's decoders
     * (and so, likely, browsers) do not trim, which would put every click
     * 0.14 s late. */
    const unsigned out_hz = OUT_RATE_HZ;
    status = VMCHECK_ENOMEM;
    if (rs_init(&rs, info->rate_hz, out_hz)) goto fail;
    const size_t block_out = 4096;
    block = malloc(block_out * sizeof(float));
    if (!block) goto fail;
    SF_VIRTUAL_IO io = {mem_len, mem_seek, mem_read, mem_write, mem_tell};
    SF_INFO si;
    memset(&si, 0, sizeof(si));
    si.samplerate = (int)out_hz;
    si.channels = 1;
#ifdef VMC_HAVE_SF_MPEG
    si.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    const char *mime = "audio/mpeg";
#else
    si.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    const char *mime = "audio/flac";
#endif
    snd = sf_open_virtual(&io, SFM_WRITE, &si, &mem);
    status = VMCHECK_EFORMAT;
    if (!snd) goto fail;
#ifdef VMC_HAVE_SF_MPEG
    {
        /* constant bit rate, so that a seek lands where it is asked; at
         * 16 kHz libsndfile maps compression 0.8 to 32 kbit/s or so */
        int mode = SF_BITRATE_MODE_CONSTANT;
        double level = 0.8;
        sf_command(snd, SFC_SET_BITRATE_MODE, &mode, sizeof(mode));
        sf_command(snd, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
    }
#endif
    for (;;) {
        const float *mono;
        size_t n, clipped, samples;
        status = vmc_source_read(src, &mono, &n, &clipped, &samples);
        if (status) goto fail;
        total_in += (long long)n;
        if ((double)total_in > max_s * (double)info->rate_hz) {
            status = VMCHECK_ERANGE;
            goto fail;
        }
        status = VMCHECK_ENOMEM;
        if (n && rs_push(&rs, mono, n)) goto fail;
        for (;;) {
            size_t k = rs_pull(&rs, block, block_out, n == 0, total_in);
            if (!k) break;
            for (size_t i = 0; i < k; i++) block[i] = block[i] > 1.0f ? 1.0f : block[i] < -1.0f ? -1.0f : block[i];
            if (sf_writef_float(snd, block, (sf_count_t)k) != (sf_count_t)k || mem.failed) {
                status = mem.failed ? VMCHECK_ENOMEM : VMCHECK_EFORMAT;
                goto fail;
            }
            total_out += (long long)k;
        }
        if (!n) break;
    }
    status = sf_close(snd) || mem.failed ? VMCHECK_EFORMAT : 0;
    snd = NULL;
    if (status) goto fail;
    out->mime = mime;
    out->data = mem.data;
    out->size = mem.size;
    out->rate_hz = out_hz;
    out->duration_s = (double)total_out / (double)out_hz;
    rs_free(&rs);
    free(block);
    vmc_source_close(&src);
    return 0;
fail:
    if (snd) sf_close(snd);
    free(mem.data);
    rs_free(&rs);
    free(block);
    vmc_source_close(&src);
    return status;
}

void vmc_preview_free(VmcPreview *p)
{
    if (!p) return;
    free(p->data);
    memset(p, 0, sizeof(*p));
}
