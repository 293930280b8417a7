/* The digit-word detector's network: a small time-delay network (TDNN,
 * Waibel et al. 1989; dilated as in Peddinti et al. 2015) over the mel band
 * levels, giving for every 20 ms step the log-probability of each class:
 * silence, other speech, and the first or second half of each digit word
 * ("oh", "zero", "one" ... "nine", "double").  Plain C on float arrays, as
 * xiph/rnnoise's rnn.c; the weights are generated (digitnet_data.c, by
 * tools/digits/train.py) and nobody edits them by hand.
 *
 * Layer 0 reads `kernel` frames around frame 2t (stride 2: the network runs
 * at 20 ms); layer l > 0 reads `kernel` steps of layer l-1 spaced `dilation`
 * apart, centred on step t.  Hidden layers use ReLU; the last is linear,
 * then log-softmax.  Frames before 0 or after the end read the pad vector
 * (what silence looks like), so a step's output depends only on the input
 * frames, never on how the steps are split into blocks or threads. */
#ifndef VMCHECK_DIGITNET_H
#define VMCHECK_DIGITNET_H

#include <stddef.h>

#include "features/melbands.h"

/* Inputs per frame: the mel band levels, each less its band's mean over
 * the speech within VMC_DN_NORM_S either side (cepstral mean normalisation
 * in a sliding window, as streaming recognisers do), which takes out the
 * level of the recording and the colour of its microphone or line, and
 * follows them when they change (a number said turned away from the phone,
 * a message spliced from two recordings); with less than VMC_DN_NORM_MIN_S
 * of speech in the window, the recording's overall mean makes up the rest.
 * In units of VMC_DN_IN_SCALE_DB, clamped to [VMC_DN_IN_LO, VMC_DN_IN_HI]:
 * 50 dB under the mean, silence and a quiet noise floor look the same.
 * Outside the recording every input is VMC_DN_IN_LO.  The window sums are
 * sums of integer band codes, exact whatever frame they start from, so an
 * input never depends on the block it is computed in. */
#define VMC_DN_INPUTS VMC_MEL_BANDS
#define VMC_DN_IN_SCALE_DB 10.0f
#define VMC_DN_IN_LO (-5.0f)
#define VMC_DN_IN_HI 3.0f
#define VMC_DN_NORM_S 1.5
#define VMC_DN_NORM_MIN_S 1.0
#define VMC_DN_MAX_LAYERS 8
#define VMC_DN_MAX_WIDTH 128 /* largest layer width the scratch is sized for */
#define VMC_DN_MAX_KERNEL 16 /* most taps a layer may have */

/* The classes, in the order of the network's outputs. */
enum VmcDigitClass {
    VMC_DC_SIL = 0,
    VMC_DC_OTHER = 1,
    /* then word w's halves: 2 + 2w (first) and 3 + 2w (second) */
    VMC_DC_WORDS = 2
};
/* The words: digits 0-9 as said, "oh" apart from "zero", and "double". */
enum VmcDigitWord {
    VMC_DW_OH = 0,
    VMC_DW_ZERO,
    VMC_DW_ONE,
    VMC_DW_TWO,
    VMC_DW_THREE,
    VMC_DW_FOUR,
    VMC_DW_FIVE,
    VMC_DW_SIX,
    VMC_DW_SEVEN,
    VMC_DW_EIGHT,
    VMC_DW_NINE,
    VMC_DW_DOUBLE,
    VMC_DW_COUNT
};
#define VMC_DN_CLASSES (VMC_DC_WORDS + 2 * VMC_DW_COUNT)

typedef struct VmcDnLayer {
    int inputs, outputs, kernel, dilation;
    const float *w; /* [kernel][inputs][outputs] */
    const float *b; /* [outputs] */
} VmcDnLayer;

typedef struct VmcDigitNet {
    int n_layers;
    VmcDnLayer layer[VMC_DN_MAX_LAYERS];
    const float *log_prior; /* [VMC_DN_CLASSES] log class frequencies in training */
} VmcDigitNet;

/* The trained network (digitnet_data.c). */
extern const VmcDigitNet vmc_digitnet_model;

/* How far a step's output reaches into the input: steps [t - reach, t +
 * reach] of layer 0's output and so frames within 2 * reach + layer 0's
 * half kernel of frame 2t. */
size_t vmc_digitnet_reach(const VmcDigitNet *net);

/* Scratch for one thread evaluating blocks of at most max_steps steps. */
typedef struct VmcDnScratch {
    size_t max_steps, reach;
    float *buf[2];            /* (max_steps + 2 reach) * VMC_DN_MAX_WIDTH each */
    float *in;                /* the input rows of a block's frames */
    unsigned long long *mask; /* which inputs of each of a layer's input rows are not zero */
    int path; /* 0: the widest kernel the CPU has; else at most VMC_DN_PATH_* (tests compare the paths) */
} VmcDnScratch;

