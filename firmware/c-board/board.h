/* The C board: an AT firmware written against the generated parser (codegen/c/atspec_at.h),
 * running on a pseudo-terminal. POSIX C99. See README.md for what it implements. */
#ifndef BOARD_H
#define BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atspec_at.h"

/* The AT+HTTPCHEAD store: entries share one arena, newest first (as ESP-AT keeps them). */
#define HEADER_ARENA 1024u
#define MAX_HEADERS 16u
/* The AT+HTTPURLCFG store: the spec's longest URL. */
#define URL_CAPACITY ((size_t)ATSPEC_LIMIT_URL_LENGTH_MAX)
/* AT+HTTPCLIENT's fixed buffers and timeout (HTTP.BUFFER.FIXED). */
#define FIXED_BUFFER ((size_t)ATSPEC_LIMIT_FIXED_BUFFERS_DEFAULT)
#define FIXED_TIMEOUT_MS ((int)ATSPEC_LIMIT_FIXED_TIMEOUT_DEFAULT)

struct header_entry {
    uint16_t offset;
    uint16_t len;
};

/* Where data-phase bytes go. */
enum data_for { DATA_NONE, DATA_URL, DATA_HEADER };

struct board {
    int uart;          /* the pty master */
    atspec_sink out;   /* writes to the UART */
    /* line assembly */
    uint8_t line[ATSPEC_LINE_BYTES];
    size_t line_len;
    /* state AT+RST clears */
    bool echo;
    bool syslog;
    uint8_t url[URL_CAPACITY];
    size_t url_len;
    uint8_t incoming[URL_CAPACITY];
    uint8_t arena[HEADER_ARENA];
    size_t arena_used;
    struct header_entry headers[MAX_HEADERS];
    size_t header_count;
    uint8_t auth_mode;
    /* a data phase after a prompt */
    enum data_for data;
    size_t data_need;
    size_t data_got;
    /* set by AT+RST typed while a command runs: the command stops at once */
    bool restarted;
    /* the rest of the UART chunk a command line ended in: input while a network command
     * runs (answered busy), so the command takes it and the line loop drops it */
    const uint8_t *rest;
    size_t rest_len;
    bool rest_taken;
};

/* at.c */
void board_init(struct board *b, int uart);
void board_boot(struct board *b);
void board_input(struct board *b, const uint8_t *bytes, size_t len);
void board_reset(struct board *b);
void board_error_code(struct board *b, uint32_t code);
void board_reply(struct board *b, atspec_reply r);
void board_busy_chunk(struct board *b, const uint8_t *bytes, size_t len);

/* http.c: AT+HTTPCLIENT. */
int board_http_client(struct board *b, const atspec_http_client *cmd);

#endif
