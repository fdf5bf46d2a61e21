#!/usr/bin/env python3
"""Keeps editors/flow.tmLanguage.json in step with grammar/Flow.g4 (make test).

    python3 editors/check_grammar.py [--root REPO]

1. The TextMate grammar's keyword lists (repository.keywords) hold exactly
   the keywords of grammar/Flow.g4 (its `NAME : 'word' ;` lexer rules) plus
   the v1 keywords of LANGUAGE.md 13 that the .g4 does not have yet, each
   once. When the .g4 gains them, V1_KEYWORDS can go.
2. Every keyword token in examples/*.flow is highlighted as a keyword: each
   line is scanned the way a TextMate engine does (earliest match wins,
   ties go to the earlier rule, strings are begin/end rules), and every
   keyword the .g4's lexer would see there must come out with a keyword
   scope (storage.type.*, keyword.*, constant.language.*).
3. The VS Code extension's grammar is this file, and its package.json
   names the scope and the file.
"""

import argparse
import json
import os
import re
import sys

# LANGUAGE.md 13 "Keywords added to section 2" (`batch` is already one).
V1_KEYWORDS = {"union", "within", "top", "asc", "desc", "delete", "expired", "function", "from",
               "batch"}
KEYWORD_SCOPES = ("storage.type.", "keyword.", "constant.language.")


def g4_keywords(path):
    words = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*[A-Z_]+\s*:\s*'([a-z_]+)'\s*;", line)
        if m:
            words.add(m.group(1))
    return words


def keyword_lists(grammar):
    """[(scope, [words])] from repository.keywords."""
    out = []
    for rule in grammar["repository"]["keywords"]["patterns"]:
        m = re.fullmatch(r"\\b\(\?:([a-z_|]+)\)\\b", rule["match"])
        if not m:
            raise SystemExit("check_grammar: keyword rule is not \\b(?:a|b|...)\\b: " + rule["match"])
        out.append((rule["name"], m.group(1).split("|")))
    return out


# ---- a small TextMate scanner (single lines, the rule kinds the grammar uses) ----

class Scanner:
    def __init__(self, grammar):
        self.repo = grammar["repository"]
        self.rules = self.expand(grammar["patterns"])

    def expand(self, patterns):
        rules = []
        for p in patterns:
            if "include" in p:
                rules += self.expand([self.repo[p["include"][1:]]])
            elif "patterns" in p and "match" not in p and "begin" not in p:
                rules += self.expand(p["patterns"])
            else:
                rules.append(p)
        return rules

    def tokens(self, line):
        """[(start, end, scope)] of the line's matches, left to right."""
        out, pos = [], 0
        while pos < len(line):
            best = None
            for rule in self.rules:
                m = re.compile(rule.get("match") or rule["begin"]).search(line, pos)
                if m and (best is None or m.start() < best[0].start()):
                    best = (m, rule)
            if best is None:
                break
            m, rule = best
            if "begin" in rule:
                end = self.end_of(rule, line, m.end())
                out.append((m.start(), end, rule["name"]))
                pos = max(end, m.start() + 1)
                continue
            if "captures" in rule:
                for group, cap in rule["captures"].items():
                    if m.group(int(group)) is not None:
                        out.append((m.start(int(group)), m.end(int(group)), cap["name"]))
            else:
                out.append((m.start(), m.end(), rule["name"]))
            pos = max(m.end(), m.start() + 1)
        return out

    def end_of(self, rule, line, pos):
        inner = self.expand(rule.get("patterns", []))
        end_re = re.compile(rule["end"])
        while True:
            end = end_re.search(line, pos)
            first = None
            for r in inner:
                m = re.compile(r["match"]).search(line, pos)
                if m and (first is None or m.start() < first.start()):
                    first = m
            if first is not None and (end is None or first.start() < end.start()):
                pos = max(first.end(), pos + 1)
                continue
            return end.end() if end else len(line)


