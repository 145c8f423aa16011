#!/usr/bin/env python3
"""Fails when files of a crate's src/ import each other in a circle.

Usage: ci/import-cycles.py DIR...   (e.g. firmware/src harness/src)

A file imports another when it names an item of it by path: `use crate::a::b`, `use super::x`,
`crate::a::B` inline, or a directory module's `use child::x`. Paths are resolved to the
longest module prefix that is a file. A crate root's `mod` and `pub use` lines are its façade,
not imports; `#[cfg(test)] mod tests` blocks at the end of a file are left out (a test module's
`super` is its own file). Exit 0 without cycles, 1 with them (each printed with its edges).
"""
import os
import re
import sys


def modules(root):
    mods = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith('.rs'):
                p = os.path.join(d, f)
                rel = os.path.relpath(p, root)[:-3].split(os.sep)
                if rel[-1] in ('mod', 'lib', 'main'):
                    rel = rel[:-1]
                if tuple(rel) in mods and rel == []:
                    continue  # lib.rs and main.rs: one root
                mods[tuple(rel)] = p
    return mods


def edges_of(mods):
    def resolve(path):
        for k in range(len(path), -1, -1):
            if tuple(path[:k]) in mods:
                return tuple(path[:k])
        return None

    edges = {m: set() for m in mods}
    for m, p in mods.items():
        src = open(p, encoding='utf-8').read()
        cut = src.find('#[cfg(test)]\nmod tests')
        if cut >= 0:
            src = src[:cut]
        src = re.sub(r'//.*', '', src)
        is_root = m == ()
        if is_root:
            src = '\n'.join(l for l in src.splitlines()
                            if not re.match(r'\s*(pub(\([^)]*\))? )?(mod|use) ', l))
        parent = list(m[:-1])
        for mt in re.finditer(r'\b(crate|super)((?:::\w+)+)', src):
            base = [] if mt.group(1) == 'crate' else parent
            t = resolve(base + mt.group(2).split('::')[1:])
            if t is not None and t != m:
                edges[m].add(t)
        for mt in re.finditer(r'use (crate|super)::\{([^;]*)\};', src, re.S):
            base = [] if mt.group(1) == 'crate' else parent
            for item in mt.group(2).split(','):
                item = item.strip().split(' as ')[0].strip('{} \n')
                if item:
                    t = resolve(base + item.split('::'))
                    if t is not None and t != m:
                        edges[m].add(t)
        if os.path.basename(p) in ('mod.rs', 'lib.rs', 'main.rs') and not is_root:
            for mt in re.finditer(r'\buse (\w+)::', src):
                t = resolve(list(m) + [mt.group(1)])
                if t is not None and len(t) > len(m):
                    edges[m].add(t)
    return edges


def cycles(edges):
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop()
                on.discard(w)
                c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                found.append(c)

    for v in edges:
        if v not in index:
            visit(v)
    return found


def main():
    name = lambda m: '/'.join(m) or '<root>'
    bad = 0
    for root in sys.argv[1:]:
        mods = modules(root)
        edges = edges_of(mods)
        found = cycles(edges)
        for c in found:
            print(f'{root}: import cycle: ' + ' '.join(name(x) for x in c))
            for a in c:
                print(f'    {name(a)} -> {sorted(name(b) for b in edges[a] if b in c)}')
        print(f'{root}: {len(mods)} files, {len(found)} import cycles')
        bad += len(found)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
