/* The sanitizer build's driver: reads a corpus of records from a file, parses or writes each
 * with buffers allocated to their exact size (so a read or write one byte past them is an
 * AddressSanitizer report), and prints one canonical line per record for the test to compare
 * with the Rust outcome. Records (little-endian u32 unless said):
 *   'P' len scratch_len bytes[len]
 *   'W' id part n_ints i64[n_ints] n_bytes (len bytes[len])[n_bytes]             */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

size_t shim_write(uint32_t id, uint32_t part, const int64_t *ints, const uint8_t *const *ptrs,
    const size_t *lens, uint8_t *out, size_t cap);

static FILE *in;

static uint32_t u32(void)
{
    uint8_t b[4];
    if (fread(b, 1, 4, in) != 4) exit(3);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint8_t *bytes(size_t n)
{
    /* malloc(0) may return NULL: keep one byte of room but never read it. */
    uint8_t *p = (uint8_t *)malloc(n ? n : 1);
    if (p == NULL || (n && fread(p, 1, n, in) != n)) exit(3);
    return p;
}

static void hex(const uint8_t *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) printf("%02x", b[i]);
}

static void sink_put(void *ctx, const uint8_t *b, size_t n)
{
    struct buffer *buf = (struct buffer *)ctx;
    size_t i;
    for (i = 0; i < n && buf->len < buf->cap; i++) buf->bytes[buf->len++] = b[i];
}

static void parse_record(void)
{
    size_t len = u32(), scratch_len = u32(), i, n;
    uint8_t *line = bytes(len);
    uint8_t *scratch = (uint8_t *)malloc(scratch_len ? scratch_len : 1);
    atspec_command cmd;
    atspec_rejection rej;
    atspec_value v[64];
    if (scratch == NULL) exit(3);
    if (atspec_parse(line, len, scratch_len ? scratch : NULL, scratch_len, &cmd, &rej)) {
        printf("C %s %d ", atspec_name_str(atspec_command_name(cmd.kind)), (int)atspec_command_form(cmd.kind));
        n = atspec_command_values(&cmd, v, 64);
        for (i = 0; i < n; i++) {
            if (i) putchar(',');
            if (v[i].kind == ATSPEC_VALUE_INT) printf("i%ld", (long)v[i].i);
            else if (v[i].kind == ATSPEC_VALUE_BYTES) {
                putchar('b');
                hex(v[i].b.ptr, v[i].b.len);
            } else putchar('-');
        }
    } else {
        uint8_t out[128];
        struct buffer b;
        atspec_sink s;
        b.bytes = out;
        b.cap = sizeof out;
        b.len = 0;
        s.put = sink_put;
        s.ctx = &b;
        atspec_write_rejection(&s, &rej, true);
        printf("R %d %d ", (int)rej.kind, (int)rej.index);
        if (rej.has_err_code) printf("%08lx ", (unsigned long)rej.err_code);
        else printf("- ");
        hex(out, b.len);
    }
    putchar('\n');
    free(line);
    free(scratch);
}

static void write_record(void)
{
    uint32_t id = u32(), part = u32(), n_ints = u32(), n_bytes, i;
    int64_t ints[8];
    const uint8_t *ptrs[8];
    size_t lens[8], cap = 256, n;
    uint8_t *owned[8], *out;
    for (i = 0; i < n_ints && i < 8; i++) {
        uint32_t lo = u32(), hi = u32();
        ints[i] = (int64_t)((uint64_t)hi << 32 | lo);
    }
    n_bytes = u32();
    for (i = 0; i < n_bytes && i < 8; i++) {
        lens[i] = u32();
        owned[i] = bytes(lens[i]);
        ptrs[i] = owned[i];
        cap += lens[i];
    }
    out = (uint8_t *)malloc(cap);
    if (out == NULL) exit(3);
    n = shim_write(id, part, ints, ptrs, lens, out, cap);
    printf("W ");
    hex(out, n);
    putchar('\n');
    free(out);
    for (i = 0; i < n_bytes && i < 8; i++) free(owned[i]);
}

int main(int argc, char **argv)
{
    int c;
    if (argc != 2 || (in = fopen(argv[1], "rb")) == NULL) return 2;
    while ((c = fgetc(in)) != EOF) {
        if (c == 'P') parse_record();
        else if (c == 'W') write_record();
        else return 3;
    }
    fclose(in);
    return 0;
}
