/* Expand the command line's files and directories into the list of files to
 * analyse.  Directories are searched recursively, in byte order, for audio
 * files by extension; files named explicitly are always taken (a FIFO too:
 * the user asked for it). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const char *const audio_ext[] = {"wav",  "wave", "flac", "ogg", "oga",  "opus", "mp3", "aif", "aiff",
                                        "aifc", "au",   "snd",  "w64", "rf64", "caf",  "voc", "sph", "nist"};

static int is_audio_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (size_t i = 0; i < sizeof(audio_ext) / sizeof(audio_ext[0]); i++)
        if (!strcasecmp(dot + 1, audio_ext[i])) return 1;
    return 0;
}

static int push(CliOptions *o, size_t *cap, char *p)
{
    if (!p) return -1;
    if (o->n_inputs == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        char **v = realloc(o->inputs, nc * sizeof(*v));
        if (!v) {
            free(p);
            return -1;
        }
        o->inputs = v;
        *cap = nc;
    }
    o->inputs[o->n_inputs++] = p;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The directories already walked, by device and inode: each is visited
 * once, so a symlink loop (or a directory named twice) ends there. */
typedef struct Seen {
    struct {
        dev_t dev;
        ino_t ino;
    } * v;
    size_t n, cap;
} Seen;

/* 1 when st's directory was seen before, else remembers it; -1 on OOM. */
static int seen_before(Seen *seen, const struct stat *st)
{
    for (size_t i = 0; i < seen->n; i++)
        if (seen->v[i].dev == st->st_dev && seen->v[i].ino == st->st_ino) return 1;
    if (seen->n == seen->cap) {
        size_t nc = seen->cap ? 2 * seen->cap : 16;
        void *v = realloc(seen->v, nc * sizeof(*seen->v));
        if (!v) return -1;
        seen->v = v;
        seen->cap = nc;
    }
    seen->v[seen->n].dev = st->st_dev;
    seen->v[seen->n].ino = st->st_ino;
    seen->n++;
    return 0;
}

/* Walk dir (already stat'ed into dst): audio files by extension that are
 * regular files, and subdirectories, each directory once.  Symbolic links
 * are skipped (a link cannot lead out of the tree or round in a loop), or
 * with --follow-symlinks followed.  FIFOs, sockets and devices are never
 * taken, so nothing can block.
 * 0, 1 when a directory could not be read (said on stderr), -1 on OOM. */
static int walk(CliOptions *o, size_t *cap, Seen *seen, const char *dir, const struct stat *dst)
{
    int s = seen_before(seen, dst);
    if (s) return s < 0 ? -1 : 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "vmcheck: %s: cannot read directory: %s\n", dir, strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t n = 0, nc = 0;
    struct dirent *e;
    int bad = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., hidden files */
        if (n == nc) {
            nc = nc ? 2 * nc : 32;
            char **v = realloc(names, nc * sizeof(*v));
            if (!v) {
                bad = -1;
                break;
            }
            names = v;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) {
            bad = -1;
            break;
        }
        snprintf(names[n], len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int keep = 0;
        if (bad >= 0 && lstat(names[i], &st) == 0) {
            /* a link is skipped, or with --follow-symlinks judged by its
             * target (a dangling one is no file) */
            if (S_ISLNK(st.st_mode) && (!o->follow_symlinks || stat(names[i], &st) != 0)) st.st_mode = 0;
            if (S_ISDIR(st.st_mode)) {
                int r = walk(o, cap, seen, names[i], &st);
                if (r < 0)
                    bad = r;
                else
                    bad |= r;
            } else if (S_ISREG(st.st_mode) && is_audio_name(names[i])) {
                keep = 1;
                if (push(o, cap, names[i])) bad = -1;
            }
        }
        if (!keep) free(names[i]);
    }
    free(names);
    return bad;
}

int cli_expand_inputs(CliOptions *o, char **paths, size_t n)
{
    size_t cap = 0;
    Seen seen = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            o->any_dir = 1;
            int r = walk(o, &cap, &seen, paths[i], &st);
            if (r < 0) goto oom;
            if (r) o->walk_failed = 1;
        } else if (push(o, &cap, strdup(paths[i]))) {
            goto oom;
        }
    }
    free(seen.v);
    if (o->n_inputs == 0 && !o->walk_failed) {
        fprintf(stderr, "vmcheck: no audio files found in the given directories\n");
        return 2;
    }
    return 0;
oom:
    free(seen.v);
    fprintf(stderr, "vmcheck: out of memory\n");
    return 2;
}
