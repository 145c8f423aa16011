/* The differential tests' view of the generated parser: one call parses a line and flattens
 * the outcome into fixed-width fields (no C enum, bool or pointer layout crosses the FFI).
 * Generic over the spec: it knows nothing of any command. */
#include "shim.h"

typedef struct shim_value {
    uint32_t kind;   /* atspec_value_kind */
    int32_t i;
    uint32_t offset; /* of the bytes in the scratch buffer */
    uint32_t len;
} shim_value;

typedef struct shim_outcome {
    uint32_t parsed;  /* 1: a command, 0: a rejection */
    uint32_t name;    /* atspec_name */
    uint32_t form;    /* atspec_form */
    uint32_t n_values;
    shim_value values[64];
    uint32_t reject_kind;
    uint32_t reject_index;
    uint32_t has_err_code;
    uint32_t err_code;
    uint32_t result_len;
    uint8_t result[64];
    uint8_t printed[128]; /* atspec_write_rejection with SYSLOG on */
    uint32_t printed_len;
} shim_outcome;

static void buffer_put(void *ctx, const uint8_t *bytes, size_t len)
{
    struct buffer *b = (struct buffer *)ctx;
    size_t i;
    for (i = 0; i < len && b->len < b->cap; i++) b->bytes[b->len++] = bytes[i];
}

void shim_parse(const uint8_t *line, size_t len, uint8_t *scratch, size_t scratch_len, shim_outcome *out)
{
    atspec_command cmd;
    atspec_rejection rej;
    atspec_value values[64];
    size_t i, n;
    out->n_values = 0;
    out->result_len = 0;
    out->printed_len = 0;
    if (atspec_parse(line, len, scratch, scratch_len, &cmd, &rej)) {
        out->parsed = 1;
        out->name = (uint32_t)atspec_command_name(cmd.kind);
        out->form = (uint32_t)atspec_command_form(cmd.kind);
        n = atspec_command_values(&cmd, values, 64);
        out->n_values = (uint32_t)n;
        for (i = 0; i < n && i < 64; i++) {
            out->values[i].kind = (uint32_t)values[i].kind;
            out->values[i].i = values[i].i;
            out->values[i].offset = values[i].b.ptr != NULL ? (uint32_t)(values[i].b.ptr - scratch) : 0u;
            out->values[i].len = (uint32_t)values[i].b.len;
        }
        return;
    }
    out->parsed = 0;
    out->reject_kind = (uint32_t)rej.kind;
    out->reject_index = rej.index;
    out->has_err_code = rej.has_err_code;
    out->err_code = rej.err_code;
    for (i = 0; i < rej.result_len && i < sizeof out->result; i++) out->result[i] = rej.result[i];
    out->result_len = (uint32_t)i;
    {
        struct buffer b;
        atspec_sink s;
        b.bytes = out->printed;
        b.cap = sizeof out->printed;
        b.len = 0;
        s.put = buffer_put;
        s.ctx = &b;
        atspec_write_rejection(&s, &rej, true);
        out->printed_len = (uint32_t)b.len;
    }
}

/* The name of a command as the generated table spells it. */
const char *shim_name_str(uint32_t name)
{
    return atspec_name_str((atspec_name)name);
}

/* A buffer sink for the generated writer shim. */
void shim_buffer_sink(atspec_sink *s, struct buffer *b, uint8_t *bytes, size_t cap)
{
    b->bytes = bytes;
    b->cap = cap;
    b->len = 0;
    s->put = buffer_put;
    s->ctx = b;
}

/* Only the parse, for the bench: the command stays on this frame. */
int shim_parse_only(const uint8_t *line, size_t len, uint8_t *scratch, size_t scratch_len)
{
    atspec_command cmd;
    atspec_rejection rej;
    return atspec_parse(line, len, scratch, scratch_len, &cmd, &rej) ? 1 : 0;
}
