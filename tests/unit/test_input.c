/* A regular file's bytes come through the read-ahead block exactly as the
 * file holds them: reads of every size from 1 byte to past the block, at
 * random positions, seeks, from a descriptor whose audio starts part-way in
 * (base), through two copies of the input taking turns (they share the
 * block), over the end; a file that shrinks while it is read gives a short
 * read (what the block already held, then the end); a failing descriptor
 * a read error.  Each against the bytes written, read with pread. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/source_backend.h"
#include "test.h"

#define FILE_BYTES (3 * 1024 * 1024 + 12345)

static uint32_t rng_state = 12345u;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* Reads n bytes at pos through in and compares them with want[pos...];
 * the number of bytes that differ or are missing (-1: the read failed). */
static long read_at(VmcInput *in, const unsigned char *want, int64_t pos, int64_t n, unsigned char *buf)
{
    if (vmc_input_seek(in, pos, SEEK_SET) != pos) return -1;
    const int64_t got = vmc_input_read(in, buf, n);
    if (got < 0) return -1;
    const int64_t expect = pos >= in->size ? 0 : (n < in->size - pos ? n : in->size - pos);
    long bad = got == expect ? 0 : 1 + (long)(expect > got ? expect - got : got - expect);
    for (int64_t i = 0; i < got && i < expect; i++) bad += buf[i] != want[pos + i];
    return in->pos == pos + got ? bad : bad + 1;
}

int main(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/vmcheck-test-input-XXXXXX");
    const int wfd = mkstemp(path);
    if (wfd < 0) return 99;
    unsigned char *bytes = malloc(FILE_BYTES), *buf = malloc(FILE_BYTES + 1000);
    if (!bytes || !buf) return 99;
    for (size_t i = 0; i < FILE_BYTES; i++) bytes[i] = (unsigned char)(rnd() & 0xff);
    if (write(wfd, bytes, FILE_BYTES) != FILE_BYTES) return 99;
    close(wfd);

    for (int64_t base = 0; base <= 7777; base += 7777) {
        const int fd = open(path, O_RDONLY);
        VmcInput in = {.fd = fd, .size = FILE_BYTES - base, .base = base, .spool_fd = -1};
        vmc_input_read_ahead(&in);
        CHECK(in.ra != NULL, "base %lld: a read-ahead block", (long long)base);
        const unsigned char *want = bytes + base;

        /* in order, in the sizes a decoder asks for, to the end */
        long bad = 0;
        int64_t pos = 0, total = 0;
        for (int64_t k = 1; pos < in.size; k = k % 9000 + 1 + (int64_t)(rnd() % 5000)) {
            const int64_t got = vmc_input_read(&in, buf, k);
            if (got <= 0) break;
            for (int64_t i = 0; i < got; i++) bad += buf[i] != want[pos + i];
            pos += got;
            total += got;
        }
        CHECK(total == in.size && bad == 0, "base %lld: in order, %lld of %lld bytes, %ld differ", (long long)base,
              (long long)total, (long long)in.size, bad);
        CHECK(vmc_input_read(&in, buf, 10) == 0, "base %lld: 0 at the end", (long long)base);

        /* random positions and sizes, small, across the block, larger than it */
        long bad_random = 0, failed = 0;
        for (int t = 0; t < 3000; t++) {
            const int64_t at = (int64_t)(rnd() % (uint32_t)(in.size + 100));
            const int64_t n = t % 3 == 0   ? 1 + (int64_t)(rnd() % 16)
                              : t % 3 == 1 ? 1 + (int64_t)(rnd() % 200000)
                                           : 1 + (int64_t)(rnd() % 600000);
            const long b = read_at(&in, want, at, n, buf);
            if (b < 0)
                failed++;
            else
                bad_random += b;
        }
        CHECK(failed == 0 && bad_random == 0, "base %lld: 3000 random reads, %ld failed, %ld bytes wrong",
              (long long)base, failed, bad_random);

        /* two copies taking turns, each at its own position */
        VmcInput copy = in;
        int64_t pa = 0, pb = in.size / 2;
        long bad_copies = 0;
        for (int t = 0; t < 2000 && pa < in.size; t++) {
            const int64_t n = 1 + (int64_t)(rnd() % 3000);
            const long a = read_at(&in, want, pa, n, buf), b = read_at(&copy, want, pb, n, buf);
            bad_copies += (a < 0 ? 1 : a) + (b < 0 ? 1 : b);
            pa += n;
            pb = (pb + 7 * n) % in.size;
        }
        CHECK(bad_copies == 0, "base %lld: two copies in turn, %ld bytes wrong", (long long)base, bad_copies);
        free(in.ra);
        close(fd);
    }

    /* a descriptor that cannot be read: -1 and its errno */
    {
        const int fd = open(path, O_WRONLY);
        VmcInput in = {.fd = fd, .size = 5000, .spool_fd = -1};
        vmc_input_read_ahead(&in);
        CHECK(vmc_input_read(&in, buf, 100) == -1 && in.read_errno != 0, "write-only descriptor: a read error");
        free(in.ra);
        close(fd);
    }

    /* no block (its memory refused): straight reads, the same bytes */
    {
        const int fd = open(path, O_RDONLY);
        VmcInput in = {.fd = fd, .size = FILE_BYTES, .spool_fd = -1};
        long bad = 0;
        for (int t = 0; t < 200; t++) {
            const long b = read_at(&in, bytes, (int64_t)(rnd() % FILE_BYTES), 1 + (int64_t)(rnd() % 9000), buf);
            bad += b < 0 ? 1 : b;
        }
        CHECK(bad == 0, "without a block: %ld bytes wrong", bad);
        close(fd);
    }
    /* the file shrinks under the reader: what the block already held, then
     * the end */
    {
        const int fd = open(path, O_RDWR);
        VmcInput in = {.fd = fd, .size = FILE_BYTES, .spool_fd = -1};
        vmc_input_read_ahead(&in);
        CHECK(vmc_input_read(&in, buf, 100) == 100 && !memcmp(buf, bytes, 100), "before the cut: the bytes");
        const int64_t cut = 5000;
        CHECK(ftruncate(fd, cut) == 0, "ftruncate");
        /* the block read before the cut still holds bytes up to its end */
        int64_t pos = 100, got;
        while ((got = vmc_input_read(&in, buf, 1000)) > 0) pos += got;
        CHECK(pos <= 128 * 1024 + 100 && pos >= cut, "after the cut: read to %lld (the block's end at most)",
              (long long)pos);
        CHECK(read_at(&in, bytes, 200000, 100, buf) != 0, "past the new end: a short read");
        vmc_input_seek(&in, 200000, SEEK_SET);
        CHECK(vmc_input_read(&in, buf, 100) == 0, "past the new end: nothing");
        free(in.ra);
        close(fd);
    }

    remove(path);
    free(bytes);
    free(buf);
    return test_done();
}
