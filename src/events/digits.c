#include "events/digits.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "common/common.h"

/* Stretches of sound closer than this are decoded as one region (a pause
 * this long is silence for the decoder in any case). */
#define MERGE_GAP_S 0.30
/* Each region starts and ends this far into the silence around it. */
#define REGION_PAD_S 0.15
/* A region longer than this (a minute of speech without a pause) is cut,
 * which bounds the decoder's memory. */
#define MAX_REGION_STEPS 3000
/* Steps a thread evaluates at a time (each block recomputes the network's
 * reach, 15 steps, on either side: 512 spends about 5 % less on the
 * network than 128 did), and steps held at once. */
#define BLOCK_STEPS 512
#define GROUP_STEPS 8192
/* ... and a group spans at most this many steps from its first region's
 * start to its last one's end (sparse speech: the codes a streamed group
 * holds stay a few hundred kilobytes).  Groups only share out the work:
 * the words do not depend on them. */
#define GROUP_SPAN_STEPS (2 * GROUP_STEPS)

void vmc_digits_params_default(VmcDigitsParams *p) { *p = vmc_digits_tuned; }

unsigned vmc_digit_word_syllables(int word)
{
    return word == VMC_DW_ZERO || word == VMC_DW_SEVEN || word == VMC_DW_DOUBLE ? 2u : 1u;
}

char vmc_digit_word_char(int word)
{
    if (word == VMC_DW_OH || word == VMC_DW_ZERO) return '0';
    if (word >= VMC_DW_ONE && word <= VMC_DW_NINE) return (char)('1' + (word - VMC_DW_ONE));
    return 0;
}

void vmc_digits_free(VmcDigitWords *w)
{
    free(w->v);
    memset(w, 0, sizeof(*w));
}

typedef struct Region {
    size_t t0, t1; /* steps [t0, t1) */
    size_t off;    /* its first step's row in the group's output */
} Region;

typedef struct Group {
    const VmcDigitsInput *in;
    const VmcDnNorm *norm;
    VmcDnScratch *scratch; /* one per thread */
    const Region *reg;
    size_t n_reg;
    size_t n_blocks;
    size_t *block_reg, *block_t0; /* per block */
    float *out;
    atomic_size_t next;
} Group;

static void eval_blocks(void *ctx, unsigned w)
{
    Group *g = ctx;
    for (;;) {
        const size_t k = atomic_fetch_add(&g->next, 1);
        if (k >= g->n_blocks) return;
        const Region *r = &g->reg[g->block_reg[k]];
        const size_t t0 = g->block_t0[k], t1 = t0 + BLOCK_STEPS < r->t1 ? t0 + BLOCK_STEPS : r->t1;
        vmc_digitnet_eval(g->in->net, &g->scratch[w], g->out + (r->off + t0 - r->t0) * VMC_DN_CLASSES, g->norm, t0, t1);
    }
}

/* The decoder's states: silence; a chain of min_other_steps for other
 * speech; for each word a chain for its first half then one for its
 * second.  The last state of each chain loops. */
#define MAX_CHAIN 8 /* the longest chain graph_init allows */
#define MAX_STATES (1 + MAX_CHAIN + VMC_DW_COUNT * 2 * MAX_CHAIN)

typedef struct Graph {
    int n_states;
    unsigned char cls[MAX_STATES]; /* the class each state emits (state_class) */
    int no, nh;                    /* chain lengths */
    int oth0, word0;
    /* log cost of entering a unit (column) after one (row): silence, other
     * speech, a digit word */
    double enter[3][3];
} Graph;

enum { U_SIL = 0, U_OTHER = 1, U_WORD = 2 };

static int word_base(const Graph *G, int w) { return G->word0 + w * 2 * G->nh; }

/* The class a state emits. */
static int state_class(const Graph *G, int s)
{
    if (s == 0) return VMC_DC_SIL;
    if (s < G->word0) return VMC_DC_OTHER;
    const int w = (s - G->word0) / (2 * G->nh), k = (s - G->word0) % (2 * G->nh);
    return VMC_DC_WORDS + 2 * w + (k >= G->nh);
}

