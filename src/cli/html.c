/* The HTML report (see html.h).
 *
 * Layout of the timeline (one <svg>, width 100 %, heights in px): every x
 * is a percentage of the recording's duration, so the drawing fits any
 * window and text is never stretched; the level, pitch and pace curves sit
 * in nested <svg>s whose viewBox is in frames (10 ms) and that stretch to
 * the width (preserveAspectRatio none, strokes not scaled).  Every span
 * that stands for a time (segment, flag, pause, digit group) carries
 * data-start and data-end in seconds: the script seeks the player there,
 * and the tests check the drawing against them. */
#include "cli/html.h"

#include "cli/cohort.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "common/fmt.h"
#include "io/preview.h"

/* The longest recording whose audio the page embeds (a 10-minute message is
 * about 2.4 MB of MP3; longer is linked). */
#define EMBED_MAX_S 600.0

/* ---- a growing string ---- */
typedef struct Buf {
    char *s;
    size_t n, cap;
    int oom;
} Buf;

static void bput(Buf *b, const char *s, size_t n)
{
    if (b->oom || !n) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void bs(Buf *b, const char *s) { bput(b, s, strlen(s)); }

/* printf for integers and strings only: numbers with a fraction go through
 * bnum (locale-free). */
static void bf(Buf *b, const char *fmt, ...) VMC_PRINTF(2, 3);
static void bf(Buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof(tmp)) {
        bput(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bput(b, big, (size_t)n);
    free(big);
}

/* A finite number with d decimals ("-" when not finite). */
static void bnum(Buf *b, double v, int d)
{
    char t[64];
    if (!isfinite(v)) {
        bs(b, "-");
        return;
    }
    vmc_fmt_fixed(t, sizeof(t), v, d); /* never "-0.0": what rounds to zero has no sign */
    bs(b, t);
}

/* A number as an attribute or coordinate: trailing zeros dropped. */
static void bcoord(Buf *b, double v, int d)
{
    char t[64];
    if (!isfinite(v)) v = 0.0;
    vmc_fmt_fixed(t, sizeof(t), v, d);
    char *dot = strchr(t, '.');
    if (dot) {
        char *e = t + strlen(t) - 1;
        while (e > dot && *e == '0') *e-- = '\0';
        if (e == dot) *e = '\0';
    }
    if (!strcmp(t, "-0")) strcpy(t, "0");
    bs(b, t);
}

/* Escaped text: & < > " ' as references; bytes that are not UTF-8, and
 * control characters other than tab and newline, as U+FFFD. */
static void besc(Buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t len = 1;
        if (c < 0x80) {
            switch (c) {
            case '&': bs(b, "&amp;"); break;
            case '<': bs(b, "&lt;"); break;
            case '>': bs(b, "&gt;"); break;
            case '"': bs(b, "&quot;"); break;
            case '\'': bs(b, "&#39;"); break;
            default:
                if (c < 0x20 && c != '\t' && c != '\n')
                    bs(b, "\xEF\xBF\xBD");
                else
                    bput(b, (const char *)p, 1);
            }
            p++;
            continue;
        }
        unsigned min;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, min = 0x10000;
        else
            len = 0, min = 0;
        uint32_t cp = len ? c & (0x3Fu >> (len - 1)) : 0;
        for (size_t k = 1; k < len; k++) {
            if ((p[k] & 0xC0) != 0x80) {
                len = 0;
                break;
            }
            cp = cp << 6 | (p[k] & 0x3Fu);
        }
        if (!len || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            bs(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        bput(b, (const char *)p, len);
        p += len;
    }
}

char *cli_html_escape(const char *s)
{
    Buf b = {NULL, 0, 0, 0};
    bput(&b, "", 0);
    besc(&b, s);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    if (!b.s) return calloc(1, 1);
    return b.s;
}

/* A path as a relative URL: every byte but unreserved ones and '/'
 * percent-encoded (so "#", "?", "%" and quotes stay part of the name). */
static void burl(Buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            bput(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            bput(b, e, 3);
        }
    }
}

static void b64(Buf *b, const unsigned char *d, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4];
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        q[0] = t[v >> 18], q[1] = t[v >> 12 & 63], q[2] = t[v >> 6 & 63], q[3] = t[v & 63];
        bput(b, q, 4);
    }
    if (i < n) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0u);
        q[0] = t[v >> 18], q[1] = t[v >> 12 & 63], q[2] = i + 1 < n ? t[v >> 6 & 63] : '=', q[3] = '=';
        bput(b, q, 4);
    }
}

/* ---- the page's fixed parts ---- */

/* Okabe & Ito's palette (2008), told apart by people with any common colour
 * vision deficiency; every colour also has its words on the page
 * ("TOO FAST", "ok", the flag's code) and "too fast" spans are hatched. */
static const char css[] =
    ":root{--ok:#0072B2;--fast:#D55E00;--warn:#E69F00;--pitch:#009E73;--ink:#1a1a1a;--mute:#666;--pause:#d9d9d9}"
    "*{box-sizing:border-box}"
    "body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);margin:0;"
    "padding:16px 20px;max-width:1400px}"
    "h1{font-size:1.35em;margin:.2em 0 .4em;overflow-wrap:anywhere}h2{font-size:1.1em;margin:1.2em 0 .4em}"
    ".verdict{font-size:1.15em;font-weight:600;margin:.2em 0}"
    ".v-good{color:var(--ok)}.v-fix{color:#a33d00}"
    "ul.items{list-style:none;padding:0;margin:.3em 0}ul.items li{margin:.25em 0;padding-left:3.6em;"
    "text-indent:-3.6em}"
    ".tag{display:inline-block;width:3.2em;text-align:center;font-size:.8em;font-weight:700;border-radius:3px;"
    "padding:0 .2em;margin-right:.4em;text-indent:0;color:#fff}"
    ".tag-fix{background:var(--fast)}.tag-note{background:var(--warn);color:#000}"
    "button.seek{font:inherit;color:var(--ok);background:none;border:0;padding:0;text-decoration:underline;"
    "cursor:pointer}"
    ".tlwrap{overflow-x:auto;margin:.5em 0}"
    "svg.tl,svg.pace{display:block;width:100%;min-width:340px;cursor:pointer;font-size:12px;"
    "font-family:system-ui,sans-serif;user-select:none}"
    "svg text{fill:var(--ink);paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
    "svg .lane{fill:#444;font-size:11px}"
    ".seg-ok{fill:var(--ok)}.seg-fast{fill:var(--fast)}.seg-hatch{fill:url(#vmc-hatch)}"
    "text.seglbl{font-weight:700;pointer-events:none}text.lbl-fast{fill:#a33d00}text.lbl-ok{fill:#005a8c}"
    ".flag-error{fill:var(--fast)}.flag-warning{fill:var(--warn)}text.flaglbl{font-size:11px;pointer-events:none;"
    "stroke:none;fill:#000}"
    ".pause{fill:var(--pause)}.grp{fill:var(--ok);opacity:.55}.grp-fast{fill:var(--fast)}"
    ".gap{fill:#fff;stroke:var(--ink);stroke-width:1}"
    ".level{fill:#9a9a9a}.pitch{fill:none;stroke:var(--pitch);stroke-width:2}"
    ".nuclei{stroke:var(--ink);stroke-width:1.5}.axis{stroke:#999;stroke-width:1}"
    ".median{stroke:var(--pitch);stroke-dasharray:4 3;stroke-width:1}"
    ".rate{fill:none;stroke:var(--ink);stroke-width:2}.limit-number{stroke:var(--fast);stroke-dasharray:6 3}"
    ".limit-name{stroke:var(--ok);stroke-dasharray:2 3}.band-ok{fill:var(--ok);opacity:.12}"
    ".band-fast{fill:var(--fast);opacity:.18}"
    ".playhead{stroke:#000;stroke-width:2;pointer-events:none}"
    "audio{width:100%;max-width:640px;margin:.4em 0}"
    ".lbl-short{display:none}"
    "table{border-collapse:collapse;margin:.4em 0;width:100%}"
    "th,td{text-align:left;padding:.25em .6em;border-bottom:1px solid #ddd;vertical-align:top}"
    "th{background:#f2f2f2}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "table.figures th{width:9em;background:none}table.figures "
    "td{overflow-wrap:anywhere}table.bars{max-width:720px}table.bars td:first-child{width:12em}"
    ".legend span{display:inline-block;margin-right:1.2em;font-size:.9em}"
    ".sw{display:inline-block;width:1.1em;height:.8em;vertical-align:middle;margin-right:.3em;border:1px solid #555}"
    ".muted{color:var(--mute);font-size:.9em}"
    "#cohort th{cursor:pointer;white-space:nowrap;position:sticky;top:0}"
    "#cohort th[aria-sort=ascending]::after{content:' \\25B2'}#cohort th[aria-sort=descending]::after{content:' "
    "\\25BC'}"
    "#cohort td.file{overflow-wrap:anywhere}#cohort button.open{font:inherit;background:none;border:0;padding:0;"
    "color:var(--ok);text-align:left;cursor:pointer;text-decoration:underline;overflow-wrap:anywhere}"
    ".vfast{color:#a33d00;font-weight:700}.vok{color:var(--ok)}"
    "tr.detail td{background:#fafafa}"
    "ul.failed li{overflow-wrap:anywhere}"
    ".progress{display:flex;flex-wrap:wrap;gap:.6em 1.6em}.progress figure{margin:0;width:360px;max-width:100%}"
    ".progress figcaption{font-size:.9em;overflow-wrap:anywhere}svg.chart{display:block;width:100%;height:auto;"
    "font-size:11px;font-family:system-ui,sans-serif}.chart .pt-ok{fill:var(--ok)}.chart .pt-fast{fill:var(--fast)}"
    "@media (max-width:640px){body{padding:10px;font-size:15px}.lbl-long{display:none}.lbl-short{display:inline}"
    "#cohort .wide{display:none}th,td{padding:.2em .3em}#cohort{font-size:.85em}#cohort th{white-space:normal}"
    "#cohort td{overflow-wrap:anywhere}ul.items li{padding-left:0;text-indent:0}}"
    "@media print{@page{size:A4;margin:12mm}body{max-width:none;padding:0;font-size:11pt}audio,.noprint{display:none}"
    "svg.tl,svg.pace{min-width:0}.tlwrap{overflow:visible}tr,svg{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* Seeking, the playhead and the cohort's sorting and rows.  Reads only the
 * page's own attributes; no outside text is ever inside this script. */
