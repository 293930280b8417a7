#include "synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void synth_seed(SynthRng *r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ull; }

double synth_uniform(SynthRng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return (double)((r->s * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

double synth_gauss(SynthRng *r)
{
    double u = synth_uniform(r), v = synth_uniform(r);
    if (u < 1e-300) u = 1e-300;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

void synth_harmonic(float *x, size_t n, double rate, double f0, double max_hz, double rms, double *phase)
{
    int kmax = (int)floor(max_hz / f0);
    if (kmax < 1) kmax = 1;
    double pw = 0.0;
    for (int k = 1; k <= kmax; k++) pw += 0.5 / ((double)k * k);
    double g = rms / sqrt(pw);
    double ph = phase ? *phase : 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = 1; k <= kmax; k++) s += sin((double)k * ph) / k;
        x[i] = (float)(g * s);
        ph += 2.0 * M_PI * f0 / rate;
        if (ph > 2.0 * M_PI) ph -= 2.0 * M_PI;
    }
    if (phase) *phase = ph;
}

float *synth_message(size_t *n, double rate, const SynthPiece *p, size_t np, double max_hz, double rms)
{
    size_t total = 0;
    for (size_t i = 0; i < np; i++) total += (size_t)llround(p[i].dur_s * rate);
    float *x = calloc(total ? total : 1, sizeof(float));
    if (!x) return NULL;
    size_t pos = 0;
    const size_t ramp = (size_t)llround(0.005 * rate);
    for (size_t i = 0; i < np; i++) {
        size_t len = (size_t)llround(p[i].dur_s * rate);
        if (p[i].f0_hz > 0.0) {
            double ph = 0.0;
            synth_harmonic(x + pos, len, rate, p[i].f0_hz, max_hz, rms, &ph);
            for (size_t j = 0; j < ramp && j < len; j++) {
                float w = (float)(0.5 - 0.5 * cos(M_PI * (double)j / (double)ramp));
                x[pos + j] *= w;
                x[pos + len - 1 - j] *= w;
            }
        }
        pos += len;
    }
    *n = total;
    return x;
}

void synth_add_noise(float *x, size_t n, double rms, SynthRng *rng)
{
    for (size_t i = 0; i < n; i++) x[i] += (float)(rms * synth_gauss(rng));
}

void synth_telephone(float *x, size_t n, double rate)
{
    const int half = 128;
    double h[2 * 128 + 1];
    const double f1 = 300.0 / rate, f2 = 3400.0 / rate;
    for (int j = -half; j <= half; j++) {
        double t = j;
        double lp2 = j == 0 ? 2 * f2 : sin(2 * M_PI * f2 * t) / (M_PI * t);
        double lp1 = j == 0 ? 2 * f1 : sin(2 * M_PI * f1 * t) / (M_PI * t);
        double w = 0.42 + 0.5 * cos(M_PI * t / (half + 1)) + 0.08 * cos(2 * M_PI * t / (half + 1));
        h[j + half] = (lp2 - lp1) * w;
    }
    float *y = calloc(n ? n : 1, sizeof(float));
    if (!y) abort();
    for (size_t i = 0; i < n; i++) {
        double acc = 0.0;
        for (int j = -half; j <= half; j++) {
            long k = (long)i + j;
            if (k >= 0 && (size_t)k < n) acc += h[j + half] * (double)x[k];
        }
        y[i] = (float)acc;
    }
    for (size_t i = 0; i < n; i++) x[i] = synth_mulaw_decode(synth_mulaw_encode(y[i]));
    free(y);
}

/* G.711 mu-law, the classic segment encoder (bias 0x84, clip 32635). */
uint8_t synth_mulaw_encode(float xf)
{
    int x = (int)lrintf(xf * 32768.0f);
    if (x > 32767) x = 32767;
    if (x < -32768) x = -32768;
    int sign = x < 0 ? 0x80 : 0;
    if (x < 0) x = -x;
    if (x > 32635) x = 32635;
    x += 0x84;
    int exp = 7;
    for (int mask = 0x4000; (x & mask) == 0 && exp > 0; mask >>= 1) exp--;
    int mant = (x >> (exp + 3)) & 0x0F;
    return (uint8_t) ~(sign | (exp << 4) | mant);
}

float synth_mulaw_decode(uint8_t u)
{
    u = (uint8_t)~u;
    int sign = u & 0x80, exp = (u >> 4) & 7, mant = u & 0x0F;
    int x = ((mant << 3) + 0x84) << exp;
    x -= 0x84;
    return (float)(sign ? -x : x) / 32768.0f;
}
