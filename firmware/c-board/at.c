/* The AT side of the C board: line assembly, echo, data phases, the base and configuration
 * commands. Every command line goes through the generated `atspec_parse`; every answer
 * through the generated writers. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "board.h"

static void uart_put(void *ctx, const uint8_t *bytes, size_t len)
{
    int fd = *(int *)ctx;
    while (len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* the host went away: nothing to tell it */
        bytes += n;
        len -= (size_t)n;
    }
}

void board_reset(struct board *b)
{
    b->line_len = 0;
    b->echo = true;
    b->syslog = false;
    b->url_len = 0;
    b->arena_used = 0;
    b->header_count = 0;
    b->auth_mode = 0;
    b->data = DATA_NONE;
}

void board_init(struct board *b, int uart)
{
    b->uart = uart;
    b->out.put = uart_put;
    b->out.ctx = &b->uart;
    b->restarted = false;
    board_reset(b);
}

void board_reply(struct board *b, atspec_reply r)
{
    atspec_write_reply(&b->out, r);
}

void board_boot(struct board *b)
{
    board_reply(b, ATSPEC_REPLY_READY);
}

/* An ERR CODE line while SYSLOG is on (ERRCODE.SYSLOG_ONLY). */
void board_error_code(struct board *b, uint32_t code)
{
    if (b->syslog) atspec_write_err_code_line(&b->out, code);
}

/* Input while a command runs: AT+RST restarts at once, anything else is refused. */
void board_busy_chunk(struct board *b, const uint8_t *bytes, size_t len)
{
    size_t i;
    for (i = 0; i + 8 <= len; i++) {
        if (memcmp(bytes + i, "AT+RST\r\n", 8) == 0) {
            board_reply(b, ATSPEC_REPLY_FORCE_RESTART);
            board_reset(b);
            board_reply(b, ATSPEC_REPLY_READY);
            b->restarted = true;
            return;
        }
    }
    board_error_code(b, ATSPEC_ERR_BUSY);
    board_reply(b, ATSPEC_REPLY_BUSY);
}

/* ---------------------------------------------------------------- handlers */

static struct board *of(void *ctx)
{
    return (struct board *)ctx;
}

static int ok(void *ctx)
{
    board_reply(of(ctx), ATSPEC_REPLY_OK);
    return 0;
}

static int echo_off(void *ctx)
{
#ifndef MUTANT_ECHO_STAYS_ON /* a deliberate bug the certification test must catch */
    of(ctx)->echo = false;
#endif
    return ok(ctx);
}

static int echo_on(void *ctx)
{
    of(ctx)->echo = true;
    return ok(ctx);
}

static int gmr(void *ctx)
{
    static const char at[] = "AT version:atspec-c-board 0.1";
    static const char spec[] = "Spec version:" ATSPEC_SPEC_NAME " " ATSPEC_SPEC_VERSION;
    atspec_write_gmr_version(&of(ctx)->out, (const uint8_t *)at, sizeof at - 1);
    atspec_write_gmr_version(&of(ctx)->out, (const uint8_t *)spec, sizeof spec - 1);
    return ok(ctx);
}

static int rst(void *ctx)
{
    board_reply(of(ctx), ATSPEC_REPLY_OK);
    board_reset(of(ctx));
    board_reply(of(ctx), ATSPEC_REPLY_READY);
    return 0;
}

static int syslog_query(void *ctx)
{
    atspec_write_syslog_query_status(&of(ctx)->out, of(ctx)->syslog ? 1 : 0);
    return ok(ctx);
}

static int syslog_set(void *ctx, const atspec_syslog_set *cmd)
{
    of(ctx)->syslog = cmd->status == ATSPEC_SYSLOG_SET_STATUS_ON;
    return ok(ctx);
}

static void prompt(struct board *b, enum data_for to, size_t n)
{
    board_reply(b, ATSPEC_REPLY_PROMPT);
    b->data = to;
    b->data_need = n;
    b->data_got = 0;
}

static int url_query(void *ctx)
{
    struct board *b = of(ctx);
    if (b->url_len > 0) atspec_write_http_url_cfg_query_url(&b->out, b->url, b->url_len);
    return ok(ctx);
}