static int grow_words(VmcDigitWords *out, size_t *cap, const VmcDigitToken *t)
{
    if (vmc_grow((void **)&out->v, cap, out->n + 1, sizeof(VmcDigitToken))) return VMCHECK_ENOMEM;
    out->v[out->n++] = *t;
    return VMCHECK_OK;
}

/* Viterbi over one region's steps; its words are appended to out. */
static int decode(VmcDigitWords *out, size_t *cap, const Graph *G, const float *lp, size_t n_steps, size_t t_first,
                  const VmcDigitsInput *in, const VmcDigitsParams *p, unsigned char *psi, double *v, double *nv,
                  int *path)
{
    const int S = G->n_states;
    float emit_off[VMC_DN_CLASSES];
    for (int c = 0; c < VMC_DN_CLASSES; c++)
        emit_off[c] = in->net->log_prior ? (float)(p->prior_weight * (double)in->net->log_prior[c]) : 0.0f;
    const int last_oth = G->oth0 + G->no - 1;
    for (size_t t = 0; t < n_steps; t++) {
        const float *e = lp + t * VMC_DN_CLASSES;
        unsigned char *ps = psi + t * (size_t)S;
        /* each class's emission score once per step, for the states that emit it */
        double em[VMC_DN_CLASSES];
        for (int c = 0; c < VMC_DN_CLASSES; c++) em[c] = (double)(e[c] - emit_off[c]);
#define EM(s) (em[G->cls[s]])
        if (t == 0) {
            for (int s = 0; s < S; s++) nv[s] = -HUGE_VAL;
            nv[0] = EM(0);
            nv[G->oth0] = G->enter[U_SIL][U_OTHER] + EM(G->oth0);
            for (int w = 0; w < VMC_DW_COUNT; w++) nv[word_base(G, w)] = G->enter[U_SIL][U_WORD] + EM(word_base(G, w));
            memset(ps, 0, (size_t)S);
        } else {
            /* the best state each kind of unit may end in: silence, other
             * speech, a word */
            int arg[3] = {0, last_oth, word_base(G, 0) + 2 * G->nh - 1};
            double end[3] = {v[0], v[last_oth], v[arg[2]]};
            for (int w = 1; w < VMC_DW_COUNT; w++) {
                const int s = word_base(G, w) + 2 * G->nh - 1;
                if (v[s] > end[U_WORD]) end[U_WORD] = v[s], arg[U_WORD] = s;
            }
            /* entering unit u: from the best of the three, with the cost
             * of that succession */
            double ent[3];
            int src[3];
            for (int u = 0; u < 3; u++) {
                ent[u] = -HUGE_VAL;
                src[u] = 0;
                for (int q = 0; q < 3; q++) {
                    const double x = end[q] + G->enter[q][u];
                    if (x > ent[u]) ent[u] = x, src[u] = arg[q];
                }
            }
            nv[0] = ent[U_SIL] + EM(0);
            ps[0] = (unsigned char)src[U_SIL];
            nv[G->oth0] = ent[U_OTHER] + EM(G->oth0);
            ps[G->oth0] = (unsigned char)src[U_OTHER];
            for (int k = 1; k < G->no; k++) {
                const int s = G->oth0 + k;
                int from = s - 1;
                if (k == G->no - 1 && v[s] > v[from]) from = s;
                nv[s] = v[from] + EM(s);
                ps[s] = (unsigned char)from;
            }
            for (int w = 0; w < VMC_DW_COUNT; w++) {
                const int b = word_base(G, w);
                nv[b] = ent[U_WORD] + EM(b);
                ps[b] = (unsigned char)src[U_WORD];
                for (int k = 1; k < 2 * G->nh; k++) {
                    const int s = b + k;
                    int from = s - 1;
                    if ((k == G->nh - 1 || k == 2 * G->nh - 1) && v[s] > v[from]) from = s;
                    nv[s] = v[from] + EM(s);
                    ps[s] = (unsigned char)from;
                }
            }
        }
#undef EM
        double *tmp = v;
        v = nv;
        nv = tmp;
    }
    /* v holds the last step's scores: end in silence, other or a word's end */
    int s = 0;
    double best = v[0];
    if (v[last_oth] > best) best = v[last_oth], s = last_oth;
    for (int w = 0; w < VMC_DW_COUNT; w++) {
        const int q = word_base(G, w) + 2 * G->nh - 1;
        if (v[q] > best) best = v[q], s = q;
    }
    for (size_t t = n_steps; t-- > 0;) {
        path[t] = s;
        s = psi[t * (size_t)S + (size_t)s];
    }
    /* words: a word starts where its first state is entered, other speech
     * where its chain is; silence ends both */
    const double hop2 = 2.0 * in->hop_s;
    VmcDigitToken cur = {0};
    int open = 0;
    double conf = 0.0;
    size_t len = 0;
    for (size_t t = 0; t <= n_steps; t++) {
        const int st = t < n_steps ? path[t] : 0;
        const int entry = t == n_steps || st == 0 || st == G->oth0 ||
                          (st >= G->word0 && (st - G->word0) % (2 * G->nh) == 0) || (t > 0 && path[t - 1] == 0);
        if (open && entry) {
            cur.end_s = fmin(((double)(t_first + t) - 0.5) * hop2, (double)in->n_frames * in->hop_s);
            cur.conf = (float)(conf / (double)len);
            if (grow_words(out, cap, &cur)) return VMCHECK_ENOMEM;
            open = 0;
        }
        if (t == n_steps) break;
        if (st != 0 && !open) {
            open = 1;
            cur.word = st < G->word0 ? -1 : (st - G->word0) / (2 * G->nh);
            cur.start_s = fmax(0.0, ((double)(t_first + t) - 0.5) * hop2);
            conf = 0.0;
            len = 0;
        }
        if (open) {
            const float *e = lp + t * VMC_DN_CLASSES;
            conf += cur.word >= 0
                        ? exp((double)e[VMC_DC_WORDS + 2 * cur.word]) + exp((double)e[VMC_DC_WORDS + 2 * cur.word + 1])
                        : exp((double)e[VMC_DC_OTHER]);
            len++;
        }
    }
    return VMCHECK_OK;
}

