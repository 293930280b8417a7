/* Audacity label tracks: good files, CRLF, UTF-8, point labels, malformed
 * lines (with the line number), and times outside the recording. */
#include <string.h>

#include "test.h"
#include "vmcheck/vmcheck.h"

static int parse(const char *text, VmcheckSegmentSpec **v, size_t *n, size_t *bad)
{
    *v = NULL;
    *n = 0;
    *bad = 0;
    return vmcheck_labels_parse(v, n, bad, text, strlen(text));
}

int main(void)
{
    VmcheckSegmentSpec *v;
    size_t n, bad;
    int r = parse("1.5\t3.25\tname\n10\t16.5\tNumber\n17\t18\tthanks\n", &v, &n, &bad);
    CHECK(r == VMCHECK_OK && n == 2, "good file: r=%d n=%zu", r, n);
    if (n == 2) {
        CHECK(v[0].kind == VMCHECK_SEGMENT_NAME && v[0].start_s == 1.5 && v[0].end_s == 3.25 && v[0].line == 1,
              "name segment");
        CHECK(v[1].kind == VMCHECK_SEGMENT_NUMBER && v[1].start_s == 10 && v[1].end_s == 16.5 && v[1].line == 2,
              "number segment (any case)");
    }
    vmcheck_labels_free(&v);
    r = parse("1.0\t2.0\tname\r\n3.0\t4.0\tnumber\r\n", &v, &n, &bad);
    CHECK(r == VMCHECK_OK && n == 2 && v[1].end_s == 4.0, "CRLF line ends");
    vmcheck_labels_free(&v);
    r = parse("\xEF\xBB\xBF"
              "0.5\t1.0\tnumber\n2\t3\t\xC3\xA9t\xC3\xA9\n4\t4\tname\n\\\t100\t3000\n",
              &v, &n, &bad);
    CHECK(r == VMCHECK_OK && n == 1, "BOM, UTF-8 label ignored, point label ignored, frequency row skipped: n=%zu", n);
    vmcheck_labels_free(&v);
    r = parse("1\t2\tname\nabc\tdef\tname\n", &v, &n, &bad);
    CHECK(r == VMCHECK_ELABELS && bad == 2, "malformed line 2: r=%d bad=%zu", r, bad);
    r = parse("1\t2\tname\n\n3\t2\tnumber\n", &v, &n, &bad);
    CHECK(r == VMCHECK_ELABELS && bad == 3, "end before start on line 3: r=%d bad=%zu", r, bad);
    r = parse("-1\t2\tname\n", &v, &n, &bad);
    CHECK(r == VMCHECK_ELABELS && bad == 1, "negative time on line 1");
    r = parse("1\t2x\tname\n", &v, &n, &bad);
    CHECK(r == VMCHECK_ELABELS && bad == 1, "junk after a number");
    r = parse("", &v, &n, &bad);
    CHECK(r == VMCHECK_OK && n == 0, "empty file: no segments");
    vmcheck_labels_free(&v);

    /* times outside the recording: finish() refuses, naming the line */
    float x[16000] = {0};
    VmcheckSegmentSpec s[1] = {{VMCHECK_SEGMENT_NUMBER, 0.5, 2.5, 7}};
    char msg[256] = "";
    VmcheckConfig cfg;
    vmcheck_config_default(&cfg);
    cfg.logger.cookie = msg;
    cfg.logger.callback = NULL;
    VmcheckAnalyzer *a = NULL;
    VmcheckReport *rep = NULL;
    r = vmcheck_analyzer_create(&a, &cfg, 16000);
    CHECK(r == 0, "create");
    r = vmcheck_analyzer_push(a, x, 16000);
    r = vmcheck_analyzer_finish(a, &rep, s, 1, NULL);
    CHECK(r == VMCHECK_ELABELS && rep == NULL, "segment past the end of a 1 s file refused: r=%d", r);
    vmcheck_analyzer_destroy(&a);
    s[0].end_s = 1.0;
    r = vmcheck_analyzer_create(&a, &cfg, 16000);
    r |= vmcheck_analyzer_push(a, x, 16000);
    r |= vmcheck_analyzer_finish(a, &rep, s, 1, NULL);
    CHECK(r == VMCHECK_OK && rep != NULL, "segment ending at the end accepted: r=%d", r);
    vmcheck_report_free(&rep);
    vmcheck_analyzer_destroy(&a);
    return test_done();
}
