/* ixpready._kernels: reading results. See _kernels.c for what a kernel promises.
 *
 * read_line(line) reads one JSON line of a RIPE Atlas traceroute result as
 * `measurements.parse._fast_line` reads it through msgspec (the `_FastTrace` schema) and
 * `_fast_trace`: the record's fields, then its stops (`_scan_rows`), in the tuple
 * `parse._trace_of` takes. It builds no object per reply, and it declines (returns None) any
 * line it is not sure msgspec reads the same way, so msgspec's decoding stays the reference:
 * - JSON itself, strictly (RFC 8259), at most 64 levels deep; any string holding a backslash,
 *   a control character or a byte outside ASCII; a key known to the schema given twice;
 * - a field of the schema whose value has another type or range than the schema admits (ids
 *   1..2^63-1, timestamps 1..2100, 64-bit integers, RTTs 0..600000 ms, booleans, texts);
 * - what the reply loop leaves to the reference: a hop numbered outside 1..255 or without
 *   replies, a reply without an address that is not a `*`, a quoted destination (`edst`),
 *   two address texts at one hop; and an `ixpready_probe` description.
 * Unknown keys are skipped (their values read as JSON), as msgspec skips them.
 */
#include "_kernels.h"
#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 64
#define LATEST_TIMESTAMP 4102444800LL /* 2100-01-01 00:00 UTC, as parse.LATEST_TIMESTAMP */
#define MAX_RTT_MS 600000.0           /* as parse.MAX_RTT_MS */

typedef struct {
    const char *p;
    const char *end;
} Cursor;

typedef struct {
    const char *start;
    Py_ssize_t length;
} Span;

/* ------------------------------------------------------------------------------------------
 * JSON, strictly. Each reader returns 1 when it read its value, 0 to decline. */

static inline void
skip_space(Cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) {
        c->p++;
    }
}

static inline int
take(Cursor *c, char expected)
{
    skip_space(c);
    if (c->p < c->end && *c->p == expected) {
        c->p++;
        return 1;
    }
    return 0;
}

static inline int
peek(Cursor *c, char expected)
{
    skip_space(c);
    return c->p < c->end && *c->p == expected;
}

/* A string of printable ASCII without escapes; its characters between the quotes. */
static int
read_string(Cursor *c, Span *text)
{
    skip_space(c);
    if (c->p >= c->end || *c->p != '"') {
        return 0;
    }
    const char *start = ++c->p;
    const char *q = start;
    while (q < c->end) {
        unsigned char ch = (unsigned char)*q;
        if (ch == '"') {
            text->start = start;
            text->length = q - start;
            c->p = q + 1;
            return 1;
        }
        if (ch == '\\' || ch < 0x20 || ch >= 0x80) {
            return 0;
        }
        q++;
    }
    return 0;
}

static inline int
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; `integer` says it had neither a
 * fraction nor an exponent. */
static int
read_number(Cursor *c, Span *text, int *integer)
{
    skip_space(c);
    const char *q = c->p, *end = c->end;
    if (q < end && *q == '-') {
        q++;
    }
    if (q >= end) {
        return 0;
    }
    if (*q == '0') {
        q++;
    }
    else if (*q >= '1' && *q <= '9') {
        while (q < end && is_digit(*q)) {
            q++;
        }
    }
    else {
        return 0;
    }
    *integer = 1;
    if (q < end && *q == '.') {
        *integer = 0;
        q++;
        if (q >= end || !is_digit(*q)) {
            return 0;
        }
        while (q < end && is_digit(*q)) {
            q++;
        }
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        *integer = 0;
        q++;
        if (q < end && (*q == '+' || *q == '-')) {
            q++;
        }
        if (q >= end || !is_digit(*q)) {
            return 0;
        }
        while (q < end && is_digit(*q)) {
            q++;
        }
    }
    text->start = c->p;
    text->length = q - c->p;
    c->p = q;
    return 1;
}

static int
read_literal(Cursor *c, const char *word)
{
    size_t length = strlen(word);
    skip_space(c);
    if ((size_t)(c->end - c->p) < length || memcmp(c->p, word, length) != 0) {
        return 0;
    }
    c->p += length;
    return 1;
}

static int skip_value(Cursor *c, int depth);

/* Reads `[item, ...]` (the opening bracket not read yet), each item by `item(c, depth + 1,
 * context)`; an empty list is read when `empty_ok`, else declined. */
