//! The syntax primitives every command shares, as `static` C functions: the same rules as the
//! Rust runtime (`codegen/rt`), which the comments name so a reader can compare them.

use std::fmt::Write;

use super::Names;
use crate::ir::Ir;

/// The primitives' C text; `source::used_helpers` keeps the ones the file calls.
pub fn generate(ir: &Ir, n: &Names) -> String {
    let p = &n.p;
    let up = &n.up;
    let mut c = String::new();
    let [sep, quote, esc] = ir.syntax;
    let _ = write!(
        c,
        "/* Parameter syntax (`framing.params`). */\n\
         #define SEP {sep}u\n#define QUOTE {quote}u\n#define ESC {esc}u\n#define HEX_INTS {hex}\n\
         /* The longest line, terminator excluded. */\n\
         #define LINE_MAX ({up}_LINE_BYTES - {up}_TERMINATOR_LEN)\n\
         /* Fields a line may split into: the spec's limit, at most {up}_LIST_MAX. */\n\
         #define FIELDS_MAX ({up}_MAX_PARAMS < {up}_LIST_MAX ? {up}_MAX_PARAMS : {up}_LIST_MAX)\n\n",
        hex = u8::from(ir.hex),
    );
    c.push_str(&format!(
        r#"/* How a parameter may be written (the spec's `presence`):
 *            required       positional     optional   trailing
 *   absent   parse failure  parse failure  omitted    omitted
 *   empty    invalid        omitted        omitted    invalid   */
enum presence {{ REQUIRED, POSITIONAL, OPTIONAL, TRAILING }};

/* The fields of one set line: spans into the line (rt::Fields). */
typedef struct fields {{
    const uint8_t *src;
    uint16_t start[{up}_LIST_MAX];
    uint16_t end[{up}_LIST_MAX];
    size_t len;
}} fields;

/* A bump allocator over the caller's scratch buffer (rt::Scratch). */
typedef struct scratch {{
    uint8_t *buf;
    size_t cap;
    size_t used;
}} scratch;

static bool ascii_ieq(const uint8_t *a, const char *b, size_t n)
{{
    size_t i;
    for (i = 0; i < n; i++) {{
        uint8_t x = a[i], y = (uint8_t)b[i];
        if (x >= 'a' && x <= 'z') x = (uint8_t)(x - 32u);
        if (y >= 'a' && y <= 'z') y = (uint8_t)(y - 32u);
        if (x != y) return false;
    }}
    return true;
}}

/* Name bytes: A-Z a-z 0-9 _ ! % - . / : (rt::head). */
static bool is_name_byte(uint8_t b)
{{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
           b == '_' || b == '!' || b == '%' || b == '-' || b == '.' || b == '/' || b == ':';
}}

/* What the spec answers to a refused line of this kind (Answers::reject). */
static bool reject({p}_rejection *r, {p}_reject_kind kind, size_t index)
{{
    const struct answer *a = &ANSWERS[kind == {up}_REJECT_PARAM_COUNT ? {up}_REJECT_INVALID_PARAM : kind];
    r->kind = kind;
    r->index = (uint8_t)index;
    r->has_err_code = a->has_code;
    r->err_code = a->code + (a->plus_index ? (uint32_t)(uint8_t)index : 0u);
    r->result = (const uint8_t *)a->result;
    r->result_len = a->result_len;
    return false;
}}

/* Splits at every separator not preceded by the escape byte; quotes play no part. More than
 * FIELDS_MAX fields is false (rt::Fields::split). */
static bool split(const uint8_t *src, size_t len, fields *f)
{{
    size_t i = 0, start = 0;
    f->src = src;
    f->len = 0;
    while (i < len) {{
        if (src[i] == ESC) {{
            i += 2;
            continue;
        }}
        if (src[i] == SEP) {{
            if (f->len == FIELDS_MAX) return false;
            f->start[f->len] = (uint16_t)start;
            f->end[f->len] = (uint16_t)i;
            f->len++;
            start = i + 1;
        }}
        i++;
    }}
    if (f->len == FIELDS_MAX) return false;
    f->start[f->len] = (uint16_t)start;
    f->end[f->len] = (uint16_t)len;
    f->len++;
    return true;
}}

/* The raw bytes of field `at`, or *has = false when the presence rule lets it be omitted
 * (rt::param::raw). */
static bool raw_field(const fields *f, size_t at, enum presence pr, {p}_bytes *v, bool *has, {p}_rejection *r)
{{
    if (at >= f->len) {{
        *has = false;
        if (pr == REQUIRED || pr == POSITIONAL) return reject(r, {up}_REJECT_PARSE_FAILURE, at);
        return true;
    }}
    v->ptr = f->src + f->start[at];
    v->len = (size_t)(f->end[at] - f->start[at]);
    if (v->len == 0) {{
        *has = false;
        if (pr == REQUIRED || pr == TRAILING) return reject(r, {up}_REJECT_INVALID_PARAM, at);
        return true;
    }}
    *has = true;
    return true;
}}

"#
    ));
    c.push_str(&values(p, up));
    c.push_str(&number_writers(p));
    c
}