static const char js[] =
    "(function(){'use strict';"
    "function msgOf(el){return el.closest('.msg')||document;}"
    "function play(box,t){var a=box.querySelector('audio');if(!a)return;a.currentTime=Math.max(0,t);"
    "var p=a.play();if(p&&p.catch)p.catch(function(){});}"
    "document.addEventListener('click',function(e){"
    "var el=e.target.closest('[data-start]');"
    "if(el&&el.closest('svg,.items')){play(msgOf(el),parseFloat(el.getAttribute('data-start')));return;}"
    "var svg=e.target.closest('svg.tl,svg.pace');"
    "if(svg){var r=svg.getBoundingClientRect(),d=parseFloat(svg.getAttribute('data-duration'));"
    "play(msgOf(svg),(e.clientX-r.left)/r.width*d);}});"
    "function follow(a){var box=msgOf(a),d=parseFloat(box.querySelector('svg.tl').getAttribute('data-duration'));"
    "var heads=box.querySelectorAll('.playhead');function draw(){var x=(100*Math.min(a.currentTime,d)/d)+'%';"
    "for(var i=0;i<heads.length;i++){heads[i].setAttribute('x1',x);heads[i].setAttribute('x2',x);}}"
    "function loop(){draw();if(!a.paused)requestAnimationFrame(loop);}"
    "a.addEventListener('play',loop);a.addEventListener('timeupdate',draw);a.addEventListener('seeked',draw);}"
    "document.querySelectorAll('.msg audio').forEach(follow);"
    "var tb=document.querySelector('#cohort tbody');if(!tb)return;"
    "document.querySelectorAll('#cohort th').forEach(function(th){th.addEventListener('click',function(){"
    "var k=th.cellIndex,num=th.classList.contains('n'),asc=th.getAttribute('aria-sort')!=='ascending';"
    "document.querySelectorAll('#cohort th').forEach(function(h){h.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');"
    "var rows=Array.prototype.slice.call(tb.querySelectorAll('tr.row'));"
    "rows.sort(function(a,b){var x=a.cells[k].getAttribute('data-v'),y=b.cells[k].getAttribute('data-v'),c;"
    "if(num){var p=x===''?NaN:parseFloat(x),q=y===''?NaN:parseFloat(y);"
    "if(isNaN(p)||isNaN(q))return isNaN(p)-isNaN(q);c=p-q;}else c=x<y?-1:x>y?1:0;"
    "return (asc?c:-c)||(a.getAttribute('data-i')-b.getAttribute('data-i'));});"
    "var f=document.createDocumentFragment();rows.forEach(function(r){f.appendChild(r);"
    "var d=document.getElementById('d'+r.getAttribute('data-i'));if(d)f.appendChild(d);});tb.appendChild(f);});});"
    "tb.addEventListener('click',function(e){var b=e.target.closest('button.open');if(!b)return;"
    "var tr=b.closest('tr'),i=tr.getAttribute('data-i'),d=document.getElementById('d'+i);"
    "if(d){d.remove();b.setAttribute('aria-expanded','false');return;}"
    "var t=document.getElementById('t'+i);if(!t)return;d=document.createElement('tr');d.id='d'+i;"
    "d.className='detail';var td=document.createElement('td');td.colSpan=tr.cells.length;"
    "td.appendChild(t.content.cloneNode(true));d.appendChild(td);tr.after(d);b.setAttribute('aria-expanded','true');"
    "d.querySelectorAll('audio').forEach(follow);});"
    "})();";

static void page_head(Buf *b, const char *title)
{
    bs(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; media-src data: blob: file: http: https:; img-src data:\"/>\n"
          "<meta name=\"generator\" content=\"vmcheck ");
    besc(b, vmcheck_version());
    bs(b, "\"/>\n<title>");
    besc(b, title);
    bs(b, "</title>\n<style>");
    bs(b, css);
    bs(b, "</style>\n</head>\n<body>\n"
          /* the shared hatch for "too fast" spans */
          "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
          "<pattern id=\"vmc-hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
          "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#D55E00\"/>"
          "<rect width=\"2\" height=\"8\" fill=\"#8f3f00\"/></pattern></defs></svg>\n");
}

static void page_tail(Buf *b)
{
    /* CDATA inside comments: the page is also well-formed XML (the tests parse it strictly) */
    bs(b, "<script>//<![CDATA[\n");
    bs(b, js);
    bs(b, "\n//]]></script>\n</body>\n</html>\n");
}

/* ---- the timeline ---- */

typedef struct Limits {
    double number, name;
} Limits;

/* x of time t as a percentage of the width */
static void bx(Buf *b, double t, double dur)
{
    double p = dur > 0 ? 100.0 * t / dur : 0.0;
    if (p < 0) p = 0;
    if (p > 100) p = 100;
    bcoord(b, p, 3);
    bs(b, "%");
}

