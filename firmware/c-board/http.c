/* AT+HTTPCLIENT over plain sockets: one connection per command, the response printed as
 * payload lines of at most the fixed buffer size. The UART is watched all along: input while
 * the command runs is answered busy, and AT+RST restarts at once. No TLS: an https:// target
 * takes the network-failure path (the board's device profile says `tls: false`). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "board.h"

struct bytes {
    const uint8_t *ptr;
    size_t len;
};

struct target {
    bool tls;
    bool known_scheme;
    struct bytes host;
    unsigned port;
    struct bytes path;
};

static bool ieq(const uint8_t *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uint8_t x = a[i], y = (uint8_t)b[i];
        if (x >= 'A' && x <= 'Z') x = (uint8_t)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (uint8_t)(y + 32);
        if (x != y) return false;
    }
    return true;
}

static const uint8_t *find(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;
    for (i = 0; i + k <= n; i++) {
        if (memcmp(hay + i, needle, k) == 0) return hay + i;
    }
    return NULL;
}

/* scheme://[user@]host[:port][/path][?query][#fragment] (HTTP.URL.VALID). */
static bool parse_url(const uint8_t *u, size_t n, struct target *t)
{
    const uint8_t *sep = find(u, n, "://"), *rest, *end, *auth, *colon = NULL, *p;
    size_t scheme, i;
    if (sep == NULL || sep == u) return false;
    scheme = (size_t)(sep - u);
    for (i = 0; i < scheme; i++) {
        uint8_t c = u[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '.' || c == '-';
        if (!ok) return false;
    }
    t->tls = scheme == 5 && ieq(u, "https", 5);
    t->known_scheme = t->tls || (scheme == 4 && ieq(u, "http", 4));
    rest = sep + 3;
    for (end = rest; end < u + n && *end != '/' && *end != '?' && *end != '#'; end++) {
    }
    auth = rest;
    for (p = rest; p < end; p++) {
        if (*p == '@') auth = p + 1;
    }
    for (p = auth; p < end; p++) {
        if (*p == ':') colon = p;
    }
    if (colon != NULL && (*auth != '[' || colon[-1] == ']')) {
        unsigned long port = 0;
        if (colon + 1 == end) return false;
        for (p = colon + 1; p < end; p++) {
            if (*p < '0' || *p > '9') return false;
            port = port * 10u + (unsigned long)(*p - '0');
            if (port > 65535u) return false;
        }
        t->port = (unsigned)port;
        t->host.ptr = auth;
        t->host.len = (size_t)(colon - auth);
    } else {
        t->port = t->tls ? 443u : 80u;
        t->host.ptr = auth;
        t->host.len = (size_t)(end - auth);
    }
    if (t->host.len == 0) return false;
    /* Path and query, up to a fragment; "/" when there is none. */
    for (p = end; p < u + n && *p != '#'; p++) {
    }
    if (p == end) {
        t->path.ptr = (const uint8_t *)"/";
        t->path.len = 1;
    } else {
        t->path.ptr = end;
        t->path.len = (size_t)(p - end);
    }
    return true;
}

/* The target: the url, else host and path, else the stored URL (HTTPCLIENT.URL.*). */
static bool resolve(const struct board *b, const atspec_http_client *c, struct target *t)
{
    bool url = c->has_url && c->url.len > 0;
    bool host = c->has_host && c->host.len > 0, path = c->has_path && c->path.len > 0;
    if (url) return parse_url(c->url.ptr, c->url.len, t);
    if (host && path) {
        bool tls = c->has_transport_type && c->transport_type == ATSPEC_HTTP_CLIENT_TRANSPORT_TYPE_SSL;
        t->tls = tls;
        t->known_scheme = true;
        t->host.ptr = c->host.ptr;
        t->host.len = c->host.len;
        t->port = tls ? 443u : 80u;
        t->path.ptr = c->path.ptr;
        t->path.len = c->path.len;
        return true;
    }
    if (host || path) return false;
    return b->url_len > 0 && parse_url(b->url, b->url_len, t);
}

/* ---------------------------------------------------------------- the request */

#define MAX_FIELDS 40

struct fields {
    struct bytes name[MAX_FIELDS];
    struct bytes value[MAX_FIELDS];
    size_t len;
};

static struct bytes trim(const uint8_t *p, size_t n)
{
    struct bytes r;
    while (n > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n')) n--;
    r.ptr = p;
    r.len = n;
    return r;
}

/* A later field replaces the value of an earlier one of the same name, in its place. */
static void set(struct fields *f, struct bytes name, struct bytes value)
{
    size_t i;
    value = trim(value.ptr, value.len);
    for (i = 0; i < f->len; i++) {
        if (f->name[i].len == name.len && ieq(f->name[i].ptr, (const char *)name.ptr, name.len)) {
            f->value[i] = value;
            return;
        }
    }
    if (f->len == MAX_FIELDS) return;
    f->name[f->len] = name;
    f->value[f->len] = value;
    f->len++;
}

static void set_line(struct fields *f, const uint8_t *line, size_t n)
{
    const uint8_t *c = memchr(line, ':', n);
    struct bytes v;
    if (c == NULL) return;
    v.ptr = c + 1;
    v.len = n - (size_t)(c - line) - 1;
    set(f, trim(line, (size_t)(c - line)), v);
}

static struct bytes text(const char *s)
{
    struct bytes b;
    b.ptr = (const uint8_t *)s;
    b.len = strlen(s);
    return b;
}

struct out {
    uint8_t *buf;
    size_t cap, len;
    bool overflow;
};

static void put(struct out *o, const void *p, size_t n)
{
    if (n > o->cap - o->len) {
        o->overflow = true;
        n = o->cap - o->len;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

/* The request head and body into `tx`; false when it does not fit the fixed buffer. */
static bool build(const struct board *b, const atspec_http_client *c, const struct target *t,
    uint8_t *tx, size_t *len)
{
    struct fields f;
    struct out o;
    char host[300], length[24];
    const char *method = atspec_http_client_opt_meaning(c->opt);
    bool post = c->opt == ATSPEC_HTTP_CLIENT_OPT_POST;
    size_t i;
    if (t->host.len > 255) return false;
    memcpy(host, t->host.ptr, t->host.len);
    host[t->host.len] = 0;
    if (t->port != (t->tls ? 443u : 80u)) sprintf(host + t->host.len, ":%u", t->port);
    f.len = 0;
    set(&f, text("Host"), text(host));
    set(&f, text("User-Agent"), text(ATSPEC_LIMIT_USER_AGENT));
    if (c->has_content_type) set(&f, text("Content-Type"), text(atspec_http_client_content_type_meaning(c->content_type)));
    else if (post) set(&f, text("Content-Type"), text(atspec_http_client_content_type_meaning(ATSPEC_HTTP_CLIENT_CONTENT_TYPE_FORM_URLENCODED)));
    if (post) sprintf(length, "%lu", (unsigned long)(c->has_data ? c->data.len : 0));
    if (c->opt == ATSPEC_HTTP_CLIENT_OPT_PUT) strcpy(length, "0");
    if (post || c->opt == ATSPEC_HTTP_CLIENT_OPT_PUT) set(&f, text("Content-Length"), text(length));
    for (i = 0; i < c->http_req_header.len; i++) set_line(&f, c->http_req_header.items[i].ptr, c->http_req_header.items[i].len);
    for (i = 0; i < b->header_count; i++) set_line(&f, b->arena + b->headers[i].offset, b->headers[i].len);
    o.buf = tx;
    o.cap = FIXED_BUFFER;
    o.len = 0;
    o.overflow = false;
    put(&o, method, strlen(method));
    put(&o, " ", 1);
    put(&o, t->path.ptr, t->path.len);
    put(&o, " HTTP/1.1\r\n", 11);
    for (i = 0; i < f.len; i++) {
        put(&o, f.name[i].ptr, f.name[i].len);
        put(&o, ": ", 2);
        put(&o, f.value[i].ptr, f.value[i].len);
        put(&o, "\r\n", 2);
    }
    put(&o, "\r\n", 2);
    if (post && c->has_data) put(&o, c->data.ptr, c->data.len);
    *len = o.len;
    return !o.overflow;
}

/* ---------------------------------------------------------------- the transaction */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

enum wait { READY, TIMEOUT, RESTARTED, FAILED };

/* Waits until `sock` has `events` or the deadline passes, answering UART input as busy. */
static enum wait wait_for(struct board *b, int sock, short events, long deadline)
{
    for (;;) {
        struct pollfd p[2];
        long left = deadline - now_ms();
        if (left <= 0) return TIMEOUT;
        p[0].fd = sock;
        p[0].events = events;
        p[1].fd = b->uart;
        p[1].events = POLLIN;
        if (poll(p, 2, (int)left) < 0) {
            if (errno == EINTR) continue;
            return FAILED;
        }
        if (p[1].revents & POLLIN) {
            uint8_t in[512];
            ssize_t n = read(b->uart, in, sizeof in);
            if (n > 0) {
                board_busy_chunk(b, in, (size_t)n);
                if (b->restarted) return RESTARTED;
            }
        }
        if (p[0].revents & (events | POLLERR | POLLHUP)) return READY;
    }
}

static int connect_to(struct board *b, const struct target *t, long *deadline, enum wait *w)
{
    char host[256], port[8];
    struct addrinfo hints, *res = NULL, *ai;
    int sock = -1;
    memcpy(host, t->host.ptr, t->host.len);
    host[t->host.len] = 0;
    sprintf(port, "%u", t->port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    *w = FAILED;
    if (getaddrinfo(host, port, &hints, &res) != 0) return -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int err = 0;
        socklen_t el = sizeof err;
        sock = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (sock < 0) continue;
        fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
        if (connect(sock, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            *w = wait_for(b, sock, POLLOUT, *deadline);
            if (*w == READY && getsockopt(sock, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0) break;
            if (*w == RESTARTED || *w == TIMEOUT) {
                close(sock);
                sock = -1;
                break;
            }
        }
        close(sock);
        sock = -1;
    }
    freeaddrinfo(res);
    if (sock >= 0) *w = READY;
    return sock;
}

static void network_failure(struct board *b)
{
    board_error_code(b, ATSPEC_ERR_HTTP_CONNECT_FAILED);
    board_reply(b, ATSPEC_REPLY_ERROR);
}

static void answer(struct board *b, unsigned status)
{
    if (status >= 400) {
        board_error_code(b, ATSPEC_ERR_HTTP_STATUS_PLUS(status));
        board_reply(b, ATSPEC_REPLY_ERROR);
    } else {
        board_reply(b, ATSPEC_REPLY_OK);
    }
}

/* ---------------------------------------------------------------- the response */

#define MAX_RESPONSE_FIELDS 48

struct head {
    unsigned status;
    size_t fields;
    struct bytes name[MAX_RESPONSE_FIELDS];
    struct bytes value[MAX_RESPONSE_FIELDS];
};

static bool is_token(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Status line and fields of a head that ends with its empty line. */
static bool parse_head(const uint8_t *h, size_t n, struct head *out)
{
    const uint8_t *end = h + n, *p = h, *eol;
    if (n < 12 || memcmp(h, "HTTP/1.", 7) != 0 || (h[7] != '0' && h[7] != '1') || h[8] != ' ') return false;
    if (h[9] < '0' || h[9] > '9' || h[10] < '0' || h[10] > '9' || h[11] < '0' || h[11] > '9') return false;
    out->status = (unsigned)((h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0'));
    eol = find(p, (size_t)(end - p), "\r\n");
    if (eol == NULL || (eol > h + 12 && h[12] != ' ')) return false;
    p = eol + 2;
    out->fields = 0;
    while (p < end) {
        const uint8_t *colon;
        eol = find(p, (size_t)(end - p), "\r\n");
        if (eol == NULL) return false;
        if (eol == p) return true; /* the empty line */
        for (colon = p; colon < eol && is_token(*colon); colon++) {
        }
        if (colon == p || colon == eol || *colon != ':' || out->fields == MAX_RESPONSE_FIELDS) return false;
        out->name[out->fields].ptr = p;
        out->name[out->fields].len = (size_t)(colon - p);
        out->value[out->fields] = trim(colon + 1, (size_t)(eol - colon - 1));
        out->fields++;
        p = eol + 2;
    }
    return false;
}

enum framing { NONE, LENGTH, CHUNKED, CLOSE };

/* Chunked transfer coding, a byte at a time. */
struct chunks {
    enum { SIZE, SIZE_EXT, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE, BAD } state;
    uint64_t left;
    size_t line;
    bool digits;
};

/* Feeds `n` bytes; data bytes are moved to the front of `buf`: returns how many. */
static size_t dechunk(struct chunks *c, uint8_t *buf, size_t n)
{
    size_t i, out = 0;
    for (i = 0; i < n && c->state != DONE && c->state != BAD; i++) {
        uint8_t x = buf[i];
        int d = (x >= '0' && x <= '9') ? x - '0' : (x >= 'a' && x <= 'f') ? x - 'a' + 10 : (x >= 'A' && x <= 'F') ? x - 'A' + 10 : -1;
        switch (c->state) {
        case SIZE:
            if (d >= 0 && c->left < (UINT64_C(1) << 56)) {
                c->left = c->left * 16u + (uint64_t)d;
                c->digits = true;
            } else if (x == '\r' && c->digits) c->state = SIZE_LF;
            else if ((x == ';' || x == ' ' || x == '\t') && c->digits) c->state = SIZE_EXT;
            else c->state = BAD;
            break;
        case SIZE_EXT:
            if (x == '\r') c->state = SIZE_LF;
            break;
        case SIZE_LF:
            if (x != '\n') c->state = BAD;
            else if (c->left == 0) {
                c->state = TRAILER;
                c->line = 0;
            } else c->state = DATA;
            break;
        case DATA:
            buf[out++] = x;
            if (--c->left == 0) c->state = DATA_CR;
            break;
        case DATA_CR:
            c->state = x == '\r' ? DATA_LF : BAD;
            break;
        case DATA_LF:
            c->state = x == '\n' ? SIZE : BAD;
            c->digits = false;
            break;
        case TRAILER:
            if (x == '\r') c->state = TRAILER_LF;
            else c->line++;
            break;
        case TRAILER_LF:
            if (x != '\n') c->state = BAD;
            else if (c->line == 0) c->state = DONE;
            else {
                c->line = 0;
                c->state = TRAILER;
            }
            break;
        default:
            break;
        }
    }
    return out;
}

static bool field_is(const struct bytes *name, const char *what)
{
    return name->len == strlen(what) && ieq(name->ptr, what, name->len);
}

/* HEAD: each response field as `Name: Value`, then the answer (HTTPCLIENT.HEAD.*). */
static void head_lines(struct board *b, const struct head *h)
{
    size_t i;
    for (i = 0; i < h->fields; i++) {
        atspec_write_http_client_header_head(&b->out, h->name[i].len + 2 + h->value[i].len);
        b->out.put(b->out.ctx, h->name[i].ptr, h->name[i].len);
        b->out.put(b->out.ctx, (const uint8_t *)": ", 2);
        b->out.put(b->out.ctx, h->value[i].ptr, h->value[i].len);
        atspec_write_http_client_header_tail(&b->out);
    }
    answer(b, h->status);
}

/* Reads the head, then the body as payload lines, and answers. */
static void receive_response(struct board *b, int sock, bool head_only, long deadline)
{
    static uint8_t rx[FIXED_BUFFER];
    static struct head h;
    size_t have = 0, head_len = 0, extra;
    enum framing framing = CLOSE;
    uint64_t left = 0;
    struct chunks ch;
    for (;;) {
        const uint8_t *blank;
        ssize_t n;
        enum wait w;
        if (have == sizeof rx) { network_failure(b); return; } /* a head larger than the buffer */
        w = wait_for(b, sock, POLLIN, deadline);
        if (w == RESTARTED) return;
        if (w != READY) { network_failure(b); return; }
        n = recv(sock, rx + have, sizeof rx - have, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) { network_failure(b); return; } /* HTTP.RESPONSE.INCOMPLETE */
        have += (size_t)n;
        deadline = now_ms() + FIXED_TIMEOUT_MS;
        blank = find(rx, have, "\r\n\r\n");
        if (blank != NULL) {
            head_len = (size_t)(blank - rx) + 4;
            break;
        }
    }
    if (!parse_head(rx, head_len, &h)) { network_failure(b); return; }
    if (head_only) { head_lines(b, &h); return; }
    {
        size_t i;
        bool length_given = false;
        for (i = 0; i < h.fields; i++) {
            if (field_is(&h.name[i], "transfer-encoding") && find(h.value[i].ptr, h.value[i].len, "chunked") != NULL) framing = CHUNKED;
            if (field_is(&h.name[i], "content-length") && h.value[i].len > 0 && h.value[i].len < 19) {
                size_t k;
                uint64_t v = 0;
                for (k = 0; k < h.value[i].len && h.value[i].ptr[k] >= '0' && h.value[i].ptr[k] <= '9'; k++) v = v * 10u + (uint64_t)(h.value[i].ptr[k] - '0');
                if (k == h.value[i].len) {
                    left = v;
                    length_given = true;
                }
            }
        }
        if (framing != CHUNKED && length_given) framing = LENGTH;
        if ((h.status >= 100 && h.status < 200) || h.status == 204 || h.status == 304) framing = NONE;
        if (framing == NONE || (framing == LENGTH && left == 0)) { answer(b, h.status); return; }
    }
    memset(&ch, 0, sizeof ch);
    ch.state = SIZE;
    /* The bytes that came with the head are the body's first. */
    extra = have - head_len;
    memmove(rx, rx + head_len, extra);
    have = extra;
    for (;;) {
        size_t n = have;
        if (framing == CHUNKED) {
            n = dechunk(&ch, rx, have);
            if (ch.state == BAD) { network_failure(b); return; }
        } else if (framing == LENGTH && (uint64_t)n > left) {
            n = (size_t)left;
        }
        if (n > 0) atspec_write_http_client_body(&b->out, rx, n);
        if (framing == LENGTH) {
            left -= n;
            if (left == 0) { answer(b, h.status); return; }
        }
        if (framing == CHUNKED && ch.state == DONE) { answer(b, h.status); return; }
        for (;;) {
            ssize_t r;
            enum wait w = wait_for(b, sock, POLLIN, deadline);
            if (w == RESTARTED) return;
            if (w != READY) { network_failure(b); return; } /* HTTP.TIMEOUT.NETWORK */
            r = recv(sock, rx, sizeof rx, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (r == 0 && framing == CLOSE) { answer(b, h.status); return; }
            if (r <= 0) { network_failure(b); return; }
            have = (size_t)r;
            deadline = now_ms() + FIXED_TIMEOUT_MS;
            break;
        }
    }
}

int board_http_client(struct board *b, const atspec_http_client *c)
{
    struct target t;
    static uint8_t tx[FIXED_BUFFER];
    size_t len, sent = 0;
    long deadline;
    enum wait w;
    int sock;
    if (b->rest_len > 0) {
        /* The rest of the chunk the line came in: input while this command runs. */
        board_busy_chunk(b, b->rest, b->rest_len);
        b->rest_taken = true;
        if (b->restarted) return 0;
    }
    if (atspec_http_client_opt_meaning(c->opt)[0] == 0) {
        network_failure(b); /* HTTPCLIENT.OPT.UNKNOWN: the request cannot be built */
        return 0;
    }
    if (!resolve(b, c, &t)) {
        board_reply(b, ATSPEC_REPLY_ERROR);
        return 0;
    }
    if (!t.known_scheme || t.tls || !build(b, c, &t, tx, &len)) {
        network_failure(b);
        return 0;
    }
    deadline = now_ms() + FIXED_TIMEOUT_MS;
    sock = connect_to(b, &t, &deadline, &w);
    if (w == RESTARTED) return 0;
    if (sock < 0) {
        network_failure(b);
        return 0;
    }
    while (sent < len) {
        ssize_t n = send(sock, tx + sent, len - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            deadline = now_ms() + FIXED_TIMEOUT_MS;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            w = wait_for(b, sock, POLLOUT, deadline);
            if (w == READY) continue;
        }
        close(sock);
        if (w != RESTARTED) network_failure(b);
        return 0;
    }
    receive_response(b, sock, c->opt == ATSPEC_HTTP_CLIENT_OPT_HEAD, deadline);
    close(sock);
    return 0;
}
