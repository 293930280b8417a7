/* Finding the phone number in the audio when nobody said where it is
 * (segments with source "auto"), from the digit words the detector heard
 * (events/digits.h).
 *
 * A phone number is a run of at least VMC_NUMBER_MIN_DIGITS digit words
 * ("oh", "zero", "one" ... "nine"; "double seven" is two sevens) with no
 * other word between them: years ("nineteen ninety"), times ("ten
 * thirty") and "one or two" are not numbers.  It may start right after
 * "on" or "is" with no silence, be read in groups or rattled off, and be said
 * twice (two runs).  Its span runs from the first digit's onset to the last
 * digit's end, so its rate counts only the digits. */
#ifndef VMCHECK_NUMBER_H
#define VMCHECK_NUMBER_H

#include <stddef.h>

#include "events/activity.h"
#include "events/digits.h"
#include "vmcheck/vmcheck.h"

#define VMC_NUMBER_MIN_DIGITS 5
#define VMC_NUMBER_MAX_DIGITS 24 /* longer digit strings are kept to their first this many */
#define VMC_NUMBER_FEATURES 11   /* what the run classifier weighs (number.c) */
#define VMC_EDGE_FEATURES 15     /* what the edge trimmer weighs (number.c) */
#define VMC_EDGE_WORDS 3         /* words it may take off each end */

typedef struct VmcNumberParams {
    double max_gap_s;       /* a silence between two digits longer than this ends a number */
    double max_other_s;     /* other speech between two digits longer than this ends it ... */
    double other_sure;      /* ... and so does shorter other speech this sure (mean probability) */
    double heard_min_conf;  /* every digit this sure, or the string is not reported as heard */
    double min_conf;        /* a digit word less sure than this counts as other speech */
    double run_min_conf;    /* a number's digits at least this sure on average */
    double min_score;       /* the run classifier's log-odds a number needs */
    double trim_conf;       /* words at a number's ends less sure than this are left out of it */
    double trim_group_conf; /* ... and digit groups at its ends less sure than this on average */
    double edge_min_p;      /* an end word this likely outside the number is left out of it (> 1: never) */
} VmcNumberParams;

void vmc_number_params_default(VmcNumberParams *p);

/* The run classifier: log-odds that a run of digit words is a phone number
 * = bias + w . features (a logistic regression, fitted with the detector by
 * tools/digits/train.py on the tune split; in features/digitnet_data.c),
 * and the log-odds a number needs. */
typedef struct VmcNumberModel {
    double bias;
    double w[VMC_NUMBER_FEATURES];
    double min_score;
    double heard_min_conf;  /* every digit this sure, or the string is not reported as heard */
    double trim_conf;       /* words at a number's ends less sure than this are left out of it */
    double trim_group_conf; /* ... and digit groups at its ends less sure than this on average */
    double max_other_s;     /* other speech between two digits longer than this ends a number */
    /* The edge trimmer: log-odds that a word at a found number's end is a
     * neighbour's (a carrier word heard as a digit, "...do four one...")
     * = edge_bias + edge_w . features; words are taken off while it says
     * so with at least edge_min_p (a logistic regression fitted on the tune
     * split's found numbers by tools/digits/train.py) */
    double edge_bias;
    double edge_w[VMC_EDGE_FEATURES];
    double edge_min_p;
} VmcNumberModel;

extern const VmcNumberModel vmc_number_model;

/* One number found (or the digits heard inside a given span). */
typedef struct VmcNumber {
    double start_s, end_s;
    size_t digits;                         /* digits said ("double seven": 2) */
    size_t syllables;                      /* of the words said ("zero", "seven", "double": 2) */
    char heard[VMC_NUMBER_MAX_DIGITS + 1]; /* the digits, or "" when some digit was unsure */
    char said[VMC_NUMBER_MAX_DIGITS + 1];  /* the digits as recognised, sure or not */
    double min_conf;                       /* the least sure digit's confidence */
    double mean_conf;                      /* the digits' mean confidence */
    double feature[VMC_NUMBER_FEATURES];   /* the run as the classifier sees it */
    double score;                          /* its log-odds of being a phone number */
    /* the run before the edge trimmer (for tools/digits/train.py): its span,
     * and its first and last VMC_EDGE_WORDS words as the trimmer sees them
     * (rows 0-2 the first words, from the start in; rows 3-5 the last, from
     * the end in), each word's span in edge_start_s, edge_end_s */
    double run_start_s, run_end_s;
    size_t run_words;                  /* its words */
    double inner_start_s, inner_end_s; /* where it would start and end with every edge word cut */
    double edge_start_s[2 * VMC_EDGE_WORDS], edge_end_s[2 * VMC_EDGE_WORDS];
    double edge[2 * VMC_EDGE_WORDS][VMC_EDGE_FEATURES];
    int edges_cut; /* words the trimmer took off */
} VmcNumber;

/* Every number in the words, in time order: *out (malloc'd; free() it;
 * NULL when none).  0 or VMCHECK_ENOMEM. */
int vmc_number_find(VmcNumber **out, size_t *n_out, const VmcDigitWords *words, const VmcNumberParams *p);

/* The digit words inside [start_s, end_s) (a given or aligned number), as
 * one number: *out.  Returns 1 when there is a digit word inside, else 0. */
int vmc_number_inside(VmcNumber *out, const VmcDigitWords *words, double start_s, double end_s,
                      const VmcNumberParams *p);

#endif
