/* Audacity label tracks: "start<TAB>end<TAB>label" per line, in seconds.
 * Lines that start with '\' are Audacity's frequency-range rows: skipped. */
#include <string.h>

#include "common/common.h"
#include "common/fmt.h"
#include "io/labels.h"

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static int label_is(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (n != w) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return 0;
    }
    return 1;
}

int vmc_labels_parse(VmcheckSegmentSpec **out, size_t *n_out, size_t *bad_line, const char *text, size_t len)
{
    VmcheckSegmentSpec *v = NULL;
    size_t n = 0, cap = 0, line = 0;
    size_t pos = 0;
    /* a UTF-8 byte-order mark is not part of the first number */
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        pos = 3;
    while (pos < len) {
        line++;
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        const char *s = text + pos;
        size_t sl = eol - pos;
        pos = eol + 1;
        while (sl && is_space(s[sl - 1])) sl--;
        size_t i = 0;
        while (i < sl && is_space(s[i])) i++;
        if (i == sl || s[i] == '\\') continue;
        if (memchr(s, '\0', sl)) goto bad;
        double t0, t1;
        size_t k = vmc_parse_double(&t0, s + i, sl - i);
        if (!k) goto bad;
        i += k;
        if (i == sl || !is_space(s[i])) goto bad;
        while (i < sl && is_space(s[i])) i++;
        k = vmc_parse_double(&t1, s + i, sl - i);
        if (!k) goto bad;
        i += k;
        if (i < sl && !is_space(s[i])) goto bad;
        while (i < sl && is_space(s[i])) i++;
        if (t0 < 0.0 || t1 < t0) goto bad;
        const char *lab = s + i;
        size_t ll = sl - i;
        enum VmcheckSegmentKind kind;
        if (label_is(lab, ll, "name"))
            kind = VMCHECK_SEGMENT_NAME;
        else if (label_is(lab, ll, "number"))
            kind = VMCHECK_SEGMENT_NUMBER;
        else
            continue;
        if (t1 == t0) continue; /* a point label marks no stretch */
        if (vmc_grow((void **)&v, &cap, n + 1, sizeof(*v))) {
            free(v);
            return VMCHECK_ENOMEM;
        }
        v[n++] = (VmcheckSegmentSpec){kind, t0, t1, (unsigned)line};
    }
    *out = v;
    *n_out = n;
    return VMCHECK_OK;
bad:
    free(v);
    if (bad_line) *bad_line = line;
    return VMCHECK_ELABELS;
}
