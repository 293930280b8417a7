#include "features/pitch.h"

#include <math.h>
#include <string.h>

#include "common/common.h"

void vmc_pitch_params_default(VmcPitchParams *p, double floor_hz, double ceiling_hz)
{
    p->floor_hz = floor_hz;
    p->ceiling_hz = ceiling_hz;
    p->silence_threshold = 0.03;
    p->voicing_threshold = 0.45;
    p->octave_cost = 0.01;
    p->octave_jump_cost = 0.35;
    p->voiced_unvoiced_cost = 0.14;
}

int vmc_pitch_init(VmcPitch *p, const VmcPitchParams *par, const VmcSpectrum *s)
{
    memset(p, 0, sizeof(*p));
    p->par = *par;
    p->rate = s->rate_hz;
    p->lag_min = (size_t)floor(s->rate_hz / par->ceiling_hz);
    p->lag_max = (size_t)ceil(s->rate_hz / par->floor_hz);
    if (p->lag_min < 2) p->lag_min = 2;
    p->nfft = s->nfft;
    p->nbins = s->nbins;
    p->fft = s->fft;
    if (s->win + p->lag_max + 2 > s->nfft || p->lag_min >= p->lag_max) return VMCHECK_EINVAL;
    p->rw = vmc_calloc(p->lag_max + 2, sizeof(float));
    p->ac = vmc_calloc(s->nfft, sizeof(float));
    p->bins = vmc_calloc(s->nbins, sizeof(VmcCpx));
    if (!p->rw || !p->ac || !p->bins) {
        vmc_pitch_free(p);
        return VMCHECK_ENOMEM;
    }
    /* the window's own autocorrelation, computed directly (once) */
    double r0 = 0.0;
    for (size_t i = 0; i < s->win; i++) r0 += (double)s->window[i] * (double)s->window[i];
    for (size_t lag = 0; lag <= p->lag_max + 1; lag++) {
        double acc = 0.0;
        for (size_t i = 0; i + lag < s->win; i++) acc += (double)s->window[i] * (double)s->window[i + lag];
        p->rw[lag] = (float)(acc / r0);
    }
    return VMCHECK_OK;
}

void vmc_pitch_free(VmcPitch *p)
{
    free(p->rw);
    free(p->ac);
    free(p->bins);
    memset(p, 0, sizeof(*p));
}

/* Normalised, window-corrected autocorrelation at an integer lag. */
static inline double rx(const VmcPitch *p, size_t lag, double r0)
{
    return (double)p->ac[lag] / r0 / (double)p->rw[lag];
}

int vmc_pitch_process(VmcPitch *p, const VmcSpectrum *s, VmcTrack *t)
{
    float out[VMC_PITCH_STRIDE] = {0};
    out[1] = s->peak;
    for (size_t k = 0; k < p->nbins; k++) p->bins[k] = (VmcCpx){s->power[k], 0.0f};
    vmc_fft_inverse(p->fft, p->ac, p->bins);
    const double r0 = (double)p->ac[0];
    size_t n = 0;
    if (r0 > 1e-20) {
        const double min_r = 0.5 * p->par.voicing_threshold;
        float f[VMC_PITCH_CANDS], r[VMC_PITCH_CANDS];
        double prev = rx(p, p->lag_min - 1, r0), cur = rx(p, p->lag_min, r0);
        for (size_t lag = p->lag_min; lag <= p->lag_max; lag++) {
            double next = rx(p, lag + 1, r0);
            if (cur > min_r && cur > prev && cur >= next) {
                /* parabola through (lag-1, lag, lag+1) */
                double den = prev - 2.0 * cur + next;
                double d = den < 0.0 ? 0.5 * (prev - next) / den : 0.0;
                if (d > 0.5) d = 0.5;
                if (d < -0.5) d = -0.5;
                double peak = cur - 0.25 * (prev - next) * d;
                if (peak > 1.0) peak = 1.0 / peak; /* over 1 is window error at large lags, not extra periodicity */
                double freq = p->rate / ((double)lag + d);
                if (freq >= p->par.floor_hz && freq <= p->par.ceiling_hz) {
                    /* keep the strongest VMC_PITCH_CANDS */
                    size_t slot = n;
                    if (n == VMC_PITCH_CANDS) {
                        slot = 0;
                        for (size_t j = 1; j < n; j++)
                            if (r[j] < r[slot]) slot = j;
                        if ((double)r[slot] >= peak) slot = VMC_PITCH_CANDS;
                    } else {
                        n++;
                    }
                    if (slot < VMC_PITCH_CANDS) {
                        f[slot] = (float)freq;
                        r[slot] = (float)peak;
                    }
                }
            }
            prev = cur;
            cur = next;
        }
        for (size_t j = 0; j < n; j++) {
            out[2 + j] = f[j];
            out[2 + VMC_PITCH_CANDS + j] = r[j];
        }
    }
    out[0] = (float)n;
    return vmc_track_push_n(t, out, VMC_PITCH_STRIDE);
}

