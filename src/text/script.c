#include "text/script.h"

#include <stdio.h>
#include <string.h>

#include "common/common.h"

/* ---- syllables ---------------------------------------------------------- */

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

static const struct {
    const char *w;
    unsigned n;
} exceptions[] = {
    {"the", 1},         {"you're", 1},    {"every", 2},     {"everyone", 3},   {"business", 2},   {"different", 3},
    {"evening", 2},     {"area", 3},      {"idea", 3},      {"ideas", 3},      {"real", 1},       {"really", 2},
    {"being", 2},       {"seeing", 2},    {"doing", 2},     {"going", 2},      {"create", 2},     {"people", 2},
    {"queue", 1},       {"one", 1},       {"once", 1},      {"whole", 1},      {"some", 1},       {"come", 1},
    {"done", 1},        {"gone", 1},      {"none", 1},      {"give", 1},       {"live", 1},       {"have", 1},
    {"there", 1},       {"where", 1},     {"here", 1},      {"were", 1},       {"are", 1},        {"fire", 1},
    {"hour", 1},        {"our", 1},       {"quiet", 2},     {"science", 2},    {"poem", 2},       {"chaos", 2},
    {"naive", 2},       {"cooperate", 4}, {"recipe", 3},    {"apostrophe", 4}, {"maybe", 2},      {"anyone", 3},
    {"someone", 2},     {"sometimes", 2}, {"something", 2}, {"somewhere", 2},  {"everything", 3}, {"interesting", 3},
    {"comfortable", 3}, {"vegetable", 3}, {"family", 3},    {"actually", 4},   {"usually", 4},    {"available", 4},
    {"thursday", 2},    {"wednesday", 2}, {"tuesday", 2},   {"monday", 2},     {"friday", 2},     {"saturday", 3},
    {"sunday", 2},      {"seven", 2},     {"zero", 2},      {"eleven", 3},     {"mewse", 1},      {"michael", 2},
    {"rachel", 2},      {"james", 1},     {"george", 1},    {"sarah", 2},      {"hi", 1},         {"bye", 1},
};

/* Second parts of compounds and suffixes after which a word-internal e is
 * silent, as at the end of a word: "lake|side", "home|work", "love|ly". */
static const char *const after_silent_e[] = {"ful", "less", "ly",    "ment",  "ness",  "side", "work", "time", "line",
                                             "way", "teen", "place", "where", "thing", "one",  "body", "stone"};