static void graph_init(Graph *G, const VmcDigitsParams *p)
{
    G->no = p->min_other_steps > 2 ? p->min_other_steps : 2;
    G->nh = p->min_half_steps > 2 ? p->min_half_steps : 2;
    if (G->no > MAX_CHAIN) G->no = MAX_CHAIN;
    if (G->nh > MAX_CHAIN) G->nh = MAX_CHAIN;
    G->oth0 = 1;
    G->word0 = 1 + G->no;
    G->n_states = G->word0 + VMC_DW_COUNT * 2 * G->nh;
    for (int s = 0; s < G->n_states; s++) G->cls[s] = (unsigned char)state_class(G, s);
    /* silence costs nothing to enter; a word after a word and other speech
     * after a word have their own costs (digits come in runs) */
    for (int a = 0; a < 3; a++) {
        G->enter[a][U_SIL] = 0.0;
        G->enter[a][U_OTHER] = p->other_penalty;
        G->enter[a][U_WORD] = p->word_penalty;
    }
    G->enter[U_WORD][U_WORD] = p->word_after_word;
    G->enter[U_WORD][U_OTHER] = p->other_after_word;
}

/* The regions to decode: runs of active frames merged over short silences,
 * padded, cut at MAX_REGION_STEPS.  0 or VMCHECK_ENOMEM. */
static int find_regions(Region **out, size_t *n_out, const unsigned char *active, size_t n, double hop_s)
{
    const size_t merge = (size_t)floor(MERGE_GAP_S / hop_s + 0.5), pad = (size_t)floor(REGION_PAD_S / hop_s + 0.5);
    Region *reg = NULL;
    size_t n_reg = 0, cap = 0;
    for (size_t f = 0; f < n;) {
        if (!active[f]) {
            f++;
            continue;
        }
        size_t e = f;
        for (;;) {
            while (e < n && active[e]) e++;
            size_t g2 = e;
            while (g2 < n && !active[g2]) g2++;
            if (g2 < n && g2 - e < merge) {
                e = g2;
                continue;
            }
            break;
        }
        const size_t a = f > pad ? f - pad : 0, b = e + pad < n ? e + pad : n;
        size_t t0 = a / 2, t1 = (b + 1) / 2;
        if (n_reg && t0 < reg[n_reg - 1].t1) t0 = reg[n_reg - 1].t1; /* padding never overlaps */
        while (t0 < t1) {
            const size_t t_end = t1 - t0 > MAX_REGION_STEPS ? t0 + MAX_REGION_STEPS : t1;
            if (vmc_grow((void **)&reg, &cap, n_reg + 1, sizeof(Region))) {
                free(reg);
                return VMCHECK_ENOMEM;
            }
            reg[n_reg++] = (Region){t0, t_end, 0};
            t0 = t_end;
        }
        f = e;
    }
    *out = reg;
    *n_out = n_reg;
    return VMCHECK_OK;
}