/// Integer and string fields, and the literal writer.
fn values(p: &str, up: &str) -> String {
    format!(
        r#"/* An optional `-` and decimal digits, or `0x` and hex digits: accumulated as unsigned 32-bit
 * with an overflow check, then read as two's complement; `-` and `0x` alone are 0
 * (rt::int::parse). */
static bool parse_int(const uint8_t *b, size_t len, int32_t *out)
{{
    uint32_t acc = 0, radix = 10;
    bool neg = false;
    size_t i = 0;
    if (HEX_INTS && len >= 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {{
        radix = 16;
        i = 2;
    }} else if (len >= 1 && b[0] == '-') {{
        neg = true;
        i = 1;
    }}
    for (; i < len; i++) {{
        uint32_t d;
        uint8_t c = b[i];
        if (c >= '0' && c <= '9') d = (uint32_t)(c - '0');
        else if (radix == 16 && c >= 'a' && c <= 'f') d = (uint32_t)(c - 'a' + 10);
        else if (radix == 16 && c >= 'A' && c <= 'F') d = (uint32_t)(c - 'A' + 10);
        else return false;
        if (acc > (UINT32_C(0xFFFFFFFF) - d) / radix) return false;
        acc = acc * radix + d;
    }}
    if (neg) acc = 0u - acc;
    *out = acc <= UINT32_C(0x7FFFFFFF) ? (int32_t)acc : -(int32_t)(UINT32_C(0xFFFFFFFF) - acc) - 1;
    return true;
}}

/* An integer field (rt::param::int). */
static bool take_int(const fields *f, size_t at, enum presence pr, int32_t *v, bool *has, {p}_rejection *r)
{{
    {p}_bytes b;
    if (!raw_field(f, at, pr, &b, has, r)) return false;
    if (*has && !parse_int(b.ptr, b.len, v)) return reject(r, {up}_REJECT_PARSE_FAILURE, at);
    return true;
}}

/* A quoted field decoded into the scratch buffer: the escape byte makes the next byte literal;
 * a dangling escape, an unescaped quote inside or no room is a parse failure (rt::string). */
static bool take_str(const fields *f, size_t at, enum presence pr, scratch *s, {p}_bytes *v, bool *has, {p}_rejection *r)
{{
    {p}_bytes b;
    size_t i, n = 0, end;
    /* No arithmetic on a null buffer (a zero-length scratch may be NULL). */
    uint8_t *out = s->buf != NULL ? s->buf + s->used : NULL;
    size_t room = s->cap - s->used;
    if (!raw_field(f, at, pr, &b, has, r)) return false;
    if (!*has) return true;
    if (b.len == 1 && b.ptr[0] == QUOTE) {{
        v->ptr = out;
        v->len = 0;
        return true;
    }}
    if (b.len < 2 || b.ptr[0] != QUOTE || b.ptr[b.len - 1] != QUOTE) return reject(r, {up}_REJECT_PARSE_FAILURE, at);
    end = b.len - 1;
    for (i = 1; i < end; i++) {{
        uint8_t c = b.ptr[i];
        if (c == ESC) {{
            if (++i >= end) return reject(r, {up}_REJECT_PARSE_FAILURE, at);
            c = b.ptr[i];
        }} else if (c == QUOTE) {{
            return reject(r, {up}_REJECT_PARSE_FAILURE, at);
        }}
        if (n == room) return reject(r, {up}_REJECT_PARSE_FAILURE, at);
        out[n++] = c;
    }}
    s->used += n;
    v->ptr = out;
    v->len = n;
    return true;
}}

/* Whether `hay` contains `needle` (rt::string::contains). */
static bool contains({p}_bytes hay, const char *needle, size_t n)
{{
    size_t i, j;
    if (n == 0) return true;
    for (i = 0; i + n <= hay.len; i++) {{
        for (j = 0; j < n && hay.ptr[i + j] == (uint8_t)needle[j]; j++) {{
        }}
        if (j == n) return true;
    }}
    return false;
}}

static void put(const {p}_sink *s, const char *lit, size_t len)
{{
    s->put(s->ctx, (const uint8_t *)lit, len);
}}

"#
    )
}

/// The decimal and hex writers (left out of the file when no template uses them: see
/// `source::used_helpers`).
fn number_writers(p: &str) -> String {
    format!(
        r#"/* A signed decimal (rt::sink::put_decimal). */
static void put_decimal(const {p}_sink *s, int64_t v)
{{
    uint8_t buf[20];
    size_t i = sizeof buf;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {{
        buf[--i] = (uint8_t)('0' + (u % 10u));
        u /= 10u;
    }} while (u != 0);
    if (v < 0) put(s, "-", 1);
    s->put(s->ctx, buf + i, sizeof buf - i);
}}

/* `width` lower-case hex digits, zero-padded, more when the value needs them
 * (rt::sink::put_hex). */
static void put_hex(const {p}_sink *s, uint32_t v, size_t width)
{{
    static const char digits[] = "0123456789abcdef";
    uint8_t buf[8];
    size_t i, first = 7;
    for (i = 0; i < 8; i++) buf[7 - i] = (uint8_t)digits[(v >> (4u * i)) & 0xfu];
    if (width < 1) width = 1;
    if (width > 8) width = 8;
    for (i = 0; i < 8; i++) {{
        if (buf[i] != '0') {{
            first = i;
            break;
        }}
    }}
    if (first > 8 - width) first = 8 - width;
    s->put(s->ctx, buf + first, 8 - first);
}}

"#
    )
}