int vmc_pitch_path(float *f0, const float *cands, size_t n, const VmcPitchParams *par)
{
    if (n == 0) return VMCHECK_OK;
    enum { K = VMC_PITCH_CANDS + 1 }; /* state 0 is unvoiced */
    float *score = vmc_calloc(n * K, sizeof(float));
    unsigned char *from = vmc_calloc(n * K, 1);
    if (!score || !from) {
        free(score);
        free(from);
        return VMCHECK_ENOMEM;
    }
    double global_peak = 0.0;
    for (size_t i = 0; i < n; i++)
        if ((double)cands[i * VMC_PITCH_STRIDE + 1] > global_peak) global_peak = (double)cands[i * VMC_PITCH_STRIDE + 1];
    if (global_peak <= 0.0) global_peak = 1.0;
    const double vt = par->voicing_threshold;
    /* Praat's frame scores ("delta"): voiced = strength less the octave cost;
     * unvoiced = the voicing threshold, more for frames near silence. */
#define DELTA(i, j, out)                                                                                     \
    do {                                                                                                    \
        const float *c_ = cands + (i) * VMC_PITCH_STRIDE;                                                  \
        if ((j) == 0) {                                                                                     \
            double u_ = 2.0 - ((double)c_[1] / global_peak) / (par->silence_threshold / (1.0 + vt));        \
            (out) = vt + (u_ > 0.0 ? u_ : 0.0);                                                             \
        } else {                                                                                            \
            (out) = (double)c_[2 + VMC_PITCH_CANDS + (j) - 1] -                                             \
                    par->octave_cost * log2(par->ceiling_hz / (double)c_[2 + (j) - 1]);                     \
        }                                                                                                   \
    } while (0)
    for (size_t j = 0; j < K; j++) {
        double d = -1e30;
        if (j == 0 || j <= (size_t)cands[0]) DELTA(0, j, d);
        score[j] = (float)d;
    }
    for (size_t i = 1; i < n; i++) {
        const float *pc = cands + (i - 1) * VMC_PITCH_STRIDE;
        const float *cc = cands + i * VMC_PITCH_STRIDE;
        size_t np = (size_t)pc[0], nc = (size_t)cc[0];
        for (size_t j = 0; j <= nc; j++) {
            double d;
            DELTA(i, j, d);
            double best = -1e30;
            unsigned char arg = 0;
            for (size_t q = 0; q <= np; q++) {
                double cost;
                if ((q == 0) != (j == 0))
                    cost = par->voiced_unvoiced_cost;
                else if (j == 0)
                    cost = 0.0;
                else
                    cost = par->octave_jump_cost * fabs(log2((double)pc[2 + q - 1] / (double)cc[2 + j - 1]));
                double v = (double)score[(i - 1) * K + q] - cost;
                if (v > best) {
                    best = v;
                    arg = (unsigned char)q;
                }
            }
            score[i * K + j] = (float)(best + d);
            from[i * K + j] = arg;
        }
        for (size_t j = nc + 1; j < K; j++) score[i * K + j] = -1e30f;
    }
#undef DELTA
    size_t j = 0;
    for (size_t q = 1; q <= (size_t)cands[(n - 1) * VMC_PITCH_STRIDE]; q++)
        if (score[(n - 1) * K + q] > score[(n - 1) * K + j]) j = q;
    for (size_t i = n; i-- > 0;) {
        f0[i] = j == 0 ? 0.0f : cands[i * VMC_PITCH_STRIDE + 2 + j - 1];
        j = from[i * K + j];
    }
    free(score);
    free(from);
    return VMCHECK_OK;
}
