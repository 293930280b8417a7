/* Expand the command line's files and directories into the list of files to
 * analyse.  Directories are searched recursively, in byte order, for audio
 * files by extension; files named explicitly are always taken (a FIFO too:
 * the user asked for it), except baseline recordings (NAME.baseline.EXT,
 * baseline.EXT), which are never takes.  A directory that holds no audio, or cannot be
 * read, becomes an input of its own that fails with that reason, in its
 * place in the order: the rest of the batch still runs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cohort.h"

/* audio by extension, and not a baseline recording (never a take) */
static int is_take_name(const char *name) { return cli_is_audio_name(name) && !cli_is_baseline_name(name); }

/* Append p (malloc'd, taken over) with the reason it cannot be analysed
 * (a static string) or NULL. */
static int push_why(CliOptions *o, size_t *cap, char *p, const char *why)
{
    if (!p) return -1;
    if (o->n_inputs == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        char **v = realloc(o->inputs, nc * sizeof(*v));
        if (v) o->inputs = v;
        const char **w = v ? realloc(o->input_errors, nc * sizeof(*w)) : NULL;
        if (w) o->input_errors = w;
        if (!v || !w) {
            free(p);
            return -1;
        }
        *cap = nc;
    }
    o->input_errors[o->n_inputs] = why;
    o->inputs[o->n_inputs++] = p;
    return 0;
}

static int push(CliOptions *o, size_t *cap, char *p) { return push_why(o, cap, p, NULL); }

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
 * taken, so nothing can block.  A directory that cannot be read is an
 * input that fails (its place in the order, its reason).
 * 0, 1 when dir was walked before, -1 on OOM. */
static int walk(CliOptions *o, size_t *cap, Seen *seen, const char *dir, const struct stat *dst)
{
    int s = seen_before(seen, dst);
    if (s) return s;
    DIR *d = opendir(dir);
    if (!d)
        return push_why(o, cap, strdup(dir),
                        errno == EACCES ? "cannot read this folder: permission denied" : "cannot read this folder");
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
                if (walk(o, cap, seen, names[i], &st) < 0) bad = -1;
            } else if (S_ISREG(st.st_mode) && is_take_name(names[i])) {
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
    size_t cap = 0, baselines = 0;
    Seen seen = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (cli_is_baseline_name(paths[i]) && (stat(paths[i], &st) != 0 || !S_ISDIR(st.st_mode))) {
            baselines++; /* a baseline a shell pattern named with the takes: not a take */
            continue;
        }
        if (strcmp(paths[i], "-") && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            o->any_dir = 1;
            size_t before = o->n_inputs;
            int r = walk(o, &cap, &seen, paths[i], &st);
            if (r < 0) goto oom;
            /* a folder with no audio in it (one named twice adds nothing the second time) */
            if (r == 0 && o->n_inputs == before && push_why(o, &cap, strdup(paths[i]), "no audio files in this folder"))
                goto oom;
        } else if (push(o, &cap, strdup(paths[i]))) {
            goto oom;
        }
    }
    /* only baselines named: each is an input that fails, saying why */
    for (size_t i = 0; i < n && baselines == n; i++)
        if (push_why(o, &cap, strdup(paths[i]),
                     "a baseline recording (the speaker's ordinary voice), never scored as a take: copy it under "
                     "another name to score it"))
            goto oom;
    free(seen.v);
    return 0;
oom:
    free(seen.v);
    fprintf(stderr, "vmcheck: out of memory\n");
    return 2;
}
