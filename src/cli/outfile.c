/* -o FILE: write to a temporary file in the same directory, then rename, so
 * nobody ever sees a half-written table.  SIGINT/SIGTERM/SIGHUP remove the
 * temporary file before the process dies. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/outfile.h"

static char tmp_path[4096];
static volatile sig_atomic_t have_tmp;

static void on_signal(int sig)
{
    if (have_tmp) unlink(tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

FILE *cli_out_open(const char *path, char *why, size_t why_size)
{
    if (snprintf(tmp_path, sizeof(tmp_path), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp_path)) {
        snprintf(why, why_size, "path too long");
        return NULL;
    }
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        snprintf(why, why_size, "cannot create a file beside it: %s", strerror(errno));
        return NULL;
    }
    have_tmp = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(why, why_size, "%s", strerror(errno));
        close(fd);
        unlink(tmp_path);
        have_tmp = 0;
    }
    return f;
}

int cli_out_commit(FILE *f, const char *path, char *why, size_t why_size)
{
    int bad = fflush(f) != 0 || ferror(f);
    if (!bad) bad = fsync(fileno(f)) != 0 && errno != EINVAL;
    int err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    /* mkstemp makes 0600; an output table is an ordinary file */
    mode_t um = umask(0);
    umask(um);
    chmod(tmp_path, 0666 & ~um);
    if (!bad && rename(tmp_path, path) != 0) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        unlink(tmp_path);
        snprintf(why, why_size, "cannot write: %s", strerror(err));
    }
    have_tmp = 0;
    return bad ? -1 : 0;
}

void cli_out_abort(FILE *f)
{
    if (f) fclose(f);
    if (have_tmp) unlink(tmp_path);
    have_tmp = 0;
}
