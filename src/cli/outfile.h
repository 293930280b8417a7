/* The one writer of every output file (-o, --export-labels): a temporary
 * file beside the target, renamed over it when complete, removed on SIGINT,
 * SIGTERM and SIGHUP; mode 0666 less the umask.  Which paths may be written
 * at all (never an input) is decided before: see main.c. */
#ifndef VMCHECK_OUTFILE_H
#define VMCHECK_OUTFILE_H

#include <stdio.h>

/* Open a temporary file beside path; NULL with why filled on failure. */
FILE *cli_out_open(const char *path, char *why, size_t why_size);
/* Flush, sync and rename over path; -1 with why filled (temp removed). */
int cli_out_commit(FILE *f, const char *path, char *why, size_t why_size);
/* Close and remove the temporary file. */
void cli_out_abort(FILE *f);

#endif