def keyword_tokens(line, keywords):
    """(start, end) of the keywords the .g4's lexer sees in a line: words
    outside comments, strings and backquoted names."""
    out, i = [], 0
    while i < len(line):
        c = line[i]
        if c == "#":
            break
        if c == '"':
            i += 1
            while i < len(line) and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif c == "`":
            j = line.find("`", i + 1)
            i = len(line) if j < 0 else j + 1
        elif c.isalpha() or c == "_":
            j = i
            while j < len(line) and (line[j].isalnum() or line[j] == "_"):
                j += 1
            if line[i:j] in keywords and not (i > 0 and line[i - 1].isdigit()):
                out.append((i, j))
            i = j
        elif c.isdigit():
            j = i
            while j < len(line) and (line[j].isalnum() or line[j] in "_."):
                j += 1
            i = j  # 10s, 1_000, 2.5e3: not words
        else:
            i += 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    root = os.path.abspath(ap.parse_args().root)
    problems = []

    g4 = g4_keywords(os.path.join(root, "grammar", "Flow.g4"))
    if len(g4) < 40:
        problems.append("found only %d keywords in grammar/Flow.g4: did its lexer rules change form?"
                        % len(g4))
    expected = g4 | V1_KEYWORDS
    tm_path = os.path.join(root, "editors", "flow.tmLanguage.json")
    grammar = json.load(open(tm_path, encoding="utf-8"))
    lists = keyword_lists(grammar)
    listed = [w for _, words in lists for w in words]
    for w in sorted({w for w in listed if listed.count(w) > 1}):
        problems.append("'%s' is in more than one keyword list of flow.tmLanguage.json" % w)
    for w in sorted(expected - set(listed)):
        problems.append("keyword '%s' (%s) is missing from flow.tmLanguage.json" %
                        (w, "grammar/Flow.g4" if w in g4 else "LANGUAGE.md 13"))
    for w in sorted(set(listed) - expected):
        problems.append("'%s' is a keyword in flow.tmLanguage.json but not in grammar/Flow.g4 "
                        "nor LANGUAGE.md 13" % w)
    for scope, _ in lists:
        if not scope.startswith(KEYWORD_SCOPES):
            problems.append("keyword scope '%s' is not a keyword scope %s" % (scope, KEYWORD_SCOPES))

    scanner = Scanner(grammar)
    examples = sorted(f for f in os.listdir(os.path.join(root, "examples")) if f.endswith(".flow"))
    seen = set()
    for name in examples:
        path = os.path.join(root, "examples", name)
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            spans = {(s, e): scope for s, e, scope in scanner.tokens(line)}
            for s, e in keyword_tokens(line, expected):
                seen.add(line[s:e])
                scope = spans.get((s, e), "")
                if not scope.startswith(KEYWORD_SCOPES):
                    problems.append("examples/%s:%d:%d: keyword '%s' is highlighted as '%s'" %
                                    (name, number, s + 1, line[s:e], scope or "nothing"))

    package = json.load(open(os.path.join(root, "editors", "vscode", "package.json"), encoding="utf-8"))
    [entry] = package["contributes"]["grammars"]
    linked = os.path.join(root, "editors", "vscode", entry["path"])
    if entry["scopeName"] != grammar["scopeName"]:
        problems.append("vscode/package.json names scope '%s', the grammar is '%s'" %
                        (entry["scopeName"], grammar["scopeName"]))
    if not os.path.exists(linked) or not os.path.samefile(linked, tm_path):
        problems.append("vscode/package.json's grammar '%s' is not editors/flow.tmLanguage.json"
                        % entry["path"])

    for p in problems:
        print("check_grammar: " + p)
    if not problems:
        print("check_grammar: %d keywords (%d from LANGUAGE.md 13 not yet in the .g4) in %d lists; "
              "%d distinct keywords in %d examples all highlighted" %
              (len(expected), len(expected - g4), len(lists), len(seen), len(examples)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