/* Decoder scratch for regions of up to max_steps steps. */
typedef struct Search {
    unsigned char *psi;
    double *v, *nv;
    int *path;
} Search;

static int search_init(Search *S, const Graph *G, size_t max_steps)
{
    S->psi = vmc_calloc(max_steps, (size_t)G->n_states);
    S->v = vmc_calloc((size_t)G->n_states, sizeof(double));
    S->nv = vmc_calloc((size_t)G->n_states, sizeof(double));
    S->path = vmc_calloc(max_steps, sizeof(int));
    return S->psi && S->v && S->nv && S->path ? VMCHECK_OK : VMCHECK_ENOMEM;
}

/* What the regions need at most: the longest one's steps, and the steps
 * and network blocks of a group (regions are at most MAX_REGION_STEPS, a
 * group at most GROUP_STEPS plus one region), bounded by the recording's
 * own; a one-minute message needs a quarter of a long recording's room. */
typedef struct Room {
    size_t region_steps, group_steps, group_blocks;
} Room;

static Room room_for(const Region *reg, size_t n_reg)
{
    Room m = {0, 0, 0};
    for (size_t k = 0; k < n_reg; k++) {
        const size_t len = reg[k].t1 - reg[k].t0;
        if (len > m.region_steps) m.region_steps = len;
        m.group_steps += len;
        m.group_blocks += (len + BLOCK_STEPS - 1) / BLOCK_STEPS;
    }
    if (m.group_steps > GROUP_STEPS + MAX_REGION_STEPS) m.group_steps = GROUP_STEPS + MAX_REGION_STEPS;
    const size_t max_blocks = (GROUP_STEPS + MAX_REGION_STEPS) / BLOCK_STEPS + GROUP_STEPS;
    if (m.group_blocks > max_blocks) m.group_blocks = max_blocks;
    return m;
}

static void search_free(Search *S)
{
    free(S->psi);
    free(S->v);
    free(S->nv);
    free(S->path);
}

/* Whether there is anything to decode: speech, frames and a network. */
static int has_work(const VmcDigitsInput *in)
{
    const VmcActivity *act = in->act;
    return act && act->active && act->has_speech && in->n_frames >= 2 && in->net && in->net->n_layers;
}

int vmc_digits_decode(VmcDigitWords *out, const float *logp, size_t n_steps, const VmcDigitsInput *in,
                      const VmcDigitsParams *p)
{
    memset(out, 0, sizeof(*out));
    if (!has_work(in)) return VMCHECK_OK;
    Graph G;
    graph_init(&G, p);
    Search S = {0};
    Region *reg = NULL;
    size_t n_reg = 0, cap_out = 0;
    int r = find_regions(&reg, &n_reg, in->act->active, in->n_frames, in->hop_s);
    if (!r) r = search_init(&S, &G, room_for(reg, n_reg).region_steps);
    for (size_t k = 0; !r && k < n_reg; k++)
        if (reg[k].t1 <= n_steps)
            r = decode(out, &cap_out, &G, logp + reg[k].t0 * VMC_DN_CLASSES, reg[k].t1 - reg[k].t0, reg[k].t0, in, p,
                       S.psi, S.v, S.nv, S.path);
    if (r) vmc_digits_free(out);
    search_free(&S);
    free(reg);
    return r;
}

/* The detector: the regions, cut into groups of up to GROUP_STEPS steps
 * that are evaluated (in parallel) then decoded region by region, a group
 * at a time, in order; the codes a group reads are handed to it. */