static void span_attrs(Buf *b, double t0, double t1, double dur)
{
    bs(b, " x=\"");
    bx(b, t0, dur);
    bs(b, "\" width=\"");
    double w = dur > 0 ? 100.0 * (t1 - t0) / dur : 0.0;
    bcoord(b, w > 0 ? w : 0, 3);
    bs(b, "%\" data-start=\"");
    bcoord(b, t0, 3);
    bs(b, "\" data-end=\"");
    bcoord(b, t1, 3);
    bs(b, "\"");
}

/* A span's label: from its start, or, late in the recording, ending at its
 * end, so that it stays inside the drawing. */
static void label_x(Buf *b, double t0, double t1, double dur)
{
    int late = t0 > 0.6 * dur;
    bs(b, "x=\"");
    bx(b, late ? t1 : t0, dur);
    bs(b, late ? "\" dx=\"-2\" text-anchor=\"end\"" : "\" dx=\"2\"");
}

static const char *kind_name(const VmcheckSegment *s) { return s->kind == VMCHECK_SEGMENT_NAME ? "name" : "number"; }

/* The next coordinate pair of a path, as short as the grammar allows: a
 * space only where two numbers would run together ("5 -3" is "5-3"). */
static void pair(Buf *b, long x, long y)
{
    if (b->n && b->s[b->n - 1] >= '0' && b->s[b->n - 1] <= '9' && x >= 0) bs(b, " ");
    bf(b, y >= 0 ? "%ld %ld" : "%ld%ld", x, y);
}

/* A relative line to the next point: the 'l' once, before the first pair
 * after an absolute command (a bare 'l' would end the path with an error). */
static void rel(Buf *b, int *need_l, long dx, long dy)
{
    if (*need_l) bs(b, "l");
    *need_l = 0;
    pair(b, dx, dy);
}