static int
read_list(Cursor *c, int depth, int empty_ok, int (*item)(Cursor *, int, void *), void *context)
{
    if (depth >= MAX_DEPTH || !take(c, '[')) {
        return 0;
    }
    if (take(c, ']')) {
        return empty_ok;
    }
    for (;;) {
        if (!item(c, depth + 1, context)) {
            return 0;
        }
        if (take(c, ',')) {
            continue;
        }
        return take(c, ']');
    }
}

static int
skip_item(Cursor *c, int depth, void *Py_UNUSED(context))
{
    return skip_value(c, depth);
}

/* Skips `{ "key": value, ... }` whatever its keys (the opening brace not read yet). */
static int
skip_object(Cursor *c, int depth)
{
    if (depth >= MAX_DEPTH || !take(c, '{')) {
        return 0;
    }
    if (take(c, '}')) {
        return 1;
    }
    for (;;) {
        Span key;
        if (!read_string(c, &key) || !take(c, ':') || !skip_value(c, depth + 1)) {
            return 0;
        }
        if (take(c, ',')) {
            continue;
        }
        return take(c, '}');
    }
}

static int
skip_array(Cursor *c, int depth)
{
    return read_list(c, depth, 1, skip_item, NULL);
}

static int
skip_value(Cursor *c, int depth)
{
    skip_space(c);
    if (c->p >= c->end) {
        return 0;
    }
    Span text;
    int integer;
    switch (*c->p) {
    case '"':
        return read_string(c, &text);
    case '{':
        return skip_object(c, depth);
    case '[':
        return skip_array(c, depth);
    case 't':
        return read_literal(c, "true");
    case 'f':
        return read_literal(c, "false");
    case 'n':
        return read_literal(c, "null");
    default:
        return read_number(c, &text, &integer);
    }
}

/* A value of a field the schema types `Any` (a reply's `x`, an MPLS entry's `s`): msgspec
 * decodes it, and rejects what Python cannot hold as it reads it (a number beyond a double),
 * so only plain values are read here: null, true, false, a string, a whole number of at most
 * 18 digits, a decimal number of at most 15 digits without exponent. */
static int
skip_any(Cursor *c)
{
    skip_space(c);
    if (c->p >= c->end) {
        return 0;
    }
    Span text;
    int integer;
    switch (*c->p) {
    case '"':
        return read_string(c, &text);
    case 't':
        return read_literal(c, "true");
    case 'f':
        return read_literal(c, "false");
    case 'n':
        return read_literal(c, "null");
    case '{':
    case '[':
        return 0;
    default:
        if (!read_number(c, &text, &integer)) {
            return 0;
        }
        Py_ssize_t digits = 0;
        for (Py_ssize_t i = 0; i < text.length; i++) {
            char ch = text.start[i];
            if (ch == 'e' || ch == 'E') {
                return 0;
            }
            digits += is_digit(ch);
        }
        return digits <= (integer ? 18 : 15);
    }
}

/* ------------------------------------------------------------------------------------------
 * Typed values, as the schema's annotations admit them. */

/* A whole number written without fraction or exponent, within 64 bits. */
static int
read_int64(Cursor *c, int64_t *value)
{
    Span text;
    int integer;
    if (!read_number(c, &text, &integer) || !integer) {
        return 0;
    }
    const char *s = text.start;
    Py_ssize_t n = text.length, i = 0;
    int negative = 0;
    if (s[0] == '-') {
        negative = 1;
        i = 1;
    }
    if (n - i > 19) {
        return 0;
    }
    uint64_t magnitude = 0;
    for (; i < n; i++) {
        magnitude = magnitude * 10 + (uint64_t)(s[i] - '0');
    }
    if (negative) {
        if (magnitude > (uint64_t)INT64_MAX + 1) {
            return 0;
        }
        *value = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
    }
    else {
        if (magnitude > (uint64_t)INT64_MAX) {
            return 0;
        }
        *value = (int64_t)magnitude;
    }
    return 1;
}

/* `null` (sets *present to 0) or a 64-bit whole number. */
static int
read_opt_int64(Cursor *c, int64_t *value, int *present)
{
    if (peek(c, 'n')) {
        *present = 0;
        return read_literal(c, "null");
    }
    *present = 1;
    return read_int64(c, value);
}