typedef struct Detector {
    VmcDigitsInput in;
    VmcDigitsParams p;
    Graph G;
    VmcDnNorm norm;
    unsigned threads;
    Region *reg;
    size_t n_reg;
    size_t next, end;  /* the next group: regions [next, end) */
    size_t f_lo, f_hi; /* the frames whose codes it reads */
    Search *S;         /* n_S: one per thread that decodes */
    unsigned n_S;
    Group g;
    VmcDigitWords out;
    size_t cap_out;
    /* with threads, each region of a group is decoded into its own list
     * (regions [next, end) into rw[0 ...]), appended to out in order */
    VmcDigitWords *rw;
    size_t *rw_cap, n_rw;
    atomic_size_t rw_next;
    atomic_int rw_err;
} Detector;

/* Decodes region d->next + k into rw[k] for every k a thread claims. */
static void decode_regions(void *ctx, unsigned w)
{
    Detector *d = ctx;
    for (;;) {
        const size_t k = atomic_fetch_add(&d->rw_next, 1);
        if (k >= d->end - d->next) return;
        const Region *rg = &d->reg[d->next + k];
        const Search *S = &d->S[w];
        if (decode(&d->rw[k], &d->rw_cap[k], &d->G, d->g.out + rg->off * VMC_DN_CLASSES, rg->t1 - rg->t0, rg->t0,
                   &d->in, &d->p, S->psi, S->v, S->nv, S->path))
            atomic_store(&d->rw_err, 1);
    }
}

/* Regions [d->next, ...) up to GROUP_STEPS steps (at least one) as the
 * next group: its blocks, its regions' rows, its frames. */
static void plan_group(Detector *d)
{
    Group *g = &d->g;
    const size_t i = d->next;
    size_t j = i, steps = 0;
    g->n_blocks = 0;
    while (j < d->n_reg && (j == i || (steps + (d->reg[j].t1 - d->reg[j].t0) <= GROUP_STEPS &&
                                       d->reg[j].t1 - d->reg[i].t0 <= GROUP_SPAN_STEPS))) {
        d->reg[j].off = steps;
        for (size_t t0 = d->reg[j].t0; t0 < d->reg[j].t1; t0 += BLOCK_STEPS) {
            g->block_reg[g->n_blocks] = j;
            g->block_t0[g->n_blocks++] = t0;
        }
        steps += d->reg[j].t1 - d->reg[j].t0;
        j++;
    }
    d->end = j;
    d->f_lo = d->f_hi = 0;
    if (j > i) vmc_digitnet_frames(d->in.net, &d->norm, d->reg[i].t0, d->reg[j - 1].t1, &d->f_lo, &d->f_hi);
}

/* Plans the regions and the first group (has_work(in); norm: the whole
 * track's, codes set by run_group).  0 or VMCHECK_ENOMEM; det_free
 * either way. */
static int det_init(Detector *d, const VmcDigitsInput *in, const VmcDigitsParams *p, const VmcDnNorm *norm)
{
    memset(d, 0, sizeof(*d));
    d->in = *in;
    d->p = *p;
    d->norm = *norm;
    d->threads = in->threads ? in->threads : 1;
    graph_init(&d->G, p);
    d->g.in = &d->in;
    d->g.norm = &d->norm;
    int r = find_regions(&d->reg, &d->n_reg, in->act->active, in->n_frames, in->hop_s);
    if (r) return r;
    d->g.reg = d->reg;
    d->g.n_reg = d->n_reg;
    const Room room = room_for(d->reg, d->n_reg);
    /* a decoder's scratch per thread, and with threads a word list per
     * region of a group (a group has at most as many regions as blocks) */
    d->S = vmc_calloc(d->threads > 1 && in->pool ? d->threads : 1, sizeof(Search));
    if (!d->S) return VMCHECK_ENOMEM;
    d->n_S = d->threads > 1 && in->pool ? d->threads : 1;
    for (unsigned t = 0; !r && t < d->n_S; t++) r = search_init(&d->S[t], &d->G, room.region_steps);
    if (!r && d->n_S > 1) {
        d->n_rw = room.group_blocks < d->n_reg ? room.group_blocks : d->n_reg;
        d->rw = vmc_calloc(d->n_rw, sizeof(VmcDigitWords));
        d->rw_cap = vmc_calloc(d->n_rw, sizeof(size_t));
        if (!d->rw || !d->rw_cap) r = VMCHECK_ENOMEM;
    }
    d->g.scratch = vmc_calloc(d->threads, sizeof(VmcDnScratch));
    d->g.out = vmc_calloc(room.group_steps, VMC_DN_CLASSES * sizeof(float));
    d->g.block_reg = vmc_calloc(room.group_blocks, sizeof(size_t));
    d->g.block_t0 = vmc_calloc(room.group_blocks, sizeof(size_t));
    if (!r && (!d->g.scratch || !d->g.out || !d->g.block_reg || !d->g.block_t0)) r = VMCHECK_ENOMEM;
    for (unsigned t = 0; !r && t < d->threads; t++) r = vmc_dn_scratch_init(&d->g.scratch[t], in->net, BLOCK_STEPS);
    if (!r) plan_group(d);
    return r;
}