unsigned vmc_syllables_en(const char *word)
{
    /* a possessive or contracted 's is not a syllable of its own ("there's") */
    char buf[64];
    size_t len = strlen(word);
    if (len >= 2 && len < sizeof(buf) && word[len - 2] == '\'' && word[len - 1] == 's') {
        memcpy(buf, word, len - 2);
        buf[len - 2] = 0;
        word = buf;
        len -= 2;
    }
    const char *w = word;
    if (!len) return 0;
    for (size_t i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
        if (!strcmp(w, exceptions[i].w)) return exceptions[i].n;
    unsigned n = 0;
    int prev = 0;
    for (size_t i = 0; i < len; i++) {
        /* y is a consonant first and before a vowel ("yes", "pla-yer", "Pri-ya") */
        int v = is_vowel(w[i]) && !(w[i] == 'y' && (i == 0 || (i + 1 < len && is_vowel(w[i + 1]) && w[i + 1] != 'y')));
        if (v && !prev) n++;
        prev = v;
    }
    /* a silent e inside a compound: vowel, consonant, e, then a second part */
    for (size_t i = 2; i + 2 < len; i++) {
        if (w[i] != 'e' || is_vowel(w[i - 1]) || !is_vowel(w[i - 2])) continue;
        for (size_t k = 0; k < sizeof(after_silent_e) / sizeof(after_silent_e[0]); k++)
            if (!strncmp(w + i + 1, after_silent_e[k], strlen(after_silent_e[k]))) {
                if (n > 1) n--;
                break;
            }
    }
    /* -ier after a consonant is two syllables ("ear-li-er", "bu-si-er") */
    if (len > 4 && !strcmp(w + len - 3, "ier") && !is_vowel(w[len - 4])) n++;
    /* vowel pairs that are two syllables: "ia" (piano), "io" (radio), "eo" (video), "ua" (actual) */
    for (size_t i = 0; i + 1 < len; i++) {
        char a = w[i], b = w[i + 1];
        if ((a == 'i' && (b == 'a' || b == 'o')) || (a == 'e' && b == 'o') || (a == 'u' && b == 'a')) {
            if (!(i > 0 && (w[i - 1] == 'c' || w[i - 1] == 't' || w[i - 1] == 's' || w[i - 1] == 'x' ||
                            w[i - 1] == 'q' || w[i - 1] == 'g'))) /* -tion, -cian, -sion, -gua: one */
                n++;
        }
    }
    /* silent final e: "make", but not "the", "be", "-le" after a consonant ("table") */
    if (len > 2 && w[len - 1] == 'e' && !is_vowel(w[len - 2])) {
        int le = w[len - 2] == 'l' && len > 3 && !is_vowel(w[len - 3]);
        if (!le && n > 1) n--;
    }
    /* -es after most consonants is silent ("makes", "times"); after s, x, z, ch, sh, ge, ce it is a syllable */
    if (len > 3 && w[len - 1] == 's' && w[len - 2] == 'e' && !is_vowel(w[len - 3])) {
        char c = w[len - 3];
        int voiced_es = c == 's' || c == 'x' || c == 'z' || c == 'g' || c == 'c' ||
                        (c == 'h' && len > 4 && (w[len - 4] == 'c' || w[len - 4] == 's'));
        if (!voiced_es && n > 1) n--;
    }
    /* -ed is silent except after t or d ("wanted", "needed") */
    if (len > 3 && w[len - 1] == 'd' && w[len - 2] == 'e' && !is_vowel(w[len - 3]) && w[len - 3] != 't' &&
        w[len - 3] != 'd' && n > 1)
        n--;
    return n ? n : 1;
}

/* ---- tokens ------------------------------------------------------------- */

static const struct {
    const char *w;
    unsigned syl;
} digit_words[] = {
    {"zero", 2}, {"oh", 1},    {"one", 1},   {"two", 1},  {"three", 1},  {"four", 1},   {"five", 1},
    {"six", 1},  {"seven", 2}, {"eight", 1}, {"nine", 1}, {"double", 2}, {"triple", 2},
};
/* the spoken syllables of each digit: 0 as "oh", the usual form in a phone
 * number, or at most as "zero" */
static const unsigned digit_syl[10] = {1, 1, 1, 1, 1, 1, 1, 2, 1, 1};
static const unsigned digit_syl_max[10] = {2, 1, 1, 1, 1, 1, 1, 2, 1, 1};

static int digit_word(const char *w)
{
    for (size_t i = 0; i < sizeof(digit_words) / sizeof(digit_words[0]); i++)
        if (!strcmp(w, digit_words[i].w)) return (int)i;
    return -1;
}

static int push(VmcScript *s, size_t *cap, const char *text, unsigned syl, enum VmcTokenRole role, unsigned group)
{
    if (vmc_grow((void **)&s->tok, cap, s->n + 1, sizeof(VmcToken))) return VMCHECK_ENOMEM;
    VmcToken *t = &s->tok[s->n++];
    memset(t, 0, sizeof(*t));
    snprintf(t->text, sizeof(t->text), "%s", text);
    t->syllables = syl;
    t->syllables_max = syl;
    t->role = role;
    t->group = group;
    return VMCHECK_OK;
}

static int utf8_ok(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!n || (n == 2 && c < 0xC2) || i + n > len) return 0;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80) return 0;
        if (c == 0) return 0;
        i += n;
    }
    return 1;
}

static int is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 || c == '\'';
}
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Words that end a name: "it's Matthew Mewse from Northwind". */
static int name_stop(const char *w)
{
    static const char *const stops[] = {"from", "at", "with", "calling", "here", "and", "of", "in", "for", "on"};
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        if (!strcmp(w, stops[i])) return 1;
    return 0;
}

