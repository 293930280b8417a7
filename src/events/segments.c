#include "events/segments.h"

#include <math.h>
#include <string.h>

#include "common/common.h"
#include "common/stats.h"

void vmc_segments_free(VmcSegments *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i].gaps);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

int vmc_segments_append(VmcSegments *s, VmcSegments *more)
{
    if (!more->n) return VMCHECK_OK;
    VmcheckSegment *v = realloc(s->v, (s->n + more->n) * sizeof(VmcheckSegment));
    if (!v) {
        vmc_segments_free(more);
        return VMCHECK_ENOMEM;
    }
    memcpy(v + s->n, more->v, more->n * sizeof(VmcheckSegment));
    s->v = v;
    s->n += more->n;
    free(more->v); /* the gaps now belong to s */
    memset(more, 0, sizeof(*more));
    return VMCHECK_OK;
}

/* Silent gaps of VMC_GROUP_GAP_S or more strictly inside frames [a, b). */
static int find_gaps(VmcheckSegment *seg, const VmcActivity *act, size_t a, size_t b, double hop_s)
{
    const size_t min_gap = (size_t)ceil(VMC_GROUP_GAP_S / hop_s - 1e-9);
    size_t cap = 0;
    /* skip silence at the segment's edges: a label drawn loosely is not a gap */
    while (a < b && !act->active[a]) a++;
    while (b > a && !act->active[b - 1]) b--;
    for (size_t i = a; i < b;) {
        if (act->active[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < b && !act->active[j]) j++;
        if (j - i >= min_gap) {
            if (vmc_grow((void **)&seg->gaps, &cap, seg->gap_count + 1, sizeof(VmcheckPause))) return VMCHECK_ENOMEM;
            seg->gaps[seg->gap_count++] = (VmcheckPause){(double)i * hop_s, (double)j * hop_s};
        }
        i = j;
    }
    /* Digits read one by one leave a silence after each; the groups are
     * then marked by the clearly longer ones.  With four or more silences,
     * keep those over 1.6 times their median (and at least 0.25 s). */
    if (seg->gap_count >= 4) {
        double d[64];
        size_t m = seg->gap_count < 64 ? seg->gap_count : 64;
        for (size_t i = 0; i < m; i++) d[i] = seg->gaps[i].end_s - seg->gaps[i].start_s;
        for (size_t i = 1; i < m; i++) /* insertion sort: a handful of values */
            for (size_t j = i; j > 0 && d[j] < d[j - 1]; j--) {
                double t = d[j];
                d[j] = d[j - 1];
                d[j - 1] = t;
            }
        const double median = m % 2 ? d[m / 2] : 0.5 * (d[m / 2 - 1] + d[m / 2]);
        const double keep = fmax(0.25, 1.6 * median);
        size_t k = 0;
        for (size_t i = 0; i < seg->gap_count; i++)
            if (seg->gaps[i].end_s - seg->gaps[i].start_s >= keep - 1e-9) seg->gaps[k++] = seg->gaps[i];
        seg->gap_count = k;
    }
    seg->groups = a < b ? seg->gap_count + 1 : 0;
    return VMCHECK_OK;
}

int vmc_segments_measure(VmcSegments *out, const VmcheckSegmentSpec *specs, size_t n_specs,
                         enum VmcheckSegmentSource source, const VmcActivity *act, const VmcNuclei *nu, size_t n_frames,
                         double hop_s)
{
    memset(out, 0, sizeof(*out));
    if (!n_specs) return VMCHECK_OK;
    out->v = vmc_calloc(n_specs, sizeof(VmcheckSegment));
    unsigned char *keep = vmc_calloc(n_frames, 1);
    if (!out->v || !keep) {
        free(keep);
        vmc_segments_free(out);
        return VMCHECK_ENOMEM;
    }
    for (size_t k = 0; k < n_specs; k++) {
        VmcheckSegment *s = &out->v[out->n++];
        s->kind = specs[k].kind;
        s->source = source;
        /* a span found in the audio may start a hop before 0 s: the
         * recording starts there */
        s->start_s = specs[k].start_s > 0.0 ? specs[k].start_s : 0.0;
        s->end_s = specs[k].end_s;
        /* frames whose centre lies in [start, end) */
        size_t a = (size_t)ceil(s->start_s / hop_s - 1e-9), b = (size_t)ceil(s->end_s / hop_s - 1e-9);
        if (a > n_frames) a = n_frames;
        if (b > n_frames) b = n_frames;
        for (size_t i = 0; i < nu->n; i++) s->syllables += nu->frames[i] >= a && nu->frames[i] < b;
        const double dur = s->end_s - s->start_s;
        s->syllables_per_s = dur > 0.0 ? (double)s->syllables / dur : 0.0;
        if (act->active && find_gaps(s, act, a, b, hop_s)) goto oom;
    }
    free(keep);
    return VMCHECK_OK;
oom:
    free(keep);
    vmc_segments_free(out);
    return VMCHECK_ENOMEM;
}