/* Evaluates and decodes the next group (d->next < d->n_reg) from the codes
 * of frames [base, ...) (at least up to d->f_hi), then plans the one after.
 * 0 or VMCHECK_ENOMEM. */
static int run_group(Detector *d, const unsigned char *codes, size_t base)
{
    d->norm.codes = codes;
    d->norm.base = base;
    atomic_init(&d->g.next, 0);
    if (d->in.pool && d->threads > 1) {
        vmc_pool_start(d->in.pool, eval_blocks, &d->g);
        eval_blocks(&d->g, 0);
        vmc_pool_wait(d->in.pool);
    } else {
        eval_blocks(&d->g, 0);
    }
    if (d->rw && d->end - d->next > 1) {
        /* the regions' Viterbi searches are independent: on the pool, each
         * into its own list, then appended in order (the same words) */
        atomic_store(&d->rw_next, 0);
        atomic_store(&d->rw_err, 0);
        vmc_pool_start(d->in.pool, decode_regions, d);
        decode_regions(d, 0);
        vmc_pool_wait(d->in.pool);
        int err = atomic_load(&d->rw_err);
        for (size_t k = 0; k < d->end - d->next; k++) {
            VmcDigitWords *w = &d->rw[k];
            if (!err && w->n) {
                err = vmc_grow((void **)&d->out.v, &d->cap_out, d->out.n + w->n, sizeof(VmcDigitToken));
                if (!err) memcpy(d->out.v + d->out.n, w->v, w->n * sizeof(VmcDigitToken));
                if (!err) d->out.n += w->n;
            }
            w->n = 0;
        }
        if (err) return VMCHECK_ENOMEM;
    } else {
        for (size_t k = d->next; k < d->end; k++) {
            const Region *rg = &d->reg[k];
            if (decode(&d->out, &d->cap_out, &d->G, d->g.out + rg->off * VMC_DN_CLASSES, rg->t1 - rg->t0, rg->t0,
                       &d->in, &d->p, d->S[0].psi, d->S[0].v, d->S[0].nv, d->S[0].path))
                return VMCHECK_ENOMEM;
        }
    }
    d->next = d->end;
    plan_group(d);
    return VMCHECK_OK;
}

static void det_free(Detector *d)
{
    for (unsigned t = 0; d->g.scratch && t < d->threads; t++) vmc_dn_scratch_free(&d->g.scratch[t]);
    free(d->g.scratch);
    free(d->g.out);
    free(d->g.block_reg);
    free(d->g.block_t0);
    free(d->reg);
    for (unsigned t = 0; t < d->n_S; t++) search_free(&d->S[t]);
    free(d->S);
    for (size_t k = 0; d->rw && k < d->n_rw; k++) vmc_digits_free(&d->rw[k]);
    free(d->rw);
    free(d->rw_cap);
    vmc_digits_free(&d->out);
    memset(d, 0, sizeof(*d));
}

int vmc_digits_detect(VmcDigitWords *out, const VmcDigitsInput *in, const VmcDigitsParams *p)
{
    memset(out, 0, sizeof(*out));
    if (!in->mel || !has_work(in)) return VMCHECK_OK;
    VmcDnNorm norm;
    vmc_digitnet_norm(&norm, in->mel, in->act->active, in->n_frames, in->hop_s);
    Detector d;
    int r = det_init(&d, in, p, &norm);
    while (!r && d.next < d.n_reg) r = run_group(&d, in->mel, 0);
    if (!r) {
        *out = d.out;
        memset(&d.out, 0, sizeof(d.out));
    }
    det_free(&d);
    return r;
}

