"""Unicode simple case mapping for the reference scripts (LANGUAGE.md 13
"Letters"), computed without flowc's table (stdlib/case_table.h).

lower(b) and upper(b) take and return bytes: valid UTF-8 is mapped code
point by code point; every byte that is not part of a valid sequence passes
through (decoded with 'surrogateescape', so each such byte is one lone
surrogate, which no mapping changes, and is encoded back as the same byte).

Python's str.lower()/str.upper() apply the *full* case mapping
(SpecialCasing.txt). On one code point at a time (so no Final_Sigma
context) it differs from the simple mapping only where the full mapping
expands to several code points: 'ß'.upper() is "SS" (simple: 'ß' stays),
'İ'.lower() is "i̇" (simple: 'i'), 'ŉ', 'ﬁ', 'ᾳ' and about 100 others. For
those this module asks ICU's u_tolower/u_toupper (the simple mapping, from
libicu, which LLVM's libxml2 brings along), and everywhere else it checks
that ICU and Python agree.
"""

import ctypes
import ctypes.util
import functools


@functools.lru_cache(maxsize=None)
def _icu():
    name = ctypes.util.find_library("icuuc")
    lib = ctypes.CDLL(name or "libicuuc.so.72")
    # ICU suffixes every symbol with its major version (u_tolower_72).
    for suffix in [""] + ["_%d" % v for v in range(100, 40, -1)]:
        try:
            lo = getattr(lib, "u_tolower" + suffix)
            up = getattr(lib, "u_toupper" + suffix)
        except AttributeError:
            continue
        for f in (lo, up):
            f.argtypes, f.restype = [ctypes.c_int32], ctypes.c_int32
        return lo, up
    raise RuntimeError("casemap.py: no u_tolower in %s" % name)


def _simple(c, python_map, icu_map):
    cp = ord(c)
    if 0xD800 <= cp <= 0xDFFF:
        return c  # an escaped invalid byte
    full = python_map(c)
    icu = chr(icu_map(cp))
    if len(full) == 1:
        assert full == icu, "python and ICU disagree on U+%04X" % cp
        return full
    return icu


def lower_char(c):
    return _simple(c, str.lower, _icu()[0])


def upper_char(c):
    return _simple(c, str.upper, _icu()[1])


def _map(b, f):
    return "".join(f(c) for c in b.decode("utf-8", "surrogateescape")) \
        .encode("utf-8", "surrogateescape")


def lower(b):
    return _map(b, lower_char)


def upper(b):
    return _map(b, upper_char)


def cased_code_points():
    """Every code point that lower or upper changes (by either source)."""
    lo, up = _icu()
    out = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if lo(cp) != cp or up(cp) != cp or c.lower() != c or c.upper() != c:
            out.append(cp)
    return out