static int url_set(void *ctx, const atspec_http_url_cfg_set *cmd)
{
    struct board *b = of(ctx);
    if (cmd->url_length == 0) {
        b->url_len = 0;
        return ok(ctx);
    }
    prompt(b, DATA_URL, (size_t)cmd->url_length);
    return 0;
}

static const uint8_t *entry(const struct board *b, size_t i)
{
    return b->arena + b->headers[i].offset;
}

static int chead_query(void *ctx)
{
    struct board *b = of(ctx);
    size_t i;
    for (i = 0; i < b->header_count; i++) {
        atspec_write_http_c_head_query_entry(&b->out, (int64_t)i, entry(b, i), b->headers[i].len);
    }
    return ok(ctx);
}

static int chead_set(void *ctx, const atspec_http_c_head_set *cmd)
{
    struct board *b = of(ctx);
    size_t n = (size_t)cmd->req_header_len;
    if (n == 0) {
        b->arena_used = 0;
        b->header_count = 0;
        return ok(ctx);
    }
    if (n > HEADER_ARENA - b->arena_used) {
        board_reply(b, ATSPEC_REPLY_ERROR); /* HTTPCHEAD.LENGTH.RANGE: the store cannot take it */
        return 0;
    }
    prompt(b, DATA_HEADER, n);
    return 0;
}

static int http_cfg(void *ctx, const atspec_http_cfg *cmd)
{
    struct board *b = of(ctx);
    /* No TLS and no certificate slots: every mode that needs a slot finds none. */
    if (cmd->auth_mode & 1) {
        atspec_write_http_cfg_no_cert(&b->out);
        board_reply(b, ATSPEC_REPLY_ERROR);
        return 0;
    }
    if (cmd->auth_mode & 2) {
        atspec_write_http_cfg_no_ca(&b->out);
        board_reply(b, ATSPEC_REPLY_ERROR);
        return 0;
    }
    b->auth_mode = (uint8_t)cmd->auth_mode;
    return ok(ctx);
}

static int http_client(void *ctx, const atspec_http_client *cmd)
{
    return board_http_client(of(ctx), cmd);
}

/* What this firmware implements, by member name (a form the spec adds later cannot shift an
 * entry onto the wrong handler); AT+HTTPGETSIZE/CGET/CPOST/CPUT stay NULL and are answered
 * ERROR. */
static const atspec_handlers HANDLERS = {
    .at = ok,
    .echo_off = echo_off,
    .echo_on = echo_on,
    .gmr = gmr,
    .rst = rst,
    .syslog_query = syslog_query,
    .syslog_set = syslog_set,
    .http_client = http_client,
    .http_url_cfg_query = url_query,
    .http_url_cfg_set = url_set,
    .http_c_head_query = chead_query,
    .http_c_head_set = chead_set,
    .http_cfg = http_cfg,
};

/* ---------------------------------------------------------------- data phases */

static void commit_url(struct board *b)
{
    if (memchr(b->incoming, 0, b->data_need) != NULL) {
        board_reply(b, ATSPEC_REPLY_ERROR); /* HTTPURLCFG.NUL */
        return;
    }
    memcpy(b->url, b->incoming, b->data_need);
    b->url_len = b->data_need;
    board_reply(b, ATSPEC_REPLY_SET_OK);
}

/* Moves the header entries' bytes together after one was replaced. */
static void compact(struct board *b)
{
    uint8_t copy[HEADER_ARENA];
    size_t i, at = 0;
    memcpy(copy, b->arena, b->arena_used);
    for (i = 0; i < b->header_count; i++) {
        memcpy(b->arena + at, copy + b->headers[i].offset, b->headers[i].len);
        b->headers[i].offset = (uint16_t)at;
        at += b->headers[i].len;
    }
    b->arena_used = at;
}

