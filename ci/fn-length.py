#!/usr/bin/env python3
"""Fails when a Rust function is longer than LIMIT lines (signature to closing brace).

Usage: ci/fn-length.py LIMIT DIR... [--except DIR...]

Long functions hide several jobs; the project keeps each under 150 lines. Check tables (data,
not logic) are left out with --except. Braces inside string and character literals and after
`//` are not counted. Exit 0 when none is too long, 1 (listing them, longest first) otherwise.
"""
import os
import re
import sys

FN = re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern\s+"[^"]*"\s+)?fn\s+(\w+)')


def code(line):
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return line.split('//')[0]


def functions(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    for i, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        depth, started = 0, False
        for j in range(i, len(lines)):
            c = code(lines[j])
            depth += c.count('{') - c.count('}')
            started = started or '{' in c
            if started and depth <= 0:
                yield m.group(7), i + 1, j - i + 1
                break
            if not started and c.rstrip().endswith(';'):
                break


def main(argv):
    limit, rest = int(argv[0]), argv[1:]
    dirs, excluded = (rest[:rest.index('--except')], rest[rest.index('--except') + 1:]) \
        if '--except' in rest else (rest, [])
    excluded = [os.path.normpath(e) for e in excluded]
    long = []
    for root in dirs:
        for d, _, files in os.walk(root):
            if any(os.path.normpath(d).startswith(e) for e in excluded):
                continue
            for f in files:
                if f.endswith('.rs'):
                    p = os.path.join(d, f)
                    long += [(n, p, at, name) for name, at, n in functions(p) if n > limit]
    for n, p, at, name in sorted(long, reverse=True):
        print(f"{p}:{at}: fn {name} is {n} lines (the limit is {limit})")
    print(f"{len(long)} function(s) over {limit} lines")
    return 1 if long else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
