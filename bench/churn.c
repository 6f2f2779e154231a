/* churn: a file-churn generator for measuring what the change journal costs a busy filesystem.
 * Usage: churn DIR OPERATIONS [DIRECTORIES] [SEED] [MAX-KIB]
 * Works in DIRECTORIES folders under DIR (default 200) and does OPERATIONS operations, chosen by a fixed
 * pseudo-random sequence (the same seed gives the same operations): 40% create a new file and write 1-8 KiB,
 * 25% overwrite the start of an existing file, 20% rename a file (to another folder half of the time), 15% delete a file.
 * An overwrite, rename or delete of a slot with no file creates one instead, so the mix done is 62% create, 16%
 * overwrite, 13% rename and 9% delete for 50,000 operations in 200 folders, 56%, 18%, 15% and 11% for 200,000.
 * MAX-KIB (default 8) sets the largest write: each is 1 KiB to MAX-KIB KiB (fs_mark's default file is 50 KiB). At most 64 files live in a folder; a create in a full folder deletes one first. Written in C so the kernel's
 * work, not an interpreter's, dominates the generator's CPU time. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOTS 64
static uint64_t state;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: churn DIR OPERATIONS [DIRECTORIES] [SEED] [MAX-KIB]\n"); return 2; }
    const char *root = argv[1];
    long operations = atol(argv[2]);
    int folders = argc > 3 ? atoi(argv[3]) : 200;
    state = argc > 4 ? strtoull(argv[4], NULL, 10) : 88172645463325252ULL;
    long maxKiB = argc > 5 ? atol(argv[5]) : 8;
    if (maxKiB < 1 || maxKiB > 1024) { fprintf(stderr, "MAX-KIB must be 1 to 1024\n"); return 2; }
    if (operations <= 0 || folders <= 0) { fprintf(stderr, "OPERATIONS and DIRECTORIES must be positive\n"); return 2; }
    unsigned char *present = calloc((size_t)folders * SLOTS, 1);
    static char data[1024 * 1024];
    char path[4096], other[4096];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (char)('a' + i % 26);
    for (int d = 0; d < folders; d++) {
        snprintf(path, sizeof path, "%s/d%03d", root, d);
        if (mkdir(path, 0755) != 0) { perror(path); return 1; }
    }
    long counts[4] = {0};
    for (long i = 0; i < operations; i++) {
        int d = (int)(next() % (uint64_t)folders), s = (int)(next() % SLOTS), kind = (int)(next() % 100);
        unsigned char *here = &present[d * SLOTS + s];
        snprintf(path, sizeof path, "%s/d%03d/f%02d", root, d, s);
        int op = kind < 40 ? 0 : kind < 65 ? 1 : kind < 85 ? 2 : 3;
        if (op != 0 && !*here) op = 0;   /* nothing there to overwrite, rename or delete: create */
        if (op == 0 && *here) { unlink(path); *here = 0; }
        counts[op]++;
        if (op == 0 || op == 1) {
            /* No O_TRUNC and no rename onto an existing file: on ext4 both make close() or rename() wait for the
             * data to be written (auto_da_alloc), which would measure the disk, not the CPU. */
            int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0) { perror(path); return 1; }
            size_t size = maxKiB == 1 ? 1024 : 1024 + (size_t)(next() % (uint64_t)((maxKiB - 1) * 1024));
            if (write(fd, data, size) != (ssize_t)size) { perror(path); return 1; }
            close(fd);
            *here = 1;
        } else if (op == 2) {
            int to = (next() & 1) ? (int)(next() % (uint64_t)folders) : d, slot = (int)(next() % SLOTS);
            if (to == d && slot == s) continue;
            snprintf(other, sizeof other, "%s/d%03d/f%02d", root, to, slot);
            if (present[to * SLOTS + slot]) unlink(other);
            if (rename(path, other) != 0) { perror(path); return 1; }
            *here = 0;
            present[to * SLOTS + slot] = 1;
        } else {
            if (unlink(path) != 0) { perror(path); return 1; }
            *here = 0;
        }
    }
    printf("%ld operations: %ld creates, %ld overwrites, %ld renames, %ld deletes\n", operations, counts[0], counts[1], counts[2], counts[3]);
    return 0;
}
