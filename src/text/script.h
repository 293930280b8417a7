/* The prepared script: words, their syllables, phrase breaks, and where the
 * name and the phone number(s) are.  Pure text; no audio here. */
#ifndef VMCHECK_SCRIPT_H
#define VMCHECK_SCRIPT_H

#include <stddef.h>

enum VmcTokenRole { VMC_TOK_WORD = 0, VMC_TOK_NAME = 1, VMC_TOK_NUMBER = 2 };

typedef struct VmcToken {
    char text[32];          /* lower case, letters/digits only (truncated) */
    unsigned syllables;     /* expected syllables (>= 1) */
    unsigned syllables_max; /* as many as it may be said with: a written 0 said "zero" */
    enum VmcTokenRole role;
    unsigned group; /* which number (1, 2, ...) or which mention of the name (1, 2, ...) */
    int brk;        /* a phrase break follows: 1 weak (comma, digit group), 2 strong (sentence) */
} VmcToken;

typedef struct VmcScript {
    VmcToken *tok;
    size_t n;
    size_t words;     /* spoken words, for wpm */
    size_t syllables; /* total expected */
    unsigned numbers; /* phone numbers found */
    unsigned names;   /* mentions of the caller's name */
    int has_name;
} VmcScript;

/* Parse UTF-8 text.  0, VMCHECK_ESCRIPT (not text: NUL bytes, invalid
 * UTF-8, no words at all) or VMCHECK_ENOMEM. */
int vmc_script_parse(VmcScript *s, const char *text, size_t len);
void vmc_script_free(VmcScript *s);

/* Number `group` (1, 2, ...) as the caller wrote it, digit groups
 * separated by spaces ("07700 900 123", "+ 44 7700 900123"); "" when it was
 * written in words or is not there. */
void vmc_script_number_text(const VmcScript *sc, unsigned group, char *out, size_t size);

/* English syllables of one lower-case word (>= 1): vowel groups with the
 * usual corrections (silent final e, -le, -ed, -es) and common exceptions. */
unsigned vmc_syllables_en(const char *word);

#endif
