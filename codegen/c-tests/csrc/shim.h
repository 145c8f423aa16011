/* Shared by the hand-written parse shim and the generated writer shim. */
#ifndef SHIM_H
#define SHIM_H
#include "atspec_at.h"

struct buffer {
    uint8_t *bytes;
    size_t cap;
    size_t len;
};

void shim_buffer_sink(atspec_sink *s, struct buffer *b, uint8_t *bytes, size_t cap);
#endif