/* The kernels, narrowest first: VmcDnScratch.path caps the widest one used
 * (each path gives the same bits; a path the build or CPU lacks falls back
 * to the next narrower one). */
enum VmcDnPath {
    VMC_DN_PATH_BEST = 0,
    VMC_DN_PATH_C,      /* plain C, one output at a time */
    VMC_DN_PATH_SSE2,   /* 4 x 8 tiles in SSE2 (x86-64), C for the rest */
    VMC_DN_PATH_AVX,    /* 4 x 16 tiles in AVX, then SSE2 and C */
    VMC_DN_PATH_AVX512, /* 4 x 64 tiles and a masked rest in AVX-512F */
};

/* The widest kernel path this build and this CPU have: a path above it
 * falls back to it, so only paths up to it are worth comparing. */
int vmc_dn_path_best(void);

/* What the inputs are normalised against (vmc_digitnet_norm). */
typedef struct VmcDnNorm {
    const unsigned char *codes;  /* band codes from frame base on: frame f's at codes[(f - base) * VMC_MEL_BANDS] */
    size_t base;                 /* 0 unless the caller holds only the codes of later frames (vmc_digitnet_frames) */
    const unsigned char *speech; /* 1 per frame of speech, indexed from frame 0; NULL: every frame */
    size_t n_frames;
    size_t half, min_frames;      /* the window's half width, and the speech it needs */
    double global[VMC_MEL_BANDS]; /* each band's mean code over all the speech */
    int fixed;                    /* 1: every frame against global (the tests' fixed input) */
} VmcDnNorm;

int vmc_dn_scratch_init(VmcDnScratch *s, const VmcDigitNet *net, size_t max_steps);
void vmc_dn_scratch_free(VmcDnScratch *s);

/* Log-probabilities of the classes for steps [t0, t1) (t1 - t0 <=
 * max_steps): out[(t - t0) * VMC_DN_CLASSES + c]. */
void vmc_digitnet_eval(const VmcDigitNet *net, VmcDnScratch *s, float *out, const VmcDnNorm *norm, size_t t0,
                       size_t t1);
/* The frames [*f_lo, *f_hi) whose codes vmc_digitnet_eval(net, s, out,
 * norm, t0, t1) may read: the network's receptive field and the
 * normalisation window either side, within [0, norm->n_frames) (of these,
 * only the frames norm->speech marks and those of the field itself are
 * read).  Empty (0, 0) when it reads none.  Any t1 - t0. */
void vmc_digitnet_frames(const VmcDigitNet *net, const VmcDnNorm *norm, size_t t0, size_t t1, size_t *f_lo,
                         size_t *f_hi);

/* The normalisation of the band codes of n_frames frames (VMC_MEL_BANDS
 * each) against the speech frames marked in `speech` (all frames when none
 * is; speech may be NULL), at hop_s.  Keeps pointers to both (base 0). */
void vmc_digitnet_norm(VmcDnNorm *nm, const unsigned char *codes, const unsigned char *speech, size_t n_frames,
                       double hop_s);
/* Adds the codes of frames [f0, f0 + k) (codes: k * VMC_MEL_BANDS) to each
 * band's sum over the frames speech marks (and to *n_speech, their count;
 * speech indexed from frame 0, may be NULL: none) and to its sum over all
 * frames: the sums vmc_digitnet_norm_sums takes, a batch at a time.  Start
 * from zeroed sums. */
void vmc_digitnet_norm_add(unsigned long long sum_speech[VMC_MEL_BANDS], size_t *n_speech,
                           unsigned long long sum_all[VMC_MEL_BANDS], const unsigned char *codes,
                           const unsigned char *speech, size_t f0, size_t k);
/* vmc_digitnet_norm's result from those sums over all n_frames frames
 * (sum_speech may be NULL when n_speech is 0, sum_all when it is not);
 * codes NULL, base 0: the caller points them at the codes it holds. */
void vmc_digitnet_norm_sums(VmcDnNorm *nm, const unsigned long long sum_speech[VMC_MEL_BANDS], size_t n_speech,
                            const unsigned long long sum_all[VMC_MEL_BANDS], const unsigned char *speech,
                            size_t n_frames, double hop_s);

/* The network's inputs of frames [f_lo, f_hi) (any, also outside the
 * recording) into x, (f_hi - f_lo) * VMC_DN_INPUTS. */
void vmc_digitnet_inputs(const VmcDnNorm *nm, float *x, long f_lo, long f_hi);

#endif
