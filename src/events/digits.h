/* Digit words in the audio: the detector's network (features/digitnet.h)
 * run over the stretches of the recording that hold sound, and its
 * per-step class probabilities decoded into words by Viterbi search over a
 * small word loop (silence, other speech, and the twelve words "oh",
 * "zero", "one" ... "nine", "double", each a first half then a second half
 * with a minimum duration each, as a hybrid HMM/network recogniser does,
 * Bourlard & Morgan 1994).  The halves let "seven seven" come out as two
 * words, not one long one.
 *
 * Results do not depend on the number of threads: every step's output is a
 * function of the input frames alone (digitnet.h), and the search is
 * serial. */
#ifndef VMCHECK_DIGITS_H
#define VMCHECK_DIGITS_H

#include <stddef.h>

#include "common/pool.h"
#include "events/activity.h"
#include "features/digitnet.h"

typedef struct VmcDigitToken {
    int word;              /* enum VmcDigitWord, or -1: other speech */
    double start_s, end_s; /* the word's edges */
    float conf;            /* mean probability of this word (or of other speech) over its steps (0-1) */
} VmcDigitToken;

typedef struct VmcDigitWords {
    VmcDigitToken *v; /* words in time order; silences are not listed */
    size_t n;
} VmcDigitWords;

typedef struct VmcDigitsInput {
    const VmcDigitNet *net;
    const unsigned char *mel; /* band codes, n_frames * VMC_MEL_BANDS */
    const VmcActivity *act;
    size_t n_frames;
    double hop_s;
    VmcPool *pool;    /* may be NULL */
    unsigned threads; /* the pool's threads plus the caller (1 without a pool) */
} VmcDigitsInput;

/* Decoder settings (tune split of tools/bench-digits). */
typedef struct VmcDigitsParams {
    double word_penalty;     /* log cost of starting a digit word after silence or other speech */
    double other_penalty;    /* ... of starting other speech after silence or other speech */
    double word_after_word;  /* ... of a digit word right after a digit word */
    double other_after_word; /* ... of other speech right after a digit word */
    double prior_weight;     /* emissions are log p(c|x) - prior_weight * log p(c) */
    int min_half_steps;      /* each half of a digit word lasts at least this many 20 ms steps */
    int min_other_steps;
} VmcDigitsParams;

/* The settings chosen with the network (tools/digits/train.py, on the tune
 * split; in features/digitnet_data.c). */
extern const VmcDigitsParams vmc_digits_tuned;

void vmc_digits_params_default(VmcDigitsParams *p);

/* Find the digit words.  0 or VMCHECK_ENOMEM. */
int vmc_digits_detect(VmcDigitWords *out, const VmcDigitsInput *in, const VmcDigitsParams *p);
void vmc_digits_free(VmcDigitWords *w);
/* The same words from the network's outputs over the whole recording
 * (logp: n_steps * VMC_DN_CLASSES, as a tap records them), decoded with
 * other settings: for tuning the decoder without running the network again.
 * 0 or VMCHECK_ENOMEM. */
int vmc_digits_decode(VmcDigitWords *out, const float *logp, size_t n_steps, const VmcDigitsInput *in,
                      const VmcDigitsParams *p);

/* The same words with the codes arriving in frame order, a batch at a
 * time, holding only those of the group of regions decoded next (the
 * regions, groups and blocks are vmc_digits_detect's, a group runs as soon
 * as the last frame it reads is in).  The stream keeps *in by value (mel is
 * not read, may be NULL); in->act, in->net and in->pool must outlive it.
 * The norm's sums are those vmc_digitnet_norm_sums takes, over all
 * in->n_frames frames against in->act->active (vmc_digitnet_norm_add).
 * Without speech (as vmc_digits_detect) there is nothing to decode: create
 * succeeds, finish gives no words.  0 or VMCHECK_ENOMEM. */
typedef struct VmcDigitsStream VmcDigitsStream;
int vmc_digits_stream_create(VmcDigitsStream **out, const VmcDigitsInput *in, const VmcDigitsParams *p,
                             const unsigned long long sum_speech[VMC_MEL_BANDS], size_t n_speech,
                             const unsigned long long sum_all[VMC_MEL_BANDS]);
/* The next k frames' codes (k * VMC_MEL_BANDS bytes), in frame order from
 * frame 0; evaluates and decodes every group whose frames are all in
 * (frames beyond in->n_frames are ignored).  0 or VMCHECK_ENOMEM; after an
 * error every call returns it. */
int vmc_digits_stream_push(VmcDigitsStream *s, const unsigned char *codes, size_t k);
/* Once all in->n_frames frames were pushed: the words, as vmc_digits_detect
 * gives them (the caller frees them).  0, VMCHECK_ENOMEM, or VMCHECK_EINVAL
 * when frames a group reads were never pushed. */
int vmc_digits_stream_finish(VmcDigitsStream *s, VmcDigitWords *out);
/* The most frames' codes held at once so far. */
size_t vmc_digits_stream_held_max(const VmcDigitsStream *s);
void vmc_digits_stream_destroy(VmcDigitsStream **s);

/* The syllables of a word as said ("zero", "seven", "double": 2). */
unsigned vmc_digit_word_syllables(int word);
/* The digit a word stands for ('0'-'9'), or 0 for "double" and other speech. */
char vmc_digit_word_char(int word);

#endif