/* Time axis ticks: a step that gives at most about 12 of them. */
static double tick_step(double dur)
{
    static const double steps[] = {0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (dur / steps[i] <= 12) return steps[i];
    return 7200;
}

/* Layout, px from the top */
enum {
    Y_FLAGS = 2,
    H_FLAGS = 16,
    Y_SEG = 36,
    H_SEG = 14,
    Y_GRP = 52,
    H_GRP = 8,
    Y_LEVEL = 64,
    H_LEVEL = 96,
    Y_NUC = 162,
    H_NUC = 10,
    Y_PITCH = 176,
    H_PITCH = 80,
    Y_AXIS = 258,
    H_TL = 278,
};

static void timeline(Buf *b, const VmcheckReport *r, int compact, const Limits *lim)
{
    const double dur = r->duration_s > 0 ? r->duration_s : 0.01;
    bs(b, "<div class=\"tlwrap\"><svg class=\"tl\" height=\"");
    bf(b, "%d", H_TL);
    bs(b, "\" data-duration=\"");
    bcoord(b, dur, 3);
    bs(b, "\" role=\"img\" aria-label=\"Timeline: flags, name and number, level, syllables, pitch\">\n");
    /* pauses shaded behind the level and pitch lanes */
    for (size_t k = 0; k < r->pause_count; k++) {
        const VmcheckPause *p = vmcheck_report_pause(r, k);
        bs(b, "<rect class=\"pause\"");
        span_attrs(b, p->start_s, p->end_s, dur);
        bf(b, " y=\"%d\" height=\"%d\"><title>pause ", Y_LEVEL, Y_AXIS - Y_LEVEL);
        bnum(b, p->start_s, 2);
        bs(b, "-");
        bnum(b, p->end_s, 2);
        bs(b, " s</title></rect>\n");
    }
    /* the level envelope, dBFS, 0 at the top of its lane, -80 at the bottom */
    const size_t nf = r->energy_db ? r->frame_count : 0;
    const size_t step = compact ? 5 : 2; /* frames a point: 50 or 20 ms */
    if (nf) {
        bf(b, "<svg x=\"0\" y=\"%d\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 ", Y_LEVEL, H_LEVEL);
        bf(b, "%zu 100\" preserveAspectRatio=\"none\"><path class=\"level\" d=\"M0 100", nf);
        long prev = 0;
        int need_l = 1;
        for (size_t i = 0; i < nf; i += step) {
            float m = -1000.0f;
            for (size_t j = i; j < i + step && j < nf; j++)
                if (r->energy_db[j] > m) m = r->energy_db[j];
            long y = lround(-(double)m * 1.25);
            if (y < 0) y = 0;
            if (y > 100) y = 100;
            if (i == 0)
                bf(b, "L0 %ld", y);
            else
                rel(b, &need_l, (long)step, y - prev);
            prev = y;
        }
        bf(b, "L%zu 100Z\"/></svg>\n", nf - 1);
    }
    /* syllable nuclei, one tick each (x in frames: t / 10 ms) */
    bf(b, "<svg x=\"0\" y=\"%d\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 ", Y_NUC, H_NUC);
    bcoord(b, dur * 100.0, 1);
    bf(b,
       " 10\" preserveAspectRatio=\"none\"><path class=\"nuclei\" vector-effect=\"non-scaling-stroke\" "
       "data-count=\"%zu\" d=\"",
       r->syllable_count);
    for (size_t k = 0; k < r->syllable_count; k++) {
        bs(b, "M");
        bcoord(b, r->syllables_s[k] * 100.0, 1);
        bs(b, " 0v10");
    }
    bs(b, "\"><title>syllable nuclei</title></path></svg>\n");
    /* pitch, semitones around the median, voiced frames only: +-12 st fill
     * the lane, 10 units a semitone */
    if (r->f0_hz && r->f0_median_hz > 0) {
        bf(b,
           "<svg x=\"0\" y=\"%d\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 %zu 240\" "
           "preserveAspectRatio=\"none\"><path class=\"pitch\" vector-effect=\"non-scaling-stroke\" d=\"",
           Y_PITCH, H_PITCH, nf ? nf : 1);
        int in_run = 0; /* a voiced run is open: its points follow as relative steps */
        long prev = 0;
        int need_l = 1;
        for (size_t i = 0; i < r->frame_count; i += step) {
            double f = r->f0_hz[i];
            if (!(f > 0)) {
                in_run = 0;
                continue;
            }
            double st = 12.0 * log2(f / r->f0_median_hz);
            if (st > 12) st = 12;
            if (st < -12) st = -12;
            long y = lround(120.0 - st * 10.0);
            if (!in_run)
                bf(b, "M%zu %ld", i, y), need_l = 1;
            else
                rel(b, &need_l, (long)step, y - prev);
            prev = y;
            in_run = 1;
        }
        bs(b, "\"/></svg>\n");
        bf(b, "<line class=\"median\" x1=\"0\" x2=\"100%%\" y1=\"%d\" y2=\"%d\"/>", Y_PITCH + H_PITCH / 2,
           Y_PITCH + H_PITCH / 2);
    }
    /* lane names and scales */
    bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">level, dBFS: 0</text>", Y_LEVEL + 10);
    bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">-40</text>", Y_LEVEL + H_LEVEL / 2 + 4);
    bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">-80</text>", Y_LEVEL + H_LEVEL - 2);
    bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">syllables</text>", Y_NUC + 9);
    if (r->f0_median_hz > 0) {
        bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">pitch, semitones: +12</text>", Y_PITCH + 10);
        bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">0 = median ", Y_PITCH + H_PITCH / 2 - 3);
        bnum(b, r->f0_median_hz, 0);
        bs(b, " Hz</text>");
        bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">-12</text>\n", Y_PITCH + H_PITCH - 2);
    } else {
        bf(b, "<text class=\"lane\" x=\"4\" y=\"%d\">pitch: nothing voiced</text>\n", Y_PITCH + H_PITCH / 2);
    }
    /* time axis */
    double ts = tick_step(dur);
    bf(b, "<line class=\"axis\" x1=\"0\" x2=\"100%%\" y1=\"%d\" y2=\"%d\"/>", Y_AXIS, Y_AXIS);
    for (double t = 0; t <= dur + 1e-9; t += ts) {
        bs(b, "<line class=\"axis\" x1=\"");
        bx(b, t, dur);
        bs(b, "\" x2=\"");
        bx(b, t, dur);
        bf(b, "\" y1=\"%d\" y2=\"%d\"/><text class=\"lane\" x=\"", Y_AXIS, Y_AXIS + 4);
        bx(b, t, dur);
        bf(b, "\" y=\"%d\" text-anchor=\"%s\">", Y_AXIS + 16,
           t == 0                ? "start"
           : t + ts > dur + 1e-9 ? "end"
                                 : "middle");
        bnum(b, t, ts < 1 ? 1 : 0);
        bs(b, t == 0 ? " s" : "");
        bs(b, "</text>");
    }
    bs(b, "\n");
    /* name and number spans, coloured by verdict, the rate written on them */
    for (size_t k = 0; k < r->segment_count; k++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, k);
        bf(b, "<g class=\"segment\" data-kind=\"%s\" data-verdict=\"%s\">", kind_name(s), s->too_fast ? "fast" : "ok");
        bf(b, "<rect class=\"seg %s\"", s->too_fast ? "seg-fast seg-hatch" : "seg-ok");
        span_attrs(b, s->start_s, s->end_s, dur);
        bf(b, " y=\"%d\" height=\"%d\" rx=\"3\"><title>%s ", Y_SEG, H_SEG,
           s->kind == VMCHECK_SEGMENT_NAME ? "Name" : "Number");
        bnum(b, s->start_s, 2);
        bs(b, "-");
        bnum(b, s->end_s, 2);
        bs(b, " s: ");
        bnum(b, s->syllables_per_s, 1);
        bf(b, " syllables/s, %s</title></rect>", s->too_fast ? "TOO FAST" : "ok");
        bf(b, "<text class=\"seglbl %s\" ", s->too_fast ? "lbl-fast" : "lbl-ok");
        label_x(b, s->start_s, s->end_s, dur);
        bf(b, " y=\"%d\"><tspan class=\"lbl-long\">%s ", Y_SEG - 3,
           s->kind == VMCHECK_SEGMENT_NAME ? "Name" : "Number");
        bnum(b, s->syllables_per_s, 1);
        bf(b, " syl/s %s</tspan><tspan class=\"lbl-short\">", s->too_fast ? "TOO FAST" : "ok");
        bnum(b, s->syllables_per_s, 1);
        bf(b, "%s</tspan></text></g>\n", s->too_fast ? " FAST" : " ok");
        /* digit groups and the gaps between them */
        if (s->kind == VMCHECK_SEGMENT_NUMBER && s->groups) {
            double t = s->start_s;
            for (size_t g = 0; g <= s->gap_count; g++) {
                double e = g < s->gap_count ? s->gaps[g].start_s : s->end_s;
                bf(b, "<rect class=\"grp%s\"", s->too_fast ? " grp-fast" : "");
                span_attrs(b, t, e, dur);
                bf(b, " y=\"%d\" height=\"%d\"><title>digit group %zu</title></rect>", Y_GRP, H_GRP, g + 1);
                if (g < s->gap_count) {
                    bs(b, "<rect class=\"gap\"");
                    span_attrs(b, s->gaps[g].start_s, s->gaps[g].end_s, dur);
                    bf(b, " y=\"%d\" height=\"%d\"><title>gap between digit groups</title></rect>", Y_GRP, H_GRP);
                    t = s->gaps[g].end_s;
                }
            }
            bs(b, "\n");
        }
    }
    /* each flag's span (flags about the whole message have none) */
    for (size_t k = 0; k < r->flag_count; k++) {
        const VmcheckFlag *g = vmcheck_report_flag(r, k);
        if (!(g->end_s > g->start_s)) continue;
        const char *sev = g->severity == VMCHECK_SEVERITY_ERROR ? "error" : "warning";
        bf(b, "<g class=\"flagspan\" data-code=\"%s\" data-severity=\"%s\"><rect class=\"flag flag-%s\"",
           vmcheck_flag_name(g->code), sev, sev);
        span_attrs(b, g->start_s, g->end_s, dur);
        bf(b, " y=\"%d\" height=\"%d\"><title>", Y_FLAGS, H_FLAGS);
        besc(b, g->message);
        bs(b, "</title></rect><text class=\"flaglbl\" ");
        label_x(b, g->start_s, g->end_s, dur);
        bf(b, " y=\"%d\">%s %s</text></g>\n", Y_FLAGS + 12, g->severity == VMCHECK_SEVERITY_ERROR ? "FIX" : "note",
           vmcheck_flag_name(g->code));
    }
    bf(b, "<line class=\"playhead\" x1=\"0%%\" x2=\"0%%\" y1=\"0\" y2=\"%d\"/>\n</svg>\n", Y_AXIS);
    /* the pace strip: syllables/s in a sliding 2-s window, every 0.1 s */
    const double win = 2.0, hop = 0.1;
    size_t np = (size_t)(dur / hop) + 1;
    double top = 8.0;
    double *rate = malloc(np * sizeof(double));
    if (!rate) {
        b->oom = 1;
        bs(b, "</div>");
        return;
    }
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < np; i++) {
        double t = (double)i * hop, a = t - win / 2, e = t + win / 2;
        while (lo < r->syllable_count && r->syllables_s[lo] < a) lo++;
        while (hi < r->syllable_count && r->syllables_s[hi] < e) hi++;
        double w = (e < dur ? e : dur) - (a > 0 ? a : 0); /* the window inside the recording */
        rate[i] = (double)(hi - lo) / (w > 0.5 ? w : 0.5);
        if (rate[i] > top) top = ceil(rate[i]);
    }
    const int hp = 90;
    bs(b, "<svg class=\"pace\" height=\"");
    bf(b, "%d", hp + 16);
    bs(b, "\" data-duration=\"");
    bcoord(b, dur, 3);
    bs(b, "\" role=\"img\" aria-label=\"Pace: syllables per second in a sliding 2-second window\">");
    for (size_t k = 0; k < r->segment_count; k++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, k);
        bf(b, "<rect class=\"%s\" data-kind=\"%s\"", s->too_fast ? "band-fast" : "band-ok", kind_name(s));
        span_attrs(b, s->start_s, s->end_s, dur);
        bf(b, " y=\"0\" height=\"%d\"/>", hp);
    }
    bf(b, "<svg x=\"0\" y=\"0\" width=\"100%%\" height=\"%d\" viewBox=\"0 0 %zu ", hp, np > 1 ? np - 1 : 1);
    bcoord(b, top * 10, 0);
    bs(b, "\" preserveAspectRatio=\"none\"><path class=\"rate\" vector-effect=\"non-scaling-stroke\" d=\"");
    long prev = 0;
    int need_l = 1;
    for (size_t i = 0; i < np; i++) {
        long y = lround((top - rate[i]) * 10);
        if (i == 0)
            bf(b, "M0 %ld", y);
        else
            rel(b, &need_l, 1, y - prev);
        prev = y;
    }
    bs(b, "\"/></svg>");
    free(rate);
    /* the limits, labelled, and the scale */
    const double lv[2] = {lim->number, lim->name};
    const char *ln[2] = {"number", "name"};
    for (int k = 0; k < 2; k++) {
        if (!(lv[k] > 0 && lv[k] < top)) continue;
        double y = (top - lv[k]) / top * hp;
        bs(b, "<line class=\"limit-");
        bs(b, ln[k]);
        bs(b, "\" x1=\"0\" x2=\"100%\" y1=\"");
        bcoord(b, y, 1);
        bs(b, "\" y2=\"");
        bcoord(b, y, 1);
        bf(b, "\"/><text class=\"lane\" x=\"100%%\" dx=\"-4\" text-anchor=\"end\" y=\"");
        bcoord(b, k == 0 ? y + 11 : y - 3, 1); /* the number's limit is the lower */
        bf(b, "\">%s limit ", ln[k]);
        bnum(b, lv[k], 1);
        bs(b, "</text>");
    }
    bs(b, "<text class=\"lane\" x=\"4\" y=\"11\">pace, syllables/s (2-s window): ");
    bnum(b, top, 0);
    bf(b, "</text><text class=\"lane\" x=\"4\" y=\"%d\">0</text>", hp - 2);
    bf(b, "<line class=\"axis\" x1=\"0\" x2=\"100%%\" y1=\"%d\" y2=\"%d\"/>", hp, hp);
    bf(b, "<text class=\"lane\" x=\"100%%\" dx=\"-4\" text-anchor=\"end\" y=\"%d\">time, s</text>", hp + 13);
    bf(b, "<line class=\"playhead\" x1=\"0%%\" x2=\"0%%\" y1=\"0\" y2=\"%d\"/>", hp);
    bs(b, "</svg>");
    bs(b, "</div>\n");
}

