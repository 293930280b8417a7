/* Expand the command line's files and directories into the list of files to
 * analyse.  Directories are searched recursively, in byte order, for audio
 * files by extension; files named explicitly are always taken. */
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

static int walk(CliOptions *o, size_t *cap, const char *dir, int depth)
{
    if (depth > 32) return 0; /* symlink loops end here */
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
        if (bad >= 0 && stat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            int r = walk(o, cap, names[i], depth + 1);
            if (r < 0)
                bad = r;
            else
                bad |= r;
            free(names[i]);
        } else if (bad >= 0 && is_audio_name(names[i])) {
            if (push(o, cap, names[i])) bad = -1;
        } else {
            free(names[i]);
        }
    }
    free(names);
    return bad;
}

int cli_expand_inputs(CliOptions *o, char **paths, size_t n)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            o->any_dir = 1;
            int r = walk(o, &cap, paths[i], 0);
            if (r < 0) goto oom;
            if (r) o->walk_failed = 1;
        } else if (push(o, &cap, strdup(paths[i]))) {
            goto oom;
        }
    }
    if (o->n_inputs == 0 && !o->walk_failed) {
        fprintf(stderr, "vmcheck: no audio files found in the given directories\n");
        return 2;
    }
    return 0;
oom:
    fprintf(stderr, "vmcheck: out of memory\n");
    return 2;
}
