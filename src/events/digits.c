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
typedef struct Graph {
    int n_states;
    int no, nh; /* chain lengths */
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
#define EM(s) ((double)(e[state_class(G, s)] - emit_off[state_class(G, s)]))
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
    if (G->no > 8) G->no = 8;
    if (G->nh > 8) G->nh = 8;
    G->oth0 = 1;
    G->word0 = 1 + G->no;
    G->n_states = G->word0 + VMC_DW_COUNT * 2 * G->nh;
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

int vmc_digits_decode(VmcDigitWords *out, const float *logp, size_t n_steps, const VmcDigitsInput *in,
                      const VmcDigitsParams *p)
{
    memset(out, 0, sizeof(*out));
    const VmcActivity *act = in->act;
    if (!act || !act->active || !act->has_speech || in->n_frames < 2 || !in->net || !in->net->n_layers)
        return VMCHECK_OK;
    Graph G;
    graph_init(&G, p);
    Search S = {0};
    Region *reg = NULL;
    size_t n_reg = 0, cap_out = 0;
    int r = find_regions(&reg, &n_reg, act->active, in->n_frames, in->hop_s);
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

int vmc_digits_detect(VmcDigitWords *out, const VmcDigitsInput *in, const VmcDigitsParams *p)
{
    memset(out, 0, sizeof(*out));
    const VmcActivity *act = in->act;
    if (!act || !act->active || !act->has_speech || !in->mel || in->n_frames < 2 || !in->net || !in->net->n_layers)
        return VMCHECK_OK;
    const size_t n = in->n_frames;
    Graph G;
    graph_init(&G, p);
    VmcDnNorm norm;
    vmc_digitnet_norm(&norm, in->mel, act->active, n, in->hop_s);

    const unsigned threads = in->threads ? in->threads : 1;
    Region *reg = NULL;
    size_t n_reg = 0, cap_out = 0;
    Group g = {0};
    g.in = in;
    g.norm = &norm;
    Search S = {0};
    int r = find_regions(&reg, &n_reg, act->active, n, in->hop_s);
    if (r) goto done;
    const Room room = room_for(reg, n_reg);
    r = search_init(&S, &G, room.region_steps);
    g.scratch = vmc_calloc(threads, sizeof(VmcDnScratch));
    g.out = vmc_calloc(room.group_steps, VMC_DN_CLASSES * sizeof(float));
    g.block_reg = vmc_calloc(room.group_blocks, sizeof(size_t));
    g.block_t0 = vmc_calloc(room.group_blocks, sizeof(size_t));
    if (!r && (!g.scratch || !g.out || !g.block_reg || !g.block_t0)) r = VMCHECK_ENOMEM;
    for (unsigned t = 0; !r && t < threads; t++) r = vmc_dn_scratch_init(&g.scratch[t], in->net, BLOCK_STEPS);
    if (r) goto done;

    /* groups of regions of up to GROUP_STEPS steps: evaluate in parallel,
     * then decode each region */
    r = VMCHECK_ENOMEM;
    for (size_t i = 0; i < n_reg;) {
        size_t j = i, steps = 0;
        g.n_blocks = 0;
        while (j < n_reg && (j == i || steps + (reg[j].t1 - reg[j].t0) <= GROUP_STEPS)) {
            reg[j].off = steps;
            for (size_t t0 = reg[j].t0; t0 < reg[j].t1; t0 += BLOCK_STEPS) {
                g.block_reg[g.n_blocks] = j;
                g.block_t0[g.n_blocks++] = t0;
            }
            steps += reg[j].t1 - reg[j].t0;
            j++;
        }
        g.reg = reg;
        g.n_reg = n_reg;
        atomic_init(&g.next, 0);
        if (in->pool && threads > 1) {
            vmc_pool_start(in->pool, eval_blocks, &g);
            eval_blocks(&g, 0);
            vmc_pool_wait(in->pool);
        } else {
            eval_blocks(&g, 0);
        }
        for (size_t k = i; k < j; k++)
            if (decode(out, &cap_out, &G, g.out + reg[k].off * VMC_DN_CLASSES, reg[k].t1 - reg[k].t0, reg[k].t0, in, p,
                       S.psi, S.v, S.nv, S.path))
                goto done;
        i = j;
    }
    r = VMCHECK_OK;
done:
    if (r) vmc_digits_free(out);
    for (unsigned t = 0; g.scratch && t < threads; t++) vmc_dn_scratch_free(&g.scratch[t]);
    free(g.scratch);
    free(g.out);
    free(g.block_reg);
    free(g.block_t0);
    free(reg);
    search_free(&S);
    return r;
}