/* ---- the parts of a message ---- */

static void legend(Buf *b)
{
    bs(b, "<p class=\"legend muted\">"
          "<span><i class=\"sw\" style=\"background:#0072B2\"></i>name or number: ok</span>"
          "<span><i class=\"sw\" style=\"background:repeating-linear-gradient(45deg,"
          "#8f3f00 0 2px,#D55E00 2px 8px)\"></i>TOO FAST</span>"
          "<span><i class=\"sw\" style=\"background:#E69F00\"></i>note (to consider)</span>"
          "<span><i class=\"sw\" style=\"background:#d9d9d9\"></i>pause</span>"
          "<span><i class=\"sw\" style=\"background:#9a9a9a\"></i>level</span>"
          "<span><i class=\"sw\" style=\"background:#009E73\"></i>pitch</span>"
          "<span>| syllable</span></p>\n");
}

/* The verdict and each thing to fix or consider, in the text report's words. */
static void verdict(Buf *b, const CliResult *res)
{
    const VmcheckReport *r = res->report;
    const size_t errors = cli_count_errors(r), warnings = r->flag_count - errors;
    bf(b, "<p class=\"verdict %s\" data-errors=\"%zu\" data-warnings=\"%zu\">", errors ? "v-fix" : "v-good", errors,
       warnings);
    if (!errors && !warnings)
        bs(b, "good - nothing to fix");
    else
        bf(b, "%zu to fix, %zu to consider", errors, warnings);
    bs(b, "</p>\n");
    if (!r->flag_count) return;
    bs(b, "<ul class=\"items\">");
    for (int sev = VMCHECK_SEVERITY_ERROR; sev >= VMCHECK_SEVERITY_WARNING; sev--)
        for (size_t k = 0; k < r->flag_count; k++) {
            const VmcheckFlag *g = vmcheck_report_flag(r, k);
            if ((int)g->severity != sev) continue;
            bf(b, "<li data-code=\"%s\"><span class=\"tag %s\">%s</span>", vmcheck_flag_name(g->code),
               sev == VMCHECK_SEVERITY_ERROR ? "tag-fix" : "tag-note", sev == VMCHECK_SEVERITY_ERROR ? "FIX" : "note");
            besc(b, g->message);
            if (g->end_s > g->start_s) {
                bs(b, " <button class=\"seek\" data-start=\"");
                bcoord(b, g->start_s, 3);
                bs(b, "\">(");
                bnum(b, g->start_s, 1);
                bs(b, "-");
                bnum(b, g->end_s, 1);
                bs(b, " s) &#9654;</button>");
            }
            bs(b, "</li>\n");
        }
    bs(b, "</ul>\n");
}

static void row(Buf *b, const char *what)
{
    bs(b, "<tr><th>");
    bs(b, what);
    bs(b, "</th><td>");
}

/* The figures table, with units, and where the name and number came from. */
static void figures(Buf *b, const CliResult *res)
{
    const VmcheckReport *r = res->report;
    bs(b, "<h2>Figures</h2>\n<table class=\"figures\">\n");
    for (size_t k = 0; k < r->segment_count; k++) {
        const VmcheckSegment *s = vmcheck_report_segment(r, k);
        row(b, s->kind == VMCHECK_SEGMENT_NAME ? "Name" : "Number");
        bf(b, "<button class=\"seek\" data-start=\"");
        bcoord(b, s->start_s, 3);
        bs(b, "\">");
        bnum(b, s->start_s, 2);
        bs(b, "-");
        bnum(b, s->end_s, 2);
        bs(b, " s</button>: ");
        bnum(b, s->syllables_per_s, 1);
        bf(b, " syllables/s, <span class=\"%s\">%s</span>", s->too_fast ? "vfast" : "vok",
           s->too_fast ? "TOO FAST" : "ok");
        if (s->kind == VMCHECK_SEGMENT_NUMBER) {
            if (s->digits) {
                bf(b, ", %zu digits (", s->digits);
                bnum(b, s->digits_per_s, 1);
                bs(b, " a second)");
            }
            bf(b, ", %zu digit group%s", s->groups, s->groups == 1 ? "" : "s");
            if (s->heard[0]) {
                bs(b, ", heard ");
                besc(b, s->heard);
            }
            if (s->text[0]) {
                bs(b, ", written ");
                besc(b, s->text);
            }
        }
        bs(b, s->source == VMCHECK_SOURCE_LABELS   ? " (given as labels)"
              : s->source == VMCHECK_SOURCE_SCRIPT ? " (from the script)"
                                                   : " (found in the audio)");
        bs(b, "</td></tr>\n");
    }
    const char *base;
    int stem;
    if (cli_name_unchecked(res, &base, &stem)) { /* what was not checked, and how to have it checked */
        row(b, "Name");
        if (base) {
            bs(b, "not checked - put your prepared text in ");
            char txt[4096];
            snprintf(txt, sizeof(txt), "%.*s.txt", stem, base);
            besc(b, txt);
            bs(b, " beside ");
            besc(b, base);
            bs(b, " (or use --script)</td></tr>\n");
        } else {
            bs(b, "not checked - give your prepared text with --script</td></tr>\n");
        }
    }
    row(b, "Segments from");
    if (res->labels_used) {
        bs(b, "the label file ");
        besc(b, res->labels_used);
    } else if (res->script_used) {
        bs(b, "the script ");
        besc(b, res->script_used);
    } else {
        int any = 0;
        for (size_t k = 0; k < r->segment_count; k++)
            any |= vmcheck_report_segment(r, k)->source != VMCHECK_SOURCE_AUTO;
        bs(b, any ? "the command line" : "the audio alone (no labels or script)");
    }
    bs(b, "</td></tr>\n");
    row(b, "Length");
    bnum(b, r->duration_s, 2);
    bs(b, " s of audio");
    if (r->has_speech) {
        bs(b, "; speech ");
        bnum(b, r->speech_start_s, 2);
        bs(b, "-");
        bnum(b, r->speech_end_s, 2);
        bs(b, " s (");
        bnum(b, r->speech_end_s - r->speech_start_s, 1);
        bs(b, " s), of which ");
        bnum(b, r->phonation_s, 1);
        bs(b, " s phonation");
    } else {
        bs(b, ", no speech found");
    }
    bs(b, "</td></tr>\n");
    if (r->has_speech) {
        row(b, "Pauses");
        bf(b, "%zu, ", r->pause_count);
        bnum(b, r->pause_total_s, 2);
        bs(b, " s in all, longest ");
        bnum(b, r->longest_pause_s, 2);
        bs(b, " s</td></tr>\n");
        row(b, "Rate");
        bnum(b, r->syllables_per_s, 1);
        bs(b, " syllables/s, about ");
        bnum(b, r->wpm_est, 0);
        bs(b, " words a minute (conversation: 3.5-5.5 syllables/s); ");
        bnum(b, r->articulation_rate, 1);
        bf(b, " without the pauses; %zu syllables</td></tr>\n", r->syllable_count);
        row(b, "Pitch");
        if (r->voiced_frames) {
            bs(b, "median ");
            bnum(b, r->f0_median_hz, 0);
            bs(b, " Hz, range ");
            bnum(b, r->range_st, 1);
            bs(b, " semitones (");
            bnum(b, r->f0_p10_hz, 0);
            bs(b, "-");
            bnum(b, r->f0_p90_hz, 0);
            bs(b, " Hz), voiced ");
            bnum(b, 100.0 * r->voiced_ratio, 0);
            bs(b, " % of speech");
        } else {
            bs(b, "nothing voiced");
        }
        bs(b, "</td></tr>\n");
        row(b, "Lift");
        if (isfinite(r->lift_st)) {
            bs(b, r->lift_st >= 0 ? "+" : "");
            bnum(b, r->lift_st, 1);
            bs(b, " semitones against your ordinary voice (aim: +0.5 to +6)");
        } else {
            bs(b, "not measured: record your ordinary voice as baseline.wav in this folder (or give it with --baseline "
                  "FILE)");
        }
        bs(b, "</td></tr>\n");
    }
    row(b, "Loudness");
    if (isfinite(r->speech_dbfs)) {
        bs(b, "speech ");
        bnum(b, r->speech_dbfs, 1);
        bs(b, " dBFS, ");
    } else {
        bs(b, "no speech, ");
    }
    if (isfinite(r->noise_floor_dbfs)) {
        bs(b, "background ");
        bnum(b, r->noise_floor_dbfs, 1);
        bs(b, " dBFS, ");
    } else {
        bs(b, "background digital silence (no sound at all), ");
    }
    if (isfinite(r->speech_dbfs) && isfinite(r->snr_db)) {
        bs(b, "SNR ");
        bnum(b, r->snr_db, 1);
        bs(b, " dB, ");
    } else if (isfinite(r->speech_dbfs)) {
        bs(b, "SNR not measurable (no background noise), ");
    }
    bs(b, "clipped ");
    bnum(b, 100.0 * r->clipped_ratio, 2);
    bs(b, " %</td></tr>\n");
    row(b, "Audio");
    besc(b, r->format[0] ? r->format : "samples");
    bf(b, ", %u Hz, %u channel%s</td></tr>\n", r->sample_rate_hz, r->channels, r->channels == 1 ? "" : "s");
    row(b, "Score");
    bnum(b, r->score, 0);
    bs(b, " of 100</td></tr>\n</table>\n");
}

