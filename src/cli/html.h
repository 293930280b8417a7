/* --html FILE: a self-contained HTML report (inline CSS, SVG and a little
 * JavaScript; nothing fetched from the network).  One input: the message
 * page (verdict, timeline, pace strip, player, figures).  Several inputs
 * or a folder: the cohort page (a sortable table, flag counts, failed
 * files, each row opening that message's timeline).  Text from outside
 * (file names, script text, flag messages) is escaped; no outside text is
 * ever put inside a <script>; numbers never go through the locale. */
#ifndef VMCHECK_HTML_H
#define VMCHECK_HTML_H

#include <stdio.h>

#include "cli/cli.h"

typedef struct CliHtml CliHtml;

/* A page for the run o describes, to be written to html_path (used to make
 * the cohort's links to the recordings relative to it).  NULL on OOM. */
CliHtml *cli_html_create(const CliOptions *o, const char *html_path);
/* Add one result, in input order (the report is not kept). 0 or -1 (OOM). */
int cli_html_add(CliHtml *h, const CliResult *r, size_t index);
/* Write the finished page to f.  0 or -1 (OOM). */
int cli_html_write(CliHtml *h, FILE *f);
/* Accepts NULL and *h == NULL, sets *h to NULL. */
void cli_html_destroy(CliHtml **h);

/* Escape s (UTF-8; bad bytes become U+FFFD) for HTML text and attributes;
 * exposed for the unit test.  Returns a malloc'd string or NULL. */
char *cli_html_escape(const char *s);

#endif
