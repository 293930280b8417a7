#include "features/energy.h"

#include <math.h>
#include <string.h>

#include "vmcheck/vmcheck.h"

#define BLOCK_S 0.005

double vmc_db_from_power(double p)
{
    const double floor_p = 1e-12; /* 10^(VMCHECK_TRACK_FLOOR_DB/10) */
    return p > floor_p ? 10.0 * log10(p) : VMCHECK_TRACK_FLOOR_DB;
}

/* First sample of block k (k may be negative: before time 0, all zeros). */
static long long block_start(const VmcEnergyMeter *m, long long k)
{
    return (long long)floor((double)k * m->rate * BLOCK_S + 0.5);
}

void vmc_energy_init(VmcEnergyMeter *m, double rate_hz)
{
    memset(m, 0, sizeof(*m));
    m->rate = rate_hz;
    m->next_block = 0;
    m->block_end = block_start(m, 1);
}

/* Block k is complete: store it; if it closes a frame (k = 2i+1), emit frame i. */
static int complete(VmcEnergyMeter *m, VmcTrack *t, long long k, double sum)
{
    m->sums[k & 3] = sum;
    if ((k & 1) == 0) return 0;
    long long i = (k - 1) / 2;
    double acc = 0.0;
    for (long long b = 2 * i - 2; b <= 2 * i + 1; b++) acc += b >= 0 ? m->sums[b & 3] : 0.0;
    long long n = block_start(m, 2 * i + 2) - block_start(m, 2 * i - 2);
    m->frames++;
    return vmc_track_push(t, (float)vmc_db_from_power(n > 0 ? acc / (double)n : 0.0));
}

int vmc_energy_push(VmcEnergyMeter *m, VmcTrack *t, const float *x, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t room = (size_t)(m->block_end - m->pos);
        size_t k = n - i < room ? n - i : room;
        /* a block is 5 ms: float partial sums are exact enough; blocks add in double */
        float part = 0.0f;
        for (size_t j = 0; j < k; j++) part += x[i + j] * x[i + j];
        m->acc += (double)part;
        m->pos += (long long)k;
        i += k;
        if (m->pos == m->block_end) {
            if (complete(m, t, m->next_block, m->acc)) return -1;
            m->acc = 0.0;
            m->next_block++;
            m->block_end = block_start(m, m->next_block + 1);
        }
    }
    return 0;
}

int vmc_energy_flush(VmcEnergyMeter *m, VmcTrack *t, size_t n_frames)
{
    while (m->frames < n_frames) {
        if (complete(m, t, m->next_block, m->acc)) return -1;
        m->acc = 0.0;
        m->next_block++;
    }
    return 0;
}