/* ---- progress across takes: the number rate, take by take ---- */

/* One trainee's chart: the number rate (fastest occurrence) of each take
 * against the take's place, the limit drawn dashed; points coloured by
 * verdict and labelled with their rate.  A take with no number measured
 * leaves a gap in the points, the line joins the others. */
static void progress_chart(Buf *b, const CliCohort *c, size_t k)
{
    const CliTrainee *tr = &c->trainees[k];
    const double W = 360, H = 160, L = 34, R = 12, T = 14, B = 30; /* px, in the viewBox */
    double top = c->max_number_rate * 1.5;
    for (size_t j = 0; j < tr->n_takes; j++) {
        const CliTake *t = &c->takes[tr->order[j]];
        if (t->ok && isfinite(t->number_rate) && t->number_rate * 1.1 > top) top = t->number_rate * 1.1;
    }
    top = ceil(top * 1.08); /* room above the highest point for its label */
    const double step = top > 12 ? 4 : top > 6 ? 2 : 1;
    const double inset = 16; /* the first and last points' labels stay inside */
#define CX(j)                                                                                                          \
    (tr->n_takes > 1 ? L + inset + (W - L - R - 2 * inset) * (double)(j) / (double)(tr->n_takes - 1)                   \
                     : L + (W - L - R) / 2)
#define CY(v) (T + (H - T - B) * (1.0 - (v) / top))
    char change[400];
    cli_cohort_change(change, sizeof(change), c, k);
    bs(b, "<figure class=\"trainee\" data-trainee=\"");
    besc(b, tr->folder);
    bf(b, "\" data-takes=\"%zu\"><svg class=\"chart\" viewBox=\"0 0 ", tr->n_takes);
    bcoord(b, W, 0);
    bs(b, " ");
    bcoord(b, H, 0);
    bs(b, "\" role=\"img\" data-limit=\"");
    bcoord(b, c->max_number_rate, 2);
    bs(b, "\" data-top=\"");
    bcoord(b, top, 2);
    bs(b, "\"><title>number rate by take: ");
    besc(b, tr->folder);
    bs(b, "</title>");
    /* the grid: a line and a label per step of syllables/s */
    for (double v = 0; v <= top + 1e-9; v += step) {
        bs(b, "<line class=\"axis\" x1=\"");
        bcoord(b, L, 1);
        bs(b, "\" x2=\"");
        bcoord(b, W - R, 1);
        bs(b, "\" y1=\"");
        bcoord(b, CY(v), 1);
        bs(b, "\" y2=\"");
        bcoord(b, CY(v), 1);
        bs(b, "\" opacity=\".35\"/><text x=\"");
        bcoord(b, L - 4, 1);
        bs(b, "\" y=\"");
        bcoord(b, CY(v) + 4, 1);
        bs(b, "\" text-anchor=\"end\">");
        bnum(b, v, 0);
        bs(b, "</text>");
    }
    /* the limit */
    bs(b, "<line class=\"limit-number\" x1=\"");
    bcoord(b, L, 1);
    bs(b, "\" x2=\"");
    bcoord(b, W - R, 1);
    bs(b, "\" y1=\"");
    bcoord(b, CY(c->max_number_rate), 1);
    bs(b, "\" y2=\"");
    bcoord(b, CY(c->max_number_rate), 1);
    bs(b, "\" stroke-width=\"1.5\"/><text class=\"lbl-fast\" x=\"");
    bcoord(b, W - R, 1);
    bs(b, "\" y=\"");
    bcoord(b, CY(c->max_number_rate) - 4, 1);
    bs(b, "\" text-anchor=\"end\">limit ");
    bnum(b, c->max_number_rate, 1);
    bs(b, "</text>");
    /* the line through the measured takes */
    int any = 0;
    for (size_t j = 0; j < tr->n_takes; j++) {
        const CliTake *t = &c->takes[tr->order[j]];
        if (!t->ok || !isfinite(t->number_rate)) continue;
        bs(b, any ? " " : "<polyline class=\"rate\" points=\"");
        bcoord(b, CX(j), 1);
        bs(b, ",");
        bcoord(b, CY(t->number_rate), 1);
        any = 1;
    }
    if (any) bs(b, "\"/>");
    for (size_t j = 0; j < tr->n_takes; j++) {
        const CliTake *t = &c->takes[tr->order[j]];
        /* the take's number under the axis */
        bs(b, "<text x=\"");
        bcoord(b, CX(j), 1);
        bs(b, "\" y=\"");
        bcoord(b, H - B + 14, 1);
        bf(b, "\" text-anchor=\"middle\">%zu</text>", t->take);
        if (!t->ok || !isfinite(t->number_rate)) continue;
        bf(b, "<circle class=\"%s\" r=\"4\" data-take=\"%zu\" data-rate=\"", t->number_fast ? "pt-fast" : "pt-ok",
           t->take);
        bcoord(b, t->number_rate, 2);
        bs(b, "\" cx=\"");
        bcoord(b, CX(j), 1);
        bs(b, "\" cy=\"");
        bcoord(b, CY(t->number_rate), 1);
        bs(b, "\"/><text x=\"");
        bcoord(b, CX(j), 1);
        bs(b, "\" y=\"");
        bcoord(b, CY(t->number_rate) - 7, 1);
        bf(b, "\" text-anchor=\"middle\" class=\"%s\">", t->number_fast ? "lbl-fast" : "lbl-ok");
        bnum(b, t->number_rate, 1);
        bs(b, "</text>");
    }
    bs(b, "<text x=\"");
    bcoord(b, (L + W - R) / 2, 1);
    bs(b, "\" y=\"");
    bcoord(b, H - 3, 1);
    bs(b, "\" text-anchor=\"middle\" class=\"lane\">take</text></svg><figcaption><strong>");
    besc(b, tr->folder);
    bs(b, "</strong>: ");
    besc(b, change);
    bs(b, "</figcaption></figure>\n");
#undef CX
#undef CY
}

