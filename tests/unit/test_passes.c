/* A long file is analysed in passes (analyzer.h, VmcPass): the pitch
 * candidates and the detector's band codes are computed again on later
 * passes over the audio instead of being held whole.  The report must be
 * the one a single pass gives, to the bit: every figure, pause, syllable,
 * segment, flag and track, by path, memory image and file descriptor, with
 * one thread and with two.
 *
 * Arguments: folders (every .wav in them) or files.  tools/bench-speed's six-hour file takes this road by
 * itself; this test forces it on short recordings. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/decode.h"
#include "test.h"
#include "vmcheck/vmcheck.h"

static VmcheckReport *analyse(const char *path, int passes, int threads, int how)
{
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.keep_tracks = 1;
    cfg.threads = threads;
    VmcAnalyzeArgs args = {&cfg, NULL, 0, NULL, NULL, 0.0, passes};
    VmcheckReport *r = NULL;
    int st;
    if (how == 0) {
        st = vmc_decode_path(&r, &args, path);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) return NULL;
        fseek(f, 0, SEEK_END);
        const long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *data = size > 0 ? malloc((size_t)size) : NULL;
        const int ok = data && fread(data, 1, (size_t)size, f) == (size_t)size;
        if (how == 1 && ok)
            st = vmc_decode_memory(&r, &args, data, (size_t)size);
        else if (ok) {
            /* from an offset: the passes read it again from there */
            char tmpl[] = "/tmp/vmcheck-passes-XXXXXX";
            const int fd = mkstemp(tmpl);
            st = VMCHECK_EIO;
            if (fd >= 0) {
                unlink(tmpl);
                if (write(fd, "junk", 4) == 4 && write(fd, data, (size_t)size) == size && lseek(fd, 4, SEEK_SET) == 4)
                    st = vmc_decode_fd(&r, &args, fd);
                close(fd);
            }
        } else
            st = VMCHECK_EIO;
        free(data);
        fclose(f);
    }
    return st ? NULL : r;
}

#define SAME(x) (memcmp(&a->x, &b->x, sizeof(a->x)) == 0)
#define SAME_N(p, n) ((n) == 0 || memcmp(a->p, b->p, (n) * sizeof(*a->p)) == 0)

static int same_report(const VmcheckReport *a, const VmcheckReport *b, const char **what)
{
    *what = "figures";
    if (!(SAME(duration_s) && SAME(sample_rate_hz) && SAME(channels) && SAME(format) && SAME(has_speech) &&
          SAME(speech_start_s) && SAME(speech_end_s) && SAME(phonation_s) && SAME(pause_count) && SAME(pause_total_s) &&
          SAME(longest_pause_s) && SAME(speech_dbfs) && SAME(noise_floor_dbfs) && SAME(snr_db) && SAME(clipped_ratio) &&
          SAME(syllable_count) && SAME(syllables_per_s) && SAME(articulation_rate) && SAME(wpm_est) &&
          SAME(syllables_per_word) && SAME(f0_median_hz) && SAME(f0_p10_hz) && SAME(f0_p90_hz) && SAME(range_st) &&
          SAME(voiced_ratio) && SAME(voiced_frames) && SAME(lift_st) && SAME(segment_count) && SAME(flag_count) &&
          SAME(score) && SAME(hop_s) && SAME(frame_count)))
        return 0;
    *what = "pauses and syllables";
    if (!SAME_N(pauses, a->pause_count) || !SAME_N(syllables_s, a->syllable_count)) return 0;
    *what = "tracks";
    if (!SAME_N(energy_db, a->frame_count) || !SAME_N(f0_hz, a->frame_count) || !SAME_N(band_db, a->frame_count))
        return 0;
    *what = "segments";
    for (size_t i = 0; i < a->segment_count; i++) {
        const VmcheckSegment *s = &a->segments[i], *t = &b->segments[i];
        if (s->kind != t->kind || s->source != t->source || memcmp(&s->start_s, &t->start_s, sizeof(double)) ||
            memcmp(&s->end_s, &t->end_s, sizeof(double)) || s->syllables != t->syllables ||
            memcmp(&s->syllables_per_s, &t->syllables_per_s, sizeof(double)) || s->too_fast != t->too_fast ||
            memcmp(&s->median_f0_hz, &t->median_f0_hz, sizeof(double)) || s->groups != t->groups ||
            s->gap_count != t->gap_count || strcmp(s->text, t->text) || s->digits != t->digits ||
            memcmp(&s->digits_per_s, &t->digits_per_s, sizeof(double)) || strcmp(s->heard, t->heard) ||
            (s->gap_count && memcmp(s->gaps, t->gaps, s->gap_count * sizeof(*s->gaps))))
            return 0;
    }
    *what = "flags";
    for (size_t i = 0; i < a->flag_count; i++) {
        const VmcheckFlag *f = &a->flags[i], *g = &b->flags[i];
        if (f->code != g->code || f->severity != g->severity || memcmp(&f->start_s, &g->start_s, sizeof(double)) ||
            memcmp(&f->end_s, &g->end_s, sizeof(double)) || strcmp(f->message, g->message))
            return 0;
    }
    return 1;
}

static size_t files, digits_seen, numbers_seen;

static void check_file(const char *path)
{
    static const char *const hows[] = {"path", "memory", "descriptor"};
    VmcheckReport *one = analyse(path, 1, 1, 0);
    if (!one) return; /* not audio vmcheck reads: nothing to compare */
    files++;
    for (size_t i = 0; i < one->segment_count; i++) {
        numbers_seen += one->segments[i].kind == VMCHECK_SEGMENT_NUMBER;
        digits_seen += one->segments[i].digits;
    }
    for (int threads = 1; threads <= 2; threads++)
        for (int how = 0; how < 3; how++) {
            if (how && threads == 2) continue;
            VmcheckReport *r = analyse(path, 2, threads, how);
            const char *what = "the analysis";
            const int ok = r && same_report(r, one, &what);
            CHECK(ok, "%s: in passes (%s, %d thread%s) as in one; %s", path, hows[how], threads, threads > 1 ? "s" : "",
                  ok ? "identical" : what);
            vmcheck_report_free(&r);
        }
    vmcheck_report_free(&one);
}

static int is_wav(const char *name)
{
    const size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".wav") == 0;
}

static void check_arg(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        CHECK(0, "%s exists", arg);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        check_file(arg);
        return;
    }
    DIR *d = opendir(arg);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_wav(e->d_name)) continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", arg, e->d_name);
        check_file(p);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) check_arg(argv[i]);
    /* what was compared held what the passes change: numbers and digits */
    CHECK(files >= 5 && numbers_seen > 0 && digits_seen > 0, "%zu recordings compared, %zu numbers, %zu digits", files,
          numbers_seen, digits_seen);
    printf("%zu recordings, %zu numbers, %zu digits: %d of %d checks failed\n", files, numbers_seen, digits_seen,
           test_failures, test_checks);
    return test_done();
}