static void commit_header(struct board *b)
{
    const uint8_t *bytes = b->arena + b->arena_used;
    size_t n = b->data_need, i;
    const uint8_t *colon = memchr(bytes, ':', n);
    if (memchr(bytes, 0, n) != NULL || colon == NULL) {
        board_reply(b, ATSPEC_REPLY_ERROR); /* HTTPCHEAD.NEED_COLON */
        return;
    }
    for (i = 0; i < b->header_count; i++) {
        const uint8_t *e = entry(b, i);
        const uint8_t *c = memchr(e, ':', b->headers[i].len);
        size_t name = (size_t)(colon - bytes);
        if (c != NULL && (size_t)(c - e) == name && memcmp(e, bytes, name) == 0) {
            b->headers[i].offset = (uint16_t)b->arena_used;
            b->headers[i].len = (uint16_t)n;
            b->arena_used += n;
            compact(b);
            board_reply(b, ATSPEC_REPLY_OK);
            return;
        }
    }
    if (b->header_count == MAX_HEADERS) {
        board_reply(b, ATSPEC_REPLY_ERROR);
        return;
    }
    memmove(b->headers + 1, b->headers, b->header_count * sizeof b->headers[0]);
    b->headers[0].offset = (uint16_t)b->arena_used;
    b->headers[0].len = (uint16_t)n;
    b->header_count++;
    b->arena_used += n;
    board_reply(b, ATSPEC_REPLY_OK);
}

/* Raw bytes after a prompt (no echo); returns how many it took. */
static size_t data_bytes(struct board *b, const uint8_t *bytes, size_t len)
{
    size_t n = b->data_need - b->data_got;
    if (n > len) n = len;
    if (b->data == DATA_URL) memcpy(b->incoming + b->data_got, bytes, n);
    else memcpy(b->arena + b->arena_used + b->data_got, bytes, n);
    b->data_got += n;
    if (b->data_got == b->data_need) {
        enum data_for to = b->data;
        b->data = DATA_NONE;
        if (to == DATA_URL) commit_url(b);
        else commit_header(b);
    }
    return n;
}

/* ---------------------------------------------------------------- lines */

static void run_line(struct board *b, const uint8_t *line, size_t len)
{
    uint8_t scratch[ATSPEC_SCRATCH_BYTES];
    atspec_command cmd;
    atspec_rejection rej;
    if (!atspec_parse(line, len, scratch, sizeof scratch, &cmd, &rej)) {
        atspec_write_rejection(&b->out, &rej, b->syslog);
        return;
    }
    if (atspec_dispatch(&cmd, &HANDLERS, b) == ATSPEC_UNHANDLED) {
        /* A command of the spec this firmware does not have: refused as unknown. */
        board_error_code(b, ATSPEC_ERR_UNSUPPORTED_CMD);
        board_reply(b, ATSPEC_REPLY_ERROR);
    }
}

/* One byte of command input (FRAMING.LINE.*): CR LF ends a line, NUL discards what came
 * before, more than 255 bytes without a terminator are discarded (a final CR kept). */
static void command_byte(struct board *b, uint8_t c)
{
    if (b->echo) uart_put(&b->uart, &c, 1);
    if (c == 0) {
        b->line_len = 0;
        return;
    }
    b->line[b->line_len++] = c;
    if (b->line_len >= 2 && b->line[b->line_len - 2] == '\r' && c == '\n') {
        uint8_t text[ATSPEC_LINE_BYTES];
        size_t n = b->line_len - 2;
        memcpy(text, b->line, n);
        b->line_len = 0;
        run_line(b, text, n);
        return;
    }
    if (b->line_len > ATSPEC_LINE_BYTES - 1) {
        b->line_len = 0;
        if (c == '\r') b->line[b->line_len++] = '\r';
    }
}

void board_input(struct board *b, const uint8_t *bytes, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (b->data != DATA_NONE) {
            i += data_bytes(b, bytes + i, len - i);
            continue;
        }
        b->rest = bytes + i + 1;
        b->rest_len = len - i - 1;
        b->rest_taken = false;
        command_byte(b, bytes[i++]);
        /* A network command took the rest of the chunk as busy input (or AT+RST in it). */
        if (b->rest_taken || b->restarted) {
            b->restarted = false;
            return;
        }
    }
}