/* The progress section: a chart per trainee (number rate, syllables/s). */
static void progress_section(Buf *b, const CliCohort *c)
{
    bs(b, "<h2>Progress by trainee</h2>\n<p class=\"muted\">The phone number's rate in each take, in time order "
          "(syllables a second; the dashed line is the limit, ");
    bnum(b, c->max_number_rate, 1);
    bs(b, ").</p>\n<div class=\"progress\" id=\"progress\">\n");
    for (size_t k = 0; k < c->n_trainees; k++) progress_chart(b, c, k);
    bs(b, "</div>\n");
}

/* ---- the writer ---- */

enum { AUDIO_EMBED, AUDIO_LINK, AUDIO_NONE };

struct CliHtml {
    const CliOptions *o;
    int cohort;
    int audio; /* AUDIO_* */
    char *dir; /* the page's directory, absolute (links to the audio are relative to it) */
    Limits lim;
    Buf page;  /* message page: its body */
    Buf rows;  /* cohort: table rows */
    Buf tmpl;  /* cohort: one <template> of timeline per analysed file */
    Buf fails; /* cohort: failed files */
    size_t n, n_failed, n_fix, counts[VMCHECK_FLAG_COUNT_];
    char title[200];
};

/* The relative URL from the page's directory to the recording at path;
 * the path as given when either cannot be resolved. */
static void audio_url(Buf *b, const CliHtml *h, const char *path)
{
    char *abs = realpath(path, NULL);
    if (!abs || !h->dir) {
        free(abs);
        burl(b, path);
        return;
    }
    const char *d = h->dir, *a = abs;
    if (!strcmp(d, "/")) {
        burl(b, a + 1);
        free(abs);
        return;
    }
    /* the common leading directories */
    size_t common = 0, i = 0;
    while (d[i] && a[i] && d[i] == a[i]) {
        i++;
        if (a[i] == '/' && (d[i] == '/' || d[i] == '\0')) common = i;
    }
    if (d[i] == '\0' && a[i] == '/') common = i;
    for (const char *p = d + common; *p; p++)
        if (*p == '/') bs(b, "../");
    burl(b, a + common + (a[common] == '/'));
    free(abs);
}

static void player(Buf *b, CliHtml *h, const CliResult *res, int mode, int preload)
{
    /* the recording itself (--name-as renames it only in the report) */
    const char *path = h->cohort ? res->path : h->o->inputs[0];
    if (mode == AUDIO_NONE) return;
    if (!strcmp(path, "-")) {
        bs(b, "<p class=\"muted noprint\">The recording came from standard input: no player.</p>\n");
        return;
    }
    if (mode == AUDIO_EMBED) {
        VmcPreview pv;
        int st = vmc_preview_encode(&pv, path, EMBED_MAX_S, NULL);
        if (!st) {
            bf(b, "<audio controls=\"\" preload=\"auto\" data-embedded=\"%s\" data-rate=\"%u\" data-duration=\"",
               pv.mime, pv.rate_hz);
            bcoord(b, pv.duration_s, 3);
            bf(b, "\" src=\"data:%s;base64,", pv.mime);
            b64(b, pv.data, pv.size);
            bs(b, "\"></audio>\n");
            vmc_preview_free(&pv);
            return;
        }
        if (st == VMCHECK_ENOMEM) {
            b->oom = 1;
            return;
        }
        bf(b, "<p class=\"muted noprint\">The audio is %s, so it is linked, not embedded.</p>\n",
           st == VMCHECK_ERANGE ? "over 10 minutes long" : "in a form the page cannot carry");
    }
    bf(b, "<audio controls=\"\" preload=\"%s\" src=\"", preload ? "metadata" : "none");
    audio_url(b, h, path);
    bs(b, "\"></audio>\n");
}

CliHtml *cli_html_create(const CliOptions *o, const char *html_path)
{
    CliHtml *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->o = o;
    h->cohort = o->n_inputs != 1 || o->any_dir;
    h->audio = o->html_audio == CLI_HTML_AUDIO_EMBED  ? AUDIO_EMBED
               : o->html_audio == CLI_HTML_AUDIO_LINK ? AUDIO_LINK
               : o->html_audio == CLI_HTML_AUDIO_NONE ? AUDIO_NONE
               : h->cohort                            ? AUDIO_LINK
                                                      : AUDIO_EMBED;
    h->lim.number = o->cfg.max_number_rate;
    h->lim.name = o->cfg.max_name_rate;
    /* the page's directory: the path up to its last '/' */
    const char *slash = strrchr(html_path, '/');
    char *dir = slash ? strndup(html_path, (size_t)(slash - html_path) + (slash == html_path)) : strdup(".");
    h->dir = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    return h;
}