/* `null` (sets *present to 0) or a string. */
static int
read_opt_string(Cursor *c, Span *text, int *present)
{
    if (peek(c, 'n')) {
        *present = 0;
        return read_literal(c, "null");
    }
    *present = 1;
    return read_string(c, text);
}

/* `null` (2), `true` (1) or `false` (0). */
static int
read_opt_bool(Cursor *c, int *flag)
{
    skip_space(c);
    if (peek(c, 'n')) {
        *flag = 2;
        return read_literal(c, "null");
    }
    if (peek(c, 't')) {
        *flag = 1;
        return read_literal(c, "true");
    }
    *flag = 0;
    return read_literal(c, "false");
}

/* Returns the double nearest the decimal number `text` (JSON grammar, checked), exactly as a
 * correctly rounded reader (Python's float(), msgspec) finds it. Short numbers take the exact
 * fast path (Clinger): a mantissa below 2^53 and a power of ten up to 10^22 are both exact
 * doubles, so one IEEE multiplication or division rounds correctly; any other goes through
 * PyOS_string_to_double. Returns 0 when the text cannot be read. */
static const double POWERS_OF_TEN[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static int
number_value(const Span *text, double *value)
{
    const char *s = text->start, *end = s + text->length;
    int negative = 0;
    if (s < end && *s == '-') {
        negative = 1;
        s++;
    }
    uint64_t mantissa = 0;
    int digits = 0, scale = 0;
    for (; s < end && is_digit(*s); s++) {
        if (mantissa || *s != '0') {
            digits++;
        }
        mantissa = mantissa * 10 + (uint64_t)(*s - '0');
        if (digits > 15) {
            goto slow;
        }
    }
    if (s < end && *s == '.') {
        for (s++; s < end && is_digit(*s); s++) {
            if (mantissa || *s != '0') {
                digits++;
            }
            mantissa = mantissa * 10 + (uint64_t)(*s - '0');
            scale++;
            if (digits > 15 || scale > 22) {
                goto slow;
            }
        }
    }
    if (s != end) { /* an exponent */
        goto slow;
    }
    {
        double number = (double)mantissa / POWERS_OF_TEN[scale]; /* both exact */
        *value = negative ? -number : number;
        return 1;
    }
slow:;
    char buffer[64];
    if (text->length >= (Py_ssize_t)sizeof(buffer)) {
        return 0;
    }
    memcpy(buffer, text->start, (size_t)text->length);
    buffer[text->length] = '\0';
    char *stop = NULL;
    double number = PyOS_string_to_double(buffer, &stop, NULL); /* correctly rounded */
    if (number == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    if (stop != buffer + text->length) {
        return 0;
    }
    *value = number;
    return 1;
}

/* `null` (sets *present to 0) or a number in 0..MAX_RTT_MS. */
static int
read_opt_rtt(Cursor *c, double *value, int *present)
{
    if (peek(c, 'n')) {
        *present = 0;
        return read_literal(c, "null");
    }
    Span text;
    int integer;
    double number;
    if (!read_number(c, &text, &integer) || !number_value(&text, &number)) {
        return 0;
    }
    if (!(number >= 0.0 && number <= MAX_RTT_MS)) {
        return 0;
    }
    *present = 1;
    *value = number;
    return 1;
}

static inline int
is_key(const Span *key, const char *name)
{
    size_t length = strlen(name);
    return (size_t)key->length == length && memcmp(key->start, name, length) == 0;
}

/* Marks a key of the schema as seen; 0 when it was seen before (a repeated key: declined). */
static inline int
first_time(unsigned *seen, unsigned bit)
{
    if (*seen & bit) {
        return 0;
    }
    *seen |= bit;
    return 1;
}

/* ------------------------------------------------------------------------------------------
 * The ICMP extension object of a reply, checked as `_FastIcmpExt` admits it (not kept: the
 * hops are decoded by msgspec when first asked for). */

static int
check_mpls(Cursor *c, int depth)
{
    if (depth >= MAX_DEPTH || !take(c, '{')) {
        return 0;
    }
    unsigned seen = 0;
    int has_label = 0;
    if (!take(c, '}')) {
        for (;;) {
            Span key;
            if (!read_string(c, &key) || !take(c, ':')) {
                return 0;
            }
            int64_t value;
            int present;
            if (is_key(&key, "label")) {
                if (!first_time(&seen, 1) || !read_int64(c, &value)) {
                    return 0;
                }
                has_label = 1;
            }
            else if (is_key(&key, "exp")) {
                if (!first_time(&seen, 2) || !read_opt_int64(c, &value, &present)) {
                    return 0;
                }
            }
            else if (is_key(&key, "ttl")) {
                if (!first_time(&seen, 4) || !read_opt_int64(c, &value, &present)) {
                    return 0;
                }
            }
            else if (is_key(&key, "s")) {
                if (!first_time(&seen, 8) || !skip_any(c)) {
                    return 0;
                }
            }
            else if (!skip_value(c, depth + 1)) { /* not in the schema */
                return 0;
            }
            if (take(c, ',')) {
                continue;
            }
            if (!take(c, '}')) {
                return 0;
            }
            break;
        }
    }
    return has_label;
}

/* `null` or `[item, ...]`, each item read by `check`. */
static int
check_item(Cursor *c, int depth, void *check)
{
    return ((int (*)(Cursor *, int))check)(c, depth);
}

static int
check_opt_list(Cursor *c, int depth, int (*check)(Cursor *, int))
{
    if (peek(c, 'n')) {
        return read_literal(c, "null");
    }
    return read_list(c, depth, 1, check_item, (void *)check);
}

/* An object whose only key of the schema is `name`, its value read by `check`. */
static int
check_object_with(Cursor *c, int depth, const char *name, int (*check)(Cursor *, int))
{
    if (depth >= MAX_DEPTH || !take(c, '{')) {
        return 0;
    }
    unsigned seen = 0;
    if (take(c, '}')) {
        return 1;
    }
    for (;;) {
        Span key;
        if (!read_string(c, &key) || !take(c, ':')) {
            return 0;
        }
        if (is_key(&key, name)) {
            if (!first_time(&seen, 1) || !check(c, depth + 1)) {
                return 0;
            }
        }
        else if (!skip_value(c, depth + 1)) {
            return 0;
        }
        if (take(c, ',')) {
            continue;
        }
        return take(c, '}');
    }
}

static int
check_mpls_list(Cursor *c, int depth)
{
    return check_opt_list(c, depth, check_mpls);
}

static int
check_icmp_object(Cursor *c, int depth)
{
    return check_object_with(c, depth, "mpls", check_mpls_list);
}

static int
check_icmp_object_list(Cursor *c, int depth)
{
    return check_opt_list(c, depth, check_icmp_object);
}

static int
check_icmpext(Cursor *c, int depth)
{
    if (peek(c, 'n')) {
        return read_literal(c, "null");
    }
    return check_object_with(c, depth, "obj", check_icmp_object_list);
}

/* ------------------------------------------------------------------------------------------
 * Hops and replies. */

typedef struct {
    long number;
    Span text; /* the hop's one address text; length -1 when no reply had an address */
    double best;
    int has_best;
    int inherited; /* 0, 1, or 2 for null/absent */
} Stop;

typedef struct {
    Stop *stops;
    Py_ssize_t count;
    Py_ssize_t capacity;
} Stops;

/* Reads one reply into the hop's stop (the reply loop of `parse._scan_rows`). */
static int
read_reply(Cursor *c, Stop *stop, int depth)
{
    if (depth >= MAX_DEPTH || !take(c, '{')) {
        return 0;
    }
    enum { FROM = 1, RTT = 2, TTL = 4, SIZE = 8, X = 16, ERR = 32, ERROR = 64, LATE = 128,
           DUP = 256, ITTL = 512, EDST = 1024, ICMPEXT = 2048 };
    unsigned seen = 0;
    int from_present = 0, star = 0, has_rtt = 0, late = 0, dup = 2, present;
    Span from = {NULL, 0}, text;
    double rtt = 0.0;
    int64_t number;
    if (!take(c, '}')) {
        for (;;) {
            Span key;
            if (!read_string(c, &key) || !take(c, ':')) {
                return 0;
            }
            if (is_key(&key, "from")) {
                if (!first_time(&seen, FROM) || !read_opt_string(c, &from, &from_present)) {
                    return 0;
                }
                if (!from_present) {
                    from.length = 0; /* `"from": null`: a reply without an address */
                    from_present = 1;
                }
            }
            else if (is_key(&key, "rtt")) {
                if (!first_time(&seen, RTT) || !read_opt_rtt(c, &rtt, &has_rtt)) {
                    return 0;
                }
            }
            else if (is_key(&key, "ttl") || is_key(&key, "size") || is_key(&key, "ittl")) {
                unsigned bit = key.start[0] == 't' ? TTL : key.start[0] == 's' ? SIZE : ITTL;
                if (!first_time(&seen, bit) || !read_opt_int64(c, &number, &present)) {
                    return 0;
                }
            }
            else if (is_key(&key, "late")) {
                if (!first_time(&seen, LATE) || !read_opt_int64(c, &number, &late)) {
                    return 0;
                }
            }
            else if (is_key(&key, "dup")) {
                if (!first_time(&seen, DUP) || !read_opt_bool(c, &dup)) {
                    return 0;
                }
            }
            else if (is_key(&key, "x")) { /* Any: only a `*` matters */
                if (!first_time(&seen, X)) {
                    return 0;
                }
                if (peek(c, '"')) {
                    if (!read_string(c, &text)) {
                        return 0;
                    }
                    star = text.length == 1 && text.start[0] == '*';
                }
                else if (!skip_any(c)) {
                    return 0;
                }
            }
            else if (is_key(&key, "err")) { /* a text or a 64-bit number */
                if (!first_time(&seen, ERR)) {
                    return 0;
                }
                if (peek(c, '"')) {
                    if (!read_string(c, &text)) {
                        return 0;
                    }
                }
                else if (!read_opt_int64(c, &number, &present)) {
                    return 0;
                }
            }
            else if (is_key(&key, "error")) {
                if (!first_time(&seen, ERROR) || !read_opt_string(c, &text, &present)) {
                    return 0;
                }
            }
            else if (is_key(&key, "edst")) {
                if (!first_time(&seen, EDST) || !read_opt_string(c, &text, &present)) {
                    return 0;
                }
                if (present) {
                    return 0; /* a quoted destination: left to the reference */
                }
            }
            else if (is_key(&key, "icmpext")) {
                if (!first_time(&seen, ICMPEXT) || !check_icmpext(c, depth + 1)) {
                    return 0;
                }
            }
            else if (!skip_value(c, depth + 1)) {
                return 0;
            }
            if (take(c, ',')) {
                continue;
            }
            if (!take(c, '}')) {
                return 0;
            }
            break;
        }
    }
    if (!from_present) { /* no address: only a `*` is read */
        return star;
    }
    if (dup == 1 || late) {
        has_rtt = 0; /* not usable (`Reply.usable_rtt_ms`) */
    }
    if (from.length == 0) {
        return 1; /* a reply without an address */
    }
    if (stop->text.length < 0) {
        stop->text = from;
        stop->has_best = has_rtt;
        stop->best = rtt;
        return 1;
    }
    if (stop->text.length != from.length
        || memcmp(stop->text.start, from.start, (size_t)from.length) != 0) {
        return 0; /* a second address at this hop */
    }
    if (has_rtt && (!stop->has_best || rtt < stop->best)) {
        stop->best = rtt;
        stop->has_best = 1;
    }
    return 1;
}

static int
reply_item(Cursor *c, int depth, void *stop)
{
    return read_reply(c, (Stop *)stop, depth);
}

/* Reads one hop `{"hop": n, "result": [...], ...}` into a new stop. */
static int
read_hop(Cursor *c, Stops *stops, int depth)
{
    if (depth >= MAX_DEPTH || !take(c, '{')) {
        return 0;
    }
    if (stops->count == stops->capacity) {
        Py_ssize_t capacity = stops->capacity ? stops->capacity * 2 : 32;
        if (capacity > 4096) {
            return 0;
        }
        Stop *grown = PyMem_Realloc(stops->stops, (size_t)capacity * sizeof(Stop));
        if (grown == NULL) {
            return 0;
        }
        stops->stops = grown;
        stops->capacity = capacity;
    }
    Stop *stop = &stops->stops[stops->count];
    stop->number = 0;
    stop->text.start = NULL;
    stop->text.length = -1;
    stop->has_best = 0;
    stop->best = 0.0;
    stop->inherited = 2;
    unsigned seen = 0;
    int has_number = 0, has_result = 0, present;
    if (!take(c, '}')) {
        for (;;) {
            Span key, text;
            if (!read_string(c, &key) || !take(c, ':')) {
                return 0;
            }
            if (is_key(&key, "hop")) {
                int64_t number;
                if (!first_time(&seen, 1) || !read_int64(c, &number)) {
                    return 0;
                }
                if (number < 1 || number > 255) {
                    return 0;
                }
                stop->number = (long)number;
                has_number = 1;
            }
            else if (is_key(&key, "result")) {
                /* a hop without replies is left to the reference */
                if (!first_time(&seen, 2) || !read_list(c, depth + 1, 0, reply_item, stop)) {
                    return 0;
                }
                has_result = 1;
            }
            else if (is_key(&key, "error")) {
                if (!first_time(&seen, 4) || !read_opt_string(c, &text, &present)) {
                    return 0;
                }
            }
            else if (is_key(&key, "inherited")) {
                if (!first_time(&seen, 8) || !read_opt_bool(c, &stop->inherited)) {
                    return 0;
                }
            }
            else if (!skip_value(c, depth + 1)) {
                return 0;
            }
            if (take(c, ',')) {
                continue;
            }
            if (!take(c, '}')) {
                return 0;
            }
            break;
        }
    }
    if (!has_number || !has_result) {
        return 0;
    }
    stops->count++;
    return 1;
}

/* ------------------------------------------------------------------------------------------
 * The record. */

enum {
    F_MSM, F_PRB, F_TIME, F_AF, F_PROTO, F_DST, F_SRC, F_FROM, F_NAME, F_END, F_PARIS, F_FW,
    F_COUNT
};

typedef struct {
    int present;  /* given and not null */
    int64_t number;
    Span text;
} Field;

static PyObject *
text_object(const Span *text)
{
    PyObject *made = PyUnicode_New(text->length, 127);
    if (made != NULL) {
        memcpy(PyUnicode_DATA(made), text->start, (size_t)text->length);
    }
    return made;
}

static PyObject *
opt_int_object(const Field *field)
{
    if (!field->present) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLongLong(field->number);
}

static PyObject *
opt_text_object(const Field *field)
{
    if (!field->present) {
        Py_RETURN_NONE;
    }
    return text_object(&field->text);
}

static PyObject *
flag_object(int flag)
{
    PyObject *made = flag == 2 ? Py_None : flag ? Py_True : Py_False;
    Py_INCREF(made);
    return made;
}

/* The tuple `parse._trace_of` takes; NULL with a Python error set when out of memory. */
static PyObject *
fields_tuple(const Field *fields, const Stops *stops, int with_numbers)
{
    Py_ssize_t n = stops->count;
    PyObject *numbers = PyTuple_New(n), *texts = PyTuple_New(n), *rtts = PyTuple_New(n),
             *inherited = PyTuple_New(n), *out = NULL;
    if (numbers == NULL || texts == NULL || rtts == NULL || inherited == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        const Stop *stop = &stops->stops[i];
        PyObject *number = PyLong_FromLong(stop->number);
        PyObject *text;
        if (stop->text.length < 0) {
            text = PyUnicode_New(0, 0);
        }
        else {
            text = text_object(&stop->text);
        }
        PyObject *rtt;
        if (stop->has_best) {
            rtt = PyFloat_FromDouble(stop->best);
        }
        else {
            Py_INCREF(Py_None);
            rtt = Py_None;
        }
        PyTuple_SET_ITEM(numbers, i, number);
        PyTuple_SET_ITEM(texts, i, text);
        PyTuple_SET_ITEM(rtts, i, rtt);
        PyTuple_SET_ITEM(inherited, i, flag_object(stop->inherited));
        if (number == NULL || text == NULL || rtt == NULL) {
            goto done;
        }
    }
    out = PyTuple_New(with_numbers ? 17 : 16);
    if (out == NULL) {
        goto done;
    }
    if (with_numbers) { /* filled by the caller (`known_numbers`) */
        Py_INCREF(Py_None);
        PyTuple_SET_ITEM(out, 16, Py_None);
    }
    PyObject *items[12] = {
        PyLong_FromLongLong(fields[F_MSM].number), PyLong_FromLongLong(fields[F_PRB].number),
        PyLong_FromLongLong(fields[F_TIME].number), opt_int_object(&fields[F_AF]),
        opt_text_object(&fields[F_PROTO]), opt_text_object(&fields[F_DST]),
        opt_text_object(&fields[F_SRC]), opt_text_object(&fields[F_FROM]),
        opt_text_object(&fields[F_NAME]), opt_int_object(&fields[F_END]),
        opt_int_object(&fields[F_PARIS]), opt_int_object(&fields[F_FW]),
    };
    int failed = 0;
    for (int i = 0; i < 12; i++) {
        if (items[i] == NULL) {
            failed = 1;
        }
        PyTuple_SET_ITEM(out, i, items[i]);
    }
    PyTuple_SET_ITEM(out, 12, numbers);
    PyTuple_SET_ITEM(out, 13, texts);
    PyTuple_SET_ITEM(out, 14, rtts);
    PyTuple_SET_ITEM(out, 15, inherited);
    numbers = texts = rtts = inherited = NULL;
    if (failed) {
        Py_CLEAR(out);
    }
done:
    Py_XDECREF(numbers);
    Py_XDECREF(texts);
    Py_XDECREF(rtts);
    Py_XDECREF(inherited);
    return out;
}

static int
hop_item(Cursor *c, int depth, void *stops)
{
    return read_hop(c, (Stops *)stops, depth);
}

/* Reads the record; 1 when read, 0 to decline. */
static int
read_record(Cursor *c, Field *fields, Stops *stops)
{
    if (!take(c, '{')) {
        return 0;
    }
    unsigned seen = 0;
    int is_traceroute = 0, has_result = 0;
    enum { TYPE_BIT = 1u << F_COUNT, RESULT_BIT = 1u << (F_COUNT + 1) };
    if (take(c, '}')) {
        return 0;
    }
    for (;;) {
        Span key, text;
        if (!read_string(c, &key) || !take(c, ':')) {
            return 0;
        }
        int field = -1, kind = 0; /* kind: 1 id, 2 time, 3 int64 or null, 4 text or null */
        switch (key.length) {
        case 2:
            if (is_key(&key, "af")) { field = F_AF; kind = 3; }
            else if (is_key(&key, "fw")) { field = F_FW; kind = 3; }
            break;
        case 4:
            if (is_key(&key, "from")) { field = F_FROM; kind = 4; }
            else if (is_key(&key, "type")) {
                if (!first_time(&seen, TYPE_BIT) || !read_string(c, &text)) {
                    return 0;
                }
                is_traceroute = text.length == 10 && memcmp(text.start, "traceroute", 10) == 0;
                if (!is_traceroute) {
                    return 0;
                }
                kind = -1;
            }
            break;
        case 5:
            if (is_key(&key, "proto")) { field = F_PROTO; kind = 4; }
            break;
        case 6:
            if (is_key(&key, "msm_id")) { field = F_MSM; kind = 1; }
            else if (is_key(&key, "prb_id")) { field = F_PRB; kind = 1; }
            else if (is_key(&key, "result")) {
                /* no hops: left to the reference */
                if (!first_time(&seen, RESULT_BIT) || !read_list(c, 0, 0, hop_item, stops)) {
                    return 0;
                }
                has_result = 1;
                kind = -1;
            }
            break;
        case 7:
            if (is_key(&key, "endtime")) { field = F_END; kind = 3; }
            break;
        case 8:
            if (is_key(&key, "dst_addr")) { field = F_DST; kind = 4; }
            else if (is_key(&key, "src_addr")) { field = F_SRC; kind = 4; }
            else if (is_key(&key, "dst_name")) { field = F_NAME; kind = 4; }
            else if (is_key(&key, "paris_id")) { field = F_PARIS; kind = 3; }
            break;
        case 9:
            if (is_key(&key, "timestamp")) { field = F_TIME; kind = 2; }
            break;
        case 14:
            if (is_key(&key, "ixpready_probe")) {
                return 0; /* an ixpready probe's description: left to the reference */
            }
            break;
        default:
            break;
        }
        if (field >= 0) {
            Field *slot = &fields[field];
            if (!first_time(&seen, 1u << field)) {
                return 0;
            }
            if (kind == 1 || kind == 2) {
                if (!read_int64(c, &slot->number)) {
                    return 0;
                }
                if (slot->number < 1 || (kind == 2 && slot->number > LATEST_TIMESTAMP)) {
                    return 0;
                }
                slot->present = 1;
            }
            else if (kind == 3) {
                if (!read_opt_int64(c, &slot->number, &slot->present)) {
                    return 0;
                }
            }
            else if (!read_opt_string(c, &slot->text, &slot->present)) {
                return 0;
            }
        }
        else if (kind == 0 && !skip_value(c, 1)) {
            return 0;
        }
        if (take(c, ',')) {
            continue;
        }
        if (!take(c, '}')) {
            return 0;
        }
        break;
    }
    skip_space(c);
    return c->p == c->end && is_traceroute && has_result && fields[F_MSM].present
           && fields[F_PRB].present && fields[F_TIME].present;
}

/* The numbers `numbers` (an AddressTable's dict: address text -> number) holds for the
 * destination, source, public source and every stop's text, 0 for a text absent or empty;
 * None when some text is not in it yet (the reader numbers it then). */
static PyObject *
known_numbers(PyObject *fields, PyObject *numbers)
{
    PyObject *texts = PyTuple_GET_ITEM(fields, 13);
    Py_ssize_t n = PyTuple_GET_SIZE(texts);
    PyObject *known = PyTuple_New(n + 3);
    if (known == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n + 3; i++) {
        PyObject *text = i < 3 ? PyTuple_GET_ITEM(fields, 5 + i) : PyTuple_GET_ITEM(texts, i - 3);
        PyObject *number;
        if (text == Py_None || PyUnicode_GET_LENGTH(text) == 0) {
            number = PyLong_FromLong(0);
            if (number == NULL) {
                Py_DECREF(known);
                return NULL;
            }
        }
        else {
            number = PyDict_GetItemWithError(numbers, text);
            if (number == NULL) {
                Py_DECREF(known);
                if (PyErr_Occurred()) {
                    return NULL;
                }
                Py_RETURN_NONE;
            }
            Py_INCREF(number);
        }
        PyTuple_SET_ITEM(known, i, number);
    }
    return known;
}

/* read_line(data[, start, end[, numbers]]): the line data[start:end] of a bytes object (all of
 * it by default), read without copying it; with `numbers` (an AddressTable's dict), the fields
 * are followed by `known_numbers` of them. */
static PyObject *
read_line(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1 && nargs != 3 && nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "read_line(data[, start, end[, numbers]])");
        return NULL;
    }
    if (nargs == 4 && !PyDict_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError, "read_line: numbers is a dict");
        return NULL;
    }
    PyObject *data = args[0];
    if (!PyBytes_CheckExact(data)) {
        Py_RETURN_NONE;
    }
    Py_ssize_t size = PyBytes_GET_SIZE(data), start = 0, end = size;
    if (nargs >= 3) {
        start = PyLong_AsSsize_t(args[1]);
        end = PyLong_AsSsize_t(args[2]);
        if ((start == -1 || end == -1) && PyErr_Occurred()) {
            return NULL;
        }
        if (start < 0 || end < start || end > size) {
            PyErr_SetString(PyExc_ValueError, "read_line: the span is not within the data");
            return NULL;
        }
    }
    const char *base = PyBytes_AS_STRING(data);
    Cursor cursor = {base + start, base + end};
    Field fields[F_COUNT];
    memset(fields, 0, sizeof(fields));
    Stops stops = {NULL, 0, 0};
    PyObject *out;
    if (read_record(&cursor, fields, &stops)) {
        out = fields_tuple(fields, &stops, nargs == 4);
        if (out != NULL && nargs == 4) { /* the fields, then the numbers */
            PyObject *known = known_numbers(out, args[3]);
            if (known == NULL) {
                Py_CLEAR(out);
            }
            else {
                PyObject *placeholder = PyTuple_GET_ITEM(out, 16); /* the tuple is new */
                PyTuple_SET_ITEM(out, 16, known);
                Py_DECREF(placeholder);
            }
        }
    }
    else {
        Py_INCREF(Py_None);
        out = Py_None;
    }
    PyMem_Free(stops.stops);
    return out;
}

PyMethodDef ixpready_read_methods[] = {
    {"read_line", (PyCFunction)(void (*)(void))read_line, METH_FASTCALL,
     "read_line(data[, start, end]): a traceroute's JSON line read as parse._fast_line reads "
     "it, or None."},
    {NULL, NULL, 0, NULL},
};

int
ixpready_read_init(void)
{
    return 0;
}
