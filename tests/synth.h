/* Signal generators shared by all tests (STYLE L5, T2): every signal has a
 * known answer.  Random parts use a fixed, printed seed. */
#ifndef VMCHECK_SYNTH_H
#define VMCHECK_SYNTH_H

#include <stddef.h>
#include <stdint.h>

typedef struct SynthRng {
    uint64_t s;
} SynthRng;

void synth_seed(SynthRng *r, uint64_t seed);
double synth_uniform(SynthRng *r); /* [0, 1) */
double synth_gauss(SynthRng *r);   /* N(0, 1) */

/* A vowel-like harmonic tone: harmonics of f0 up to max_hz with 1/k
 * amplitudes, scaled so its RMS is rms.  phase carries over between calls. */
void synth_harmonic(float *x, size_t n, double rate, double f0, double max_hz, double rms, double *phase);

/* A piece of a test message: a tone burst (f0 > 0) or silence (f0 == 0). */
typedef struct SynthPiece {
    double dur_s;
    double f0_hz;
} SynthPiece;

/* Render pieces at rate into a malloc'd buffer (*n samples).  Bursts have
 * 5 ms raised-cosine ramps inside their span, harmonics up to max_hz, RMS
 * rms.  Returns NULL on OOM. */
float *synth_message(size_t *n, double rate, const SynthPiece *p, size_t np, double max_hz, double rms);

/* Add white Gaussian noise of the given RMS. */
void synth_add_noise(float *x, size_t n, double rms, SynthRng *rng);

/* Telephone channel: 300-3400 Hz band-pass (windowed-sinc FIR, zero phase)
 * then G.711 mu-law encode and decode. */
void synth_telephone(float *x, size_t n, double rate);

/* G.711 mu-law of one sample and back. */
uint8_t synth_mulaw_encode(float x);
float synth_mulaw_decode(uint8_t u);

#endif