static void cohort_add(CliHtml *h, const CliResult *res, size_t i)
{
    Buf *b = &h->rows;
    h->n++;
    bf(b, "<tr class=\"row\" data-i=\"%zu\"><td class=\"n wide\" data-v=\"%zu\">%zu</td>", i, i + 1, i + 1);
    bs(b, "<td class=\"file\" data-v=\"");
    besc(b, res->path);
    bs(b, "\">");
    if (!res->report) {
        besc(b, res->path);
        bs(b, "</td><td class=\"n\" data-v=\"\">-</td><td class=\"n wide\" data-v=\"\">-</td>"
              "<td class=\"n\" data-v=\"\">-</td><td class=\"n\" data-v=\"\">-</td><td class=\"n\" data-v=\"\">"
              "</td><td>could not be analysed: ");
        besc(b, res->error);
        bs(b, "</td></tr>\n");
        h->n_failed++;
        bs(&h->fails, "<li>");
        besc(&h->fails, res->path);
        bs(&h->fails, ": ");
        besc(&h->fails, res->error);
        bs(&h->fails, "</li>\n");
        return;
    }
    const VmcheckReport *r = res->report;
    bf(b, "<button class=\"open\" aria-expanded=\"false\" title=\"show the timeline\">");
    besc(b, res->path);
    bs(b, "</button></td><td class=\"n\" data-v=\"");
    bcoord(b, r->score, 1);
    bs(b, "\">");
    bnum(b, r->score, 0);
    bs(b, "</td><td class=\"n wide\" data-v=\"");
    bcoord(b, r->syllables_per_s, 2);
    bs(b, "\">");
    bnum(b, r->syllables_per_s, 1);
    bs(b, "</td>");
    /* the name, and the fastest number */
    for (int kind = VMCHECK_SEGMENT_NAME; kind <= VMCHECK_SEGMENT_NUMBER; kind++) {
        const VmcheckSegment *best = NULL;
        for (size_t k = 0; k < r->segment_count; k++) {
            const VmcheckSegment *s = vmcheck_report_segment(r, k);
            if ((int)s->kind == kind && (!best || s->syllables_per_s > best->syllables_per_s)) best = s;
        }
        if (!best) {
            bs(b, "<td class=\"n\" data-v=\"\">-</td>");
            continue;
        }
        bs(b, "<td class=\"n\" data-v=\"");
        bcoord(b, best->syllables_per_s, 2);
        bs(b, "\">");
        bnum(b, best->syllables_per_s, 1);
        bf(b, " <span class=\"%s\">%s</span></td>", best->too_fast ? "vfast" : "vok",
           best->too_fast ? "TOO FAST" : "ok");
    }
    int fix = 0;
    for (size_t k = 0; k < r->flag_count; k++) {
        const VmcheckFlag *g = vmcheck_report_flag(r, k);
        fix |= g->severity == VMCHECK_SEVERITY_ERROR;
    }
    unsigned seen = 0;
    bf(b, "<td class=\"n\" data-v=\"%zu\">%zu</td><td>", r->flag_count, r->flag_count);
    for (size_t k = 0; k < r->flag_count; k++) {
        const VmcheckFlag *g = vmcheck_report_flag(r, k);
        bf(b, "%s<span class=\"%s\">%s</span>", k ? ", " : "", g->severity == VMCHECK_SEVERITY_ERROR ? "vfast" : "",
           vmcheck_flag_name(g->code));
        if (!(seen >> g->code & 1u)) h->counts[g->code]++;
        seen |= 1u << g->code;
    }
    if (!r->flag_count) bs(b, "good");
    bs(b, "</td></tr>\n");
    h->n_fix += (size_t)fix;
    /* the timeline, drawn when the row is opened */
    Buf *t = &h->tmpl;
    bf(t, "<template id=\"t%zu\"><div class=\"msg\">", i);
    verdict(t, res);
    player(t, h, res, h->audio, 0);
    timeline(t, r, 1, &h->lim);
    bs(t, "</div></template>\n");
}

static void message_add(CliHtml *h, const CliResult *res)
{
    Buf *b = &h->page;
    snprintf(h->title, sizeof(h->title), "vmcheck: %s", res->path);
    bs(b, "<header><h1>vmcheck: ");
    besc(b, res->path);
    bs(b, "</h1></header>\n");
    if (!res->report) {
        bs(b, "<p class=\"verdict v-fix\">could not be analysed: ");
        besc(b, res->error);
        bs(b, "</p>\n");
        return;
    }
    bs(b, "<div class=\"msg\">\n");
    verdict(b, res);
    player(b, h, res, h->audio, 1);
    bs(b, "<p class=\"muted noprint\">Click a span, a flag or any point of the timeline to listen from there.</p>\n");
    timeline(b, res->report, 0, &h->lim);
    legend(b);
    bs(b, "</div>\n");
    figures(b, res);
}

int cli_html_add(CliHtml *h, const CliResult *r, size_t index)
{
    if (h->cohort)
        cohort_add(h, r, index);
    else
        message_add(h, r);
    return h->page.oom || h->rows.oom || h->tmpl.oom || h->fails.oom ? -1 : 0;
}

static int put(FILE *f, const Buf *b) { return b->n && fwrite(b->s, 1, b->n, f) != b->n ? -1 : 0; }

int cli_html_write(CliHtml *h, FILE *f)
{
    Buf top = {NULL, 0, 0, 0};
    if (!h->cohort) {
        page_head(&top, h->title[0] ? h->title : "vmcheck");
        Buf tail = {NULL, 0, 0, 0};
        page_tail(&tail);
        int bad = top.oom || tail.oom || h->page.oom || put(f, &top) || put(f, &h->page) || put(f, &tail);
        free(top.s);
        free(tail.s);
        return bad ? -1 : 0;
    }
    char title[64];
    snprintf(title, sizeof(title), "vmcheck: %zu recordings", h->n);
    page_head(&top, title);
    bf(&top, "<header><h1>%s</h1></header>\n", title);
    bf(&top, "<p class=\"verdict\">%zu analysed, %zu with something to fix, %zu could not be analysed</p>\n",
       h->n - h->n_failed, h->n_fix, h->n_failed);
    /* the count of each flag across the cohort */
    size_t max = 0;
    for (int k = 0; k < VMCHECK_FLAG_COUNT_; k++)
        if (h->counts[k] > max) max = h->counts[k];
    bs(&top, "<h2>Flags across the cohort</h2>\n");
    if (!max) {
        bs(&top, "<p>none</p>\n");
    } else {
        bs(&top, "<table class=\"bars\" id=\"flagbars\"><tbody>");
        for (size_t done = 0; done < VMCHECK_FLAG_COUNT_; done++) {
            /* largest first, ties in code order */
            int best = -1;
            for (int k = 0; k < VMCHECK_FLAG_COUNT_; k++)
                if (h->counts[k] && (best < 0 || h->counts[k] > h->counts[best])) best = k;
            if (best < 0) break;
            bf(&top, "<tr data-code=\"%s\" data-count=\"%zu\"><td>%s</td><td style=\"width:60%%\">",
               vmcheck_flag_name((enum VmcheckFlagCode)best), h->counts[best],
               vmcheck_flag_name((enum VmcheckFlagCode)best));
            bs(&top,
               "<svg width=\"100%\" height=\"14\" role=\"img\" aria-hidden=\"true\"><rect height=\"14\" width=\"");
            bcoord(&top, 100.0 * (double)h->counts[best] / (double)max, 2);
            bs(&top, "%\" class=\"seg-ok\"/></svg></td>");
            bf(&top, "<td class=\"n\">%zu</td></tr>", h->counts[best]);
            h->counts[best] = 0;
        }
        bs(&top, "</tbody></table>\n");
    }
    if (h->n_failed) bs(&top, "<h2>Could not be analysed</h2>\n<ul class=\"failed\">\n");
    Buf mid = {NULL, 0, 0, 0};
    if (h->n_failed) bs(&mid, "</ul>\n");
    if (cli_cohort && cli_cohort->progress) progress_section(&mid, cli_cohort);
    bs(&mid, "<h2>Recordings</h2>\n<p class=\"muted noprint\">Click a column to sort; click a file to see its "
             "timeline.</p>\n");
    legend(&mid);
    bs(&mid, "<table id=\"cohort\"><thead><tr><th class=\"n wide\">#</th><th>file</th><th class=\"n\">score</th>"
             "<th class=\"n wide\">rate, syl/s</th><th class=\"n\">name, syl/s</th><th class=\"n\">number, syl/s</th>"
             "<th class=\"n\">flags</th><th>flagged</th></tr></thead>\n<tbody>\n");
    Buf tail = {NULL, 0, 0, 0};
    bs(&tail, "</tbody></table>\n");
    Buf end = {NULL, 0, 0, 0};
    page_tail(&end);
    int bad = top.oom || mid.oom || tail.oom || end.oom || h->rows.oom || h->tmpl.oom || h->fails.oom;
    bad = bad || put(f, &top) || put(f, &h->fails) || put(f, &mid) || put(f, &h->rows) || put(f, &tail) ||
          put(f, &h->tmpl) || put(f, &end);
    free(top.s);
    free(mid.s);
    free(tail.s);
    free(end.s);
    return bad ? -1 : 0;
}

void cli_html_destroy(CliHtml **hp)
{
    if (!hp || !*hp) return;
    CliHtml *h = *hp;
    free(h->dir);
    free(h->page.s);
    free(h->rows.s);
    free(h->tmpl.s);
    free(h->fails.s);
    free(h);
    *hp = NULL;
}
