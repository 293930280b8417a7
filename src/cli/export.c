/* --export-labels: pauses (regions), syllable nuclei (points), segments and
 * flags as an Audacity label track, so every measurement can be seen on the
 * waveform. */
#include <stdio.h>

#include "cli/export.h"
#include "common/fmt.h"

static void line(FILE *f, double a, double b, const char *label)
{
    char x[32], y[32];
    vmc_fmt_fixed(x, sizeof(x), a, 6);
    vmc_fmt_fixed(y, sizeof(y), b, 6);
    fprintf(f, "%s\t%s\t%s\n", x, y, label);
}

void cli_export_labels(FILE *f, const VmcheckReport *r)
{
    for (size_t i = 0; i < r->pause_count; i++) line(f, r->pauses[i].start_s, r->pauses[i].end_s, "pause");
    for (size_t i = 0; i < r->syllable_count; i++) line(f, r->syllables_s[i], r->syllables_s[i], "syl");
    for (size_t i = 0; i < r->segment_count; i++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, i);
        char lab[96], rate[32];
        vmc_fmt_fixed(rate, sizeof(rate), s->syllables_per_s, 1);
        snprintf(lab, sizeof(lab), "%s %s syl/s %s", s->kind == VMCHECK_SEGMENT_NAME ? "name" : "number", rate,
                 s->too_fast ? "TOO FAST" : "ok");
        line(f, s->start_s, s->end_s, lab);
    }
    for (size_t i = 0; i < r->flag_count; i++) {
        const VmcheckFlag *g = vmcheck_report_flag(r, i);
        char lab[256];
        snprintf(lab, sizeof(lab), "%s: %s", vmcheck_flag_name(g->code), g->message);
        line(f, g->start_s, g->end_s, lab);
    }
}