struct VmcDigitsStream {
    Detector d;         /* d.n_reg 0: nothing to decode */
    int err;            /* the first error, returned from then on */
    size_t pushed;      /* frames received (at most n_frames) */
    unsigned char *buf; /* the codes of frames [base, pushed) */
    size_t base, cap, held_max;
};

int vmc_digits_stream_create(VmcDigitsStream **out, const VmcDigitsInput *in, const VmcDigitsParams *p,
                             const unsigned long long sum_speech[VMC_MEL_BANDS], size_t n_speech,
                             const unsigned long long sum_all[VMC_MEL_BANDS])
{
    VmcDigitsStream *s = vmc_calloc(1, sizeof(*s));
    *out = NULL;
    if (!s) return VMCHECK_ENOMEM;
    if (has_work(in)) {
        VmcDnNorm norm;
        vmc_digitnet_norm_sums(&norm, sum_speech, n_speech, sum_all, in->act->active, in->n_frames, in->hop_s);
        const int r = det_init(&s->d, in, p, &norm);
        if (r) {
            vmc_digits_stream_destroy(&s);
            return r;
        }
        s->d.in.mel = NULL;
    }
    *out = s;
    return VMCHECK_OK;
}

/* Runs every group whose frames are all in, dropping the codes of frames
 * before the next group's. */
static int run_ready(VmcDigitsStream *s)
{
    Detector *d = &s->d;
    while (d->next < d->n_reg && s->pushed >= d->f_hi) {
        const int r = run_group(d, s->buf, s->base);
        if (r) return r;
        const size_t lo = d->next < d->n_reg && d->f_lo < s->pushed ? d->f_lo : s->pushed;
        if (s->pushed > lo) memmove(s->buf, s->buf + (lo - s->base) * VMC_MEL_BANDS, (s->pushed - lo) * VMC_MEL_BANDS);
        s->base = lo;
    }
    return VMCHECK_OK;
}

int vmc_digits_stream_push(VmcDigitsStream *s, const unsigned char *codes, size_t k)
{
    Detector *d = &s->d;
    while (!s->err && k > 0 && d->next < d->n_reg && s->pushed < d->in.n_frames) {
        size_t m = k < d->in.n_frames - s->pushed ? k : d->in.n_frames - s->pushed;
        if (s->pushed < d->f_lo) { /* before the next group's frames: not kept */
            if (m > d->f_lo - s->pushed) m = d->f_lo - s->pushed;
            s->pushed += m;
            s->base = s->pushed;
        } else { /* up to the next group's last frame, then that group runs */
            if (m > d->f_hi - s->pushed) m = d->f_hi - s->pushed;
            const size_t held = s->pushed + m - s->base;
            if (vmc_grow((void **)&s->buf, &s->cap, held * VMC_MEL_BANDS, 1)) {
                s->err = VMCHECK_ENOMEM;
                break;
            }
            memcpy(s->buf + (s->pushed - s->base) * VMC_MEL_BANDS, codes, m * VMC_MEL_BANDS);
            s->pushed += m;
            if (held > s->held_max) s->held_max = held;
            s->err = run_ready(s);
        }
        codes += m * VMC_MEL_BANDS;
        k -= m;
    }
    return s->err;
}

int vmc_digits_stream_finish(VmcDigitsStream *s, VmcDigitWords *out)
{
    memset(out, 0, sizeof(*out));
    if (!s->err) s->err = run_ready(s);
    if (s->err) return s->err;
    if (s->d.next < s->d.n_reg) return VMCHECK_EINVAL; /* frames missing */
    *out = s->d.out;
    memset(&s->d.out, 0, sizeof(s->d.out));
    return VMCHECK_OK;
}

size_t vmc_digits_stream_held_max(const VmcDigitsStream *s) { return s->held_max; }

void vmc_digits_stream_destroy(VmcDigitsStream **s)
{
    if (!*s) return;
    det_free(&(*s)->d);
    free((*s)->buf);
    free(*s);
    *s = NULL;
}
