"""badref — an independent model of LANGUAGE.md 9 and 12 for the bad-input
matrix (tests/run/badinput_*): CSV records and fields (RFC 4180 with the
section 12 rules), strict JSON objects (UTF-8, nesting at most 1,000),
section 3 value parsing, and the bad-record message, dead-letter line and
CSV output text. Bytes in, bytes out: inputs may hold NUL and invalid UTF-8.

Not flowc code: written from the contract, used by the cases' reference.py:

    import os, sys; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import badref
"""

import json
import sys

sys.setrecursionlimit(100000)  # json.loads recurses once per level
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flowref  # noqa: E402  (value text forms, section 3)

SHOWN_BAD = 10        # section 9: the first 10 per source on stderr
MAX_JSON_DEPTH = 1000  # section 12
SHOWN_RAW = 200       # a field's raw text in a message is cut here ("...")

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


class Bad(Exception):
    """A bad record; str() is the message."""


# ---------------------------------------------------------------- text


def utf8_text(raw):
    """Bytes as text with each invalid byte replaced by U+FFFD (section 12:
    dead-letter records). The cases use only single invalid bytes, for which
    every replacement policy agrees."""
    return raw.decode("utf-8", "replace")


def _json_dumps(v):
    # DEL is a control character too: flowc writes it as \u007f (both are JSON).
    return json.dumps(v, ensure_ascii=False, separators=(",", ":")).replace("\x7f", "\\u007f")


def json_string(raw):
    return _json_dumps(utf8_text(raw))


def got(raw):
    """`got "RAW"` text of a field that does not convert."""
    cut = raw[:SHOWN_RAW]
    return json_string(cut) + ("..." if len(raw) > SHOWN_RAW else "")


def csv_field(raw):
    if any(c in raw for c in b',"\n\r'):
        return b'"' + raw.replace(b'"', b'""') + b'"'
    return raw


def csv_line(values):
    out = []
    for v in values:
        if isinstance(v, bytes):
            out.append(csv_field(v))
        else:
            out.append(csv_field(flowref.text(v).encode()))
    return b",".join(out) + b"\n"


def dead_letter(source, position, message, raw):
    return (_json_dumps({"source": source, "position": position, "error": message,
                         "record": utf8_text(raw)}) + "\n").encode()


# ---------------------------------------------------------------- values

INT_RE = re.compile(rb"[+-]?[0-9]+\Z")
FLOAT_RE = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
SPECIAL_FLOATS = {b"nan": float("nan"), b"-nan": float("nan"), b"inf": float("inf"),
                  b"-inf": float("-inf"), b"infinity": float("inf"), b"-infinity": float("-inf")}
RFC3339_RE = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
                        rb"([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)?)?\Z")


def parse_int(raw):
    if not INT_RE.match(raw):
        return None
    v = int(raw)
    return v if INT64_MIN <= v <= INT64_MAX else None


def parse_float(raw):
    if raw.lower() in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[raw.lower()]
    if not FLOAT_RE.match(raw):
        return None
    return float(raw)


def parse_ts(raw):
    if re.match(rb"[+-]?[0-9]+\Z", raw):
        return parse_int(raw)
    if not RFC3339_RE.match(raw):
        return None
    try:
        return flowref.parse_ts(raw.decode())
    except ValueError:
        return None


def convert(name, typ, raw):
    """raw: the field's bytes, or None when missing. Returns the value or raises Bad."""
    if raw is None or (typ != "string" and raw == b""):
        raise Bad('field "%s": missing' % name)
    if typ == "string":
        return raw
    v = {"int": parse_int, "float": parse_float, "timestamp": parse_ts}[typ](raw)
    if v is None:
        raise Bad('field "%s": expected %s, got %s' % (name, typ, got(raw)))
    return flowref.Ts(v) if typ == "timestamp" else v


# ---------------------------------------------------------------- CSV


