/* Every file vmcheck writes (-o, --export-labels) goes through here: a
 * temporary file in the same directory, renamed over the target once it is
 * complete, so nobody ever sees a half-written file.  SIGINT, SIGTERM and
 * SIGHUP remove the temporary files before the process dies; the target is
 * then untouched (absent, or the previous complete file).  The result gets
 * the mode of an ordinary new file, 0666 less the umask. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/outfile.h"

/* One slot per file being written; the handler reads only slots whose path
 * is complete (live is set after the path, cleared before it changes). */
#define SLOTS 4
static struct {
    char tmp[4096];
    FILE *f;
    volatile sig_atomic_t live;
} slot[SLOTS];

static void on_signal(int sig)
{
    for (int k = 0; k < SLOTS; k++)
        if (slot[k].live) unlink(slot[k].tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    static int done;
    if (done) return;
    done = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* the handler must not be interrupted by one of the others */
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static int find(const FILE *f)
{
    for (int k = 0; k < SLOTS; k++)
        if (slot[k].f == f && f) return k;
    return -1;
}

FILE *cli_out_open(const char *path, char *why, size_t why_size)
{
    int k = 0;
    while (k < SLOTS && (slot[k].f || slot[k].live)) k++;
    if (k == SLOTS) {
        snprintf(why, why_size, "too many output files");
        return NULL;
    }
    install_handlers();
    if (snprintf(slot[k].tmp, sizeof(slot[k].tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(slot[k].tmp)) {
        snprintf(why, why_size, "path too long");
        return NULL;
    }
    /* block the signals between creating the file and marking it live, so
     * that no temporary file can be left behind */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    int fd = mkstemp(slot[k].tmp);
    int err = errno;
    if (fd >= 0) slot[k].live = 1;
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        snprintf(why, why_size, "cannot create a file beside it: %s", strerror(err));
        return NULL;
    }
    /* mkstemp makes 0600; an output is an ordinary file */
    mode_t um = umask(0);
    umask(um);
    FILE *f = fchmod(fd, 0666 & ~um) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(why, why_size, "%s", strerror(errno));
        close(fd);
        unlink(slot[k].tmp);
        slot[k].live = 0;
        return NULL;
    }
    slot[k].f = f;
    return f;
}

int cli_out_commit(FILE *f, const char *path, char *why, size_t why_size)
{
    int k = find(f);
    if (k < 0) {
        snprintf(why, why_size, "not an open output");
        return -1;
    }
    int bad = fflush(f) != 0 || ferror(f);
    int err = bad ? errno : 0;
    if (!bad && fsync(fileno(f)) != 0 && errno != EINVAL) {
        bad = 1;
        err = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    slot[k].f = NULL;
    if (!bad && rename(slot[k].tmp, path) != 0) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        unlink(slot[k].tmp);
        snprintf(why, why_size, "cannot write: %s", strerror(err ? err : EIO));
    }
    slot[k].live = 0;
    return bad ? -1 : 0;
}

void cli_out_abort(FILE *f)
{
    int k = find(f);
    if (k < 0) return;
    fclose(f);
    slot[k].f = NULL;
    unlink(slot[k].tmp);
    slot[k].live = 0;
}
