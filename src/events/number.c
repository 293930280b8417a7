#include "events/number.h"

#include <math.h>
#include <string.h>

#include "common/common.h"

void vmc_number_params_default(VmcNumberParams *p)
{
    p->max_gap_s = 2.0;
    p->max_other_s = 0.15;
    p->other_sure = 1.01;
    p->heard_min_conf = 0.7;
}

static int is_digit(const VmcDigitToken *t) { return t->word >= 0 && t->word != VMC_DW_DOUBLE; }

/* Fill *nb from tokens [i, j) (digits, "double", and short other speech
 * between them). */
static void collect(VmcNumber *nb, const VmcDigitWords *w, size_t i, size_t j, const VmcNumberParams *p)
{
    memset(nb, 0, sizeof(*nb));
    nb->min_conf = 1.0;
    int sure = 1, first = 1;
    for (size_t k = i; k < j; k++) {
        const VmcDigitToken *t = &w->v[k];
        if (t->word < 0) continue;
        if (first) nb->start_s = t->start_s;
        first = 0;
        nb->end_s = t->end_s;
        nb->syllables += vmc_digit_word_syllables(t->word);
        if ((double)t->conf < nb->min_conf) nb->min_conf = (double)t->conf;
        if ((double)t->conf < p->heard_min_conf) sure = 0;
        if (!is_digit(t)) continue;
        /* "double seven": the seven twice */
        const int twice = k > i && w->v[k - 1].word == VMC_DW_DOUBLE;
        for (int rep = 0; rep <= twice; rep++) {
            if (nb->digits < VMC_NUMBER_MAX_DIGITS) nb->said[nb->digits] = vmc_digit_word_char(t->word);
            nb->digits++;
        }
    }
    const size_t kept = nb->digits < VMC_NUMBER_MAX_DIGITS ? nb->digits : VMC_NUMBER_MAX_DIGITS;
    nb->said[kept] = '\0';
    if (sure && nb->digits) memcpy(nb->heard, nb->said, kept + 1);
}

/* Does token k (other speech) end a run of digits? */
static int breaks(const VmcDigitWords *w, size_t k, const VmcNumberParams *p)
{
    const VmcDigitToken *t = &w->v[k];
    return t->word < 0 && (t->end_s - t->start_s > p->max_other_s || (double)t->conf >= p->other_sure);
}

int vmc_number_find(VmcNumber **out, size_t *n_out, const VmcDigitWords *w, const VmcNumberParams *p)
{
    *out = NULL;
    *n_out = 0;
    VmcNumber *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < w->n;) {
        if (w->v[i].word < 0) {
            i++;
            continue;
        }
        /* extend over digits, "double" and short other speech; stop at a
         * long silence or real other speech */
        size_t j = i + 1, last = i;
        while (j < w->n) {
            if (w->v[j].start_s - w->v[j - 1].end_s > p->max_gap_s || breaks(w, j, p)) break;
            if (w->v[j].word >= 0) last = j;
            j++;
        }
        VmcNumber nb;
        collect(&nb, w, i, last + 1, p);
        if (nb.digits >= VMC_NUMBER_MIN_DIGITS) {
            if (vmc_grow((void **)&v, &cap, n + 1, sizeof(VmcNumber))) {
                free(v);
                return VMCHECK_ENOMEM;
            }
            v[n++] = nb;
        }
        i = last + 1;
    }
    *out = v;
    *n_out = n;
    return VMCHECK_OK;
}

int vmc_number_inside(VmcNumber *out, const VmcDigitWords *w, double start_s, double end_s, const VmcNumberParams *p)
{
    size_t i = 0;
    /* words whose middle lies inside the span */
    while (i < w->n && 0.5 * (w->v[i].start_s + w->v[i].end_s) < start_s) i++;
    size_t j = i;
    while (j < w->n && 0.5 * (w->v[j].start_s + w->v[j].end_s) < end_s) j++;
    collect(out, w, i, j, p);
    return out->digits > 0;
}