def csv_records(data, delim=b","):
    """(line, raw bytes, unclosed) per record, blank lines skipped. A record
    ends at a newline outside quotes; a quote opens a quoted field only at a
    field's start."""
    out = []
    i, line, n = 0, 1, len(data)
    d = delim[0]
    while i < n:
        start, start_line = i, line
        state = "start"
        j = i
        end = None
        while j < n:
            c = data[j]
            if state == "quoted":
                if c == 0x22:
                    state = "quote_in_quoted"
                elif c == 0x0A:
                    line += 1
            elif c == 0x0A:
                end = j
                break
            elif state == "start":
                state = "quoted" if c == 0x22 else ("start" if c == d else "unquoted")
            elif state == "unquoted":
                state = "start" if c == d else "unquoted"
            else:  # after a quote inside a quoted field
                state = "quoted" if c == 0x22 else ("start" if c == d else "unquoted")
            j += 1
        raw = data[start:end if end is not None else n]
        unclosed = end is None and state == "quoted"
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if end is not None:
            line += 1
            i = end + 1
        else:
            i = n
        if raw == b"":
            continue
        out.append((start_line, raw, unclosed))
    return out


def csv_split(raw, delim=b","):
    """The fields of one record, or None for an unclosed quote."""
    fields = []
    i, n = 0, len(raw)
    while True:
        if i < n and raw[i:i + 1] == b'"':
            k, val = i + 1, bytearray()
            while True:
                q = raw.find(b'"', k)
                if q < 0:
                    return None
                val += raw[k:q]
                if raw[q + 1:q + 2] == b'"':
                    val += b'"'
                    k = q + 2
                    continue
                break
            e = raw.find(delim, q + 1)
            e = n if e < 0 else e
            val += raw[q + 1:e]  # text after the closing quote, kept literally
            fields.append(bytes(val))
            i = e
        else:
            e = raw.find(delim, i)
            e = n if e < 0 else e
            fields.append(raw[i:e])
            i = e
        if i >= n:
            return fields
        i += 1
        if i == n:
            fields.append(b"")
            return fields


def csv_row(raw, unclosed, schema):
    """The converted row of a headerless CSV record, or raises Bad."""
    fields = None if unclosed else csv_split(raw)
    if fields is None:
        raise Bad("unclosed quote")
    return [convert(name, typ, fields[k] if k < len(fields) else None)
            for k, (name, typ) in enumerate(schema)]


# ---------------------------------------------------------------- JSON


def _depth(v):
    """Nesting depth of a parsed JSON value (an object or array is 1 + its deepest child)."""
    best, stack = 0, [(v, 1)]
    while stack:
        x, d = stack.pop()
        if isinstance(x, (dict, list)):
            best = max(best, d)
            stack.extend((c, d + 1) for c in (x.values() if isinstance(x, dict) else x))
    return best


def _no_constant(name):
    raise ValueError("not JSON: " + name)


def json_object(raw):
    """The record's object, or raises Bad: invalid UTF-8 anywhere, a record
    that starts another kind of value than an object (whatever follows),
    malformed text (strict JSON: no NaN, no lone surrogate escapes), or more
    than 1,000 levels."""
    # The first defect in reading order names the error: an invalid byte
    # (kept as a lone surrogate by surrogateescape) or a syntax error.
    text = raw.decode("utf-8", "surrogateescape")
    bad_byte = next((i for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff"), None)
    first = text.lstrip(" \t\r\n")[:1]
    if first and first in '["-0123456789tfn':
        raise Bad("expected a JSON object")  # it starts another kind of value
    depth = 0
    in_str = esc = False
    for ch in text:  # brackets outside strings bound the depth before parsing
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise Bad("JSON nested deeper than 1000 levels")
        elif ch in "]}":
            depth -= 1
    try:
        v = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        # Python reports an unterminated string where it starts; it is found
        # at the end of the text.
        at = len(text) if e.msg.startswith("Unterminated string") else e.pos
        raise Bad("invalid UTF-8" if bad_byte is not None and bad_byte <= at else "malformed JSON")
    except (ValueError, RecursionError):
        raise Bad("invalid UTF-8" if bad_byte is not None else "malformed JSON")
    if bad_byte is not None:
        raise Bad("invalid UTF-8")
    if re.search(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])", text):
        raise Bad("invalid UTF-8")  # a lone high surrogate escape
    if not isinstance(v, dict):
        raise Bad("expected a JSON object")
    return v