int vmc_script_parse(VmcScript *s, const char *text, size_t len)
{
    memset(s, 0, sizeof(*s));
    const unsigned char *p = (const unsigned char *)text;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) p += 3, len -= 3;
    if (!utf8_ok(p, len)) return VMCHECK_ESCRIPT;
    size_t cap = 0;
    int in_bracket = 0;
    unsigned names = 0;
    unsigned numbers = 0;
    int in_number = 0; /* inside a written digit run */
    size_t number_digits = 0, number_start = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (is_digit(c) || (c == '+' && i + 1 < len && is_digit(p[i + 1]))) {
            /* a digit run: digits with single separators (space, - . ( ) /) */
            if (!in_number) {
                in_number = 1;
                number_digits = 0;
                number_start = s->n;
                numbers++;
            }
            if (c == '+') {
                if (push(s, &cap, "plus", 1, VMC_TOK_NUMBER, numbers)) goto oom;
                i++;
                continue;
            }
            char d[2] = {(char)c, 0};
            if (push(s, &cap, d, digit_syl[c - '0'], VMC_TOK_NUMBER, numbers)) goto oom;
            s->tok[s->n - 1].syllables_max = digit_syl_max[c - '0'];
            number_digits++;
            i++;
            /* separator inside the number: a group break if more digits follow */
            size_t j = i;
            while (j < len && (p[j] == ' ' || p[j] == '-' || p[j] == '.' || p[j] == '(' || p[j] == ')' || p[j] == '/'))
                j++;
            if (j < len && is_digit(p[j]) && j - i <= 3) {
                if (j > i) s->tok[s->n - 1].brk = 1;
                i = j;
                continue;
            }
            /* the run ends: short runs are not phone numbers, but words */
            in_number = 0;
            if (number_digits < 5) {
                for (size_t k = number_start; k < s->n; k++) s->tok[k].role = VMC_TOK_WORD, s->tok[k].group = 0;
                numbers--;
            }
            continue;
        }
        if (is_letter(c)) {
            char w[32];
            size_t k = 0;
            while (i < len && (is_letter(p[i]) || (p[i] == '-' && i + 1 < len && is_letter(p[i + 1])))) {
                unsigned char ch = p[i++];
                if (ch == '-') break;
                if (ch >= 'A' && ch <= 'Z') ch = (unsigned char)(ch - 'A' + 'a');
                if (ch == '\'' && k == 0) continue;
                if (k + 1 < sizeof(w)) w[k++] = (char)ch;
            }
            w[k] = 0;
            if (!k) continue;
            /* apostrophe endings: "it's" is one word, syllables from the stem */
            char stem[32];
            snprintf(stem, sizeof(stem), "%s", w);
            char *ap = strchr(stem, '\'');
            if (ap) *ap = 0;
            int has_non_ascii = 0;
            for (size_t q = 0; stem[q]; q++) has_non_ascii |= (unsigned char)stem[q] >= 0x80;
            unsigned syl = has_non_ascii ? 1 + (unsigned)(strlen(stem) / 4) : vmc_syllables_en(stem);
            int dw = digit_word(w);
            if (push(s, &cap, w, dw >= 0 ? digit_words[dw].syl : syl, in_bracket ? VMC_TOK_NAME : VMC_TOK_WORD,
                     in_bracket ? names : 0))
                goto oom;
            s->words++;
            continue;
        }
        if (c == '[') {
            in_bracket = 1;
            names++; /* every bracketed stretch is a mention of the name */
        } else if (c == ']') {
            in_bracket = 0;
        } else if (s->n && (c == ',' || c == ';' || c == ':' || c == '-')) {
            if (s->tok[s->n - 1].brk < 1) s->tok[s->n - 1].brk = 1;
        } else if (s->n && (c == '.' || c == '!' || c == '?' || c == '\n')) {
            s->tok[s->n - 1].brk = 2;
        }
        i++;
    }
    if (s->words == 0 && s->n == 0) {
        vmc_script_free(s);
        return VMCHECK_ESCRIPT;
    }
    /* numbers said as words: five or more digit words in a row */
    for (size_t i = 0; i < s->n;) {
        size_t j = i;
        while (j < s->n && s->tok[j].role == VMC_TOK_WORD && digit_word(s->tok[j].text) >= 0) j++;
        if (j - i >= 5) {
            numbers++;
            for (size_t k = i; k < j; k++) s->tok[k].role = VMC_TOK_NUMBER, s->tok[k].group = numbers;
        }
        i = j > i ? j : i + 1;
    }
    /* the name without brackets: after "it's", "this is", "my name is",
     * "i'm", "it is"; later mentions are the same phrases followed by the
     * same first word ("Again, it's James Walker") */
    for (size_t i = 0; i < s->n; i++)
        if (s->tok[i].role == VMC_TOK_NAME) s->has_name = 1;
    const char *first_word = NULL;
    for (size_t i = 0; !s->has_name && i + 1 < s->n; i++) {
        const char *a = s->tok[i].text, *b = s->tok[i + 1].text;
        size_t start = 0;
        if (!strcmp(a, "it's") || !strcmp(a, "i'm"))
            start = i + 1;
        else if ((!strcmp(a, "this") || !strcmp(a, "it")) && !strcmp(b, "is"))
            start = i + 2;
        else if (!strcmp(a, "name") && !strcmp(b, "is"))
            start = i + 2;
        else
            continue;
        if (start >= s->n || (s->tok[i].brk && start == i + 1)) continue;
        if (first_word && strcmp(s->tok[start].text, first_word)) continue;
        size_t k = start, taken = 0;
        while (k < s->n && taken < 4 && s->tok[k].role == VMC_TOK_WORD && !name_stop(s->tok[k].text)) {
            s->tok[k].role = VMC_TOK_NAME;
            s->tok[k].group = names + 1;
            taken++;
            if (s->tok[k++].brk) break;
        }
        if (taken) {
            names++;
            if (!first_word) first_word = s->tok[start].text;
        }
        i = k > i ? k - 1 : i;
    }
    s->has_name = names > 0;
    s->names = names;
    /* callers set their name and number off with small pauses: a weak break
     * before and after each mention, where the text has none */
    for (size_t i = 0; i < s->n; i++) {
        const VmcToken *t = &s->tok[i];
        if (t->role == VMC_TOK_WORD) continue;
        int first = i == 0 || s->tok[i - 1].role != t->role || s->tok[i - 1].group != t->group;
        int last = i + 1 == s->n || s->tok[i + 1].role != t->role || s->tok[i + 1].group != t->group;
        if (first && i > 0 && !s->tok[i - 1].brk) s->tok[i - 1].brk = 1;
        if (last && !s->tok[i].brk) s->tok[i].brk = 1;
    }
    s->numbers = numbers;
    for (size_t i = 0; i < s->n; i++) s->syllables += s->tok[i].syllables;
    /* each written digit is a spoken word */
    for (size_t i = 0; i < s->n; i++) s->words += is_digit((unsigned char)s->tok[i].text[0]);
    return VMCHECK_OK;
oom:
    vmc_script_free(s);
    return VMCHECK_ENOMEM;
}

void vmc_script_free(VmcScript *s)
{
    free(s->tok);
    memset(s, 0, sizeof(*s));
}

void vmc_script_number_text(const VmcScript *sc, unsigned group, char *w, size_t size)
{
    size_t wl = 0;
    if (!size) return;
    w[0] = 0;
    for (size_t t = 0; t < sc->n && wl + 2 < size; t++) {
        const VmcToken *tk = &sc->tok[t];
        if (tk->role != VMC_TOK_NUMBER || tk->group != group) continue;
        char c = tk->text[0] >= '0' && tk->text[0] <= '9' ? tk->text[0] : tk->text[0] == 'p' ? '+' : 0;
        if (!c) { /* a number said in words: not rewritten */
            w[0] = 0;
            return;
        }
        w[wl++] = c;
        int group_ends =
            tk->brk && t + 1 < sc->n && sc->tok[t + 1].role == VMC_TOK_NUMBER && sc->tok[t + 1].group == group;
        if (group_ends || c == '+') w[wl++] = ' ';
        w[wl] = 0;
    }
}
