#!/usr/bin/env python3
"""Layer check: the module import graph of every crate in the repository has no cycle.

Crates are found by their Cargo.toml (outside target/ and hidden folders) with a src/lib.rs or
src/main.rs beside it; each such root file is the root of a module tree, followed through its
`mod x;` declarations (`x.rs` or `x/mod.rs`, `#[path = "..."]` honoured, inline `mod x { ... }`
blocks kept apart). A node of the graph is a source file.

An edge A -> B means A names something in B's module:
  - `use crate::...`, `use super::...`, `use self::...`, grouped uses (`use crate::{a, b::c}`), and
    uses that start at a child module (`pub use filter::ListFilter` in a mod.rs);
  - paths anywhere in code: `crate::x::y`, `super::x`, `self::x`, `child::x`, and `alias::x` where
    `alias` was brought in by a `use` that names a module of the crate;
  - a binary's `cratename::...` paths into the library of the same package.
A path resolves to the deepest module of it that exists (`crate::listing::filter::ListFilter` ->
src/listing/filter.rs, `crate::listing::Kind` -> src/listing/mod.rs). A `mod x;` declaration alone
is not an edge. Comments (doc comments too), string and char literals are not read, and neither
is anything gated by a `#[cfg(...)]` that is false when `test` is off (`#[cfg(test)] mod tests {
... }`, and files declared only under such a cfg); other cfg predicates count as on.

Any strongly connected component of more than one file is a cycle: each is listed (its files, and
a closed walk through all of them along real edges, in order) and the check exits 1.

Usage: layers.py [--root DIR] [--graph] [--verbose] [--self-test]
  --graph      print every file edge (with the first reference that makes it)
  --verbose    print every reference (file:line, path, target), then the edges
  --self-test  run the check on small built-in fixtures (one with cycles it must catch, one
               without) and exit 0 if it judges each correctly
"""

import argparse
import os
import signal
import sys
import tempfile
from collections import defaultdict, deque

# ---------------------------------------------------------------------------------------------
# Lexing: identifiers, `::`, single punctuation characters and string literals (kept as STR, for
# `#[path = "..."]`); comments, char literals, lifetimes and numbers are dropped.

IDENT, PUNCT, STR = "ident", "punct", "str"


def is_ident_start(c):
    return c == "_" or c.isalpha()


def is_ident_char(c):
    return c == "_" or c.isalnum()


def skip_quoted(text, i, quote):
    """Index just past the closing `quote` of a literal whose body starts at i (escapes honoured)."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        i += 1
    return n


def tokenize(text):
    """The file's tokens as (kind, value, line) tuples."""
    tokens = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            line += text.count("\n", i, j)
            i = j
        elif c in "rbc" and raw_string_at(text, i):
            j = i + 1 if c == "r" else i + 2
            hashes = 0
            while text[j] == "#":
                hashes, j = hashes + 1, j + 1
            end = text.find('"' + "#" * hashes, j + 1)
            end = n if end < 0 else end + 1 + hashes
            tokens.append((STR, text[j + 1 : end - 1 - hashes], line))
            line += text.count("\n", i, end)
            i = end
        elif c == '"' or (c in "bc" and text.startswith('"', i + 1)):
            start = i + 1 if c == '"' else i + 2
            end = skip_quoted(text, start, '"')
            tokens.append((STR, text[start : end - 1], line))
            line += text.count("\n", i, end)
            i = end
        elif c == "b" and text.startswith("'", i + 1):
            i = skip_quoted(text, i + 2, "'")
        elif c == "'":
            if i + 1 < n and text[i + 1] == "\\":
                i = skip_quoted(text, i + 1, "'")
            elif i + 2 < n and text[i + 2] == "'":
                i += 3
            else:  # a lifetime or label
                j = i + 1
                while j < n and is_ident_char(text[j]):
                    j += 1
                i = j
        elif c == "r" and text.startswith("#", i + 1) and i + 2 < n and is_ident_start(text[i + 2]):
            j = i + 2
            while j < n and is_ident_char(text[j]):
                j += 1
            tokens.append((IDENT, text[i + 2 : j], line))
            i = j
        elif is_ident_start(c):
            j = i + 1
            while j < n and is_ident_char(text[j]):
                j += 1
            tokens.append((IDENT, text[i:j], line))
            i = j
        elif c.isdigit():
            j = i + 1
            while j < n and (is_ident_char(text[j])):
                j += 1
            i = j
        elif text.startswith("::", i):
            tokens.append((PUNCT, "::", line))
            i += 2
        else:
            tokens.append((PUNCT, c, line))
            i += 1
    return tokens


def raw_string_at(text, i):
    """Whether a raw string literal (r"", r#""#, br"", cr"") starts at i."""
    j = i
    if text[j] in "bc":
        j += 1
        if not text.startswith("r", j):
            return False
    if not text.startswith("r", j):
        return False
    j += 1
    while j < len(text) and text[j] == "#":
        j += 1
    return j < len(text) and text[j] == '"'


# ---------------------------------------------------------------------------------------------
# cfg: drop what is compiled only with `test` on.


def matching_close(tokens, i):
    """Index of the bracket closing the one at tokens[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    for j in range(i, len(tokens)):
        kind, value, _ = tokens[j]
        if kind != PUNCT:
            continue
        if value in pairs:
            stack.append(pairs[value])
        elif stack and value == stack[-1]:
            stack.pop()
            if not stack:
                return j
    return len(tokens) - 1


def cfg_value(tokens):
    """Value of a cfg predicate with `test` off and every other predicate on (None: unreadable)."""
    pos = 0

    def predicate():
        nonlocal pos
        if pos >= len(tokens) or tokens[pos][0] != IDENT:
            raise ValueError
        name = tokens[pos][1]
        pos += 1
        if pos < len(tokens) and tokens[pos][1] == "=":
            pos += 2  # name = "value"
            return True
        if name in ("all", "any", "not") and pos < len(tokens) and tokens[pos][1] == "(":
            pos += 1
            values = []
            while tokens[pos][1] != ")":
                values.append(predicate())
                if tokens[pos][1] == ",":
                    pos += 1
            pos += 1
            if name == "all":
                return all(values)
            if name == "any":
                return any(values)
            return not values[0]
        return name != "test"

    try:
        return predicate()
    except (ValueError, IndexError):
        return None


def attribute_is_test_only(tokens, start, end):
    """Whether the attribute tokens[start:end] (inside `#[...]`) is a cfg that is off without test."""
    if end - start < 3 or tokens[start][1] != "cfg" or tokens[start + 1][1] != "(":
        return False
    return cfg_value(tokens[start + 2 : end - 1]) is False


def item_end(tokens, i):
    """Index of the last token of the item (or statement) starting at tokens[i]."""
    j = i
    while j < len(tokens):
        kind, value, _ = tokens[j]
        if kind == PUNCT and value == ";":
            return j
        if kind == PUNCT and value == "{":
            return matching_close(tokens, j)
        if kind == PUNCT and value in "([":
            j = matching_close(tokens, j) + 1
            continue
        if kind == PUNCT and value in ",}":  # a field, variant or match arm ended
            return j - 1
        j += 1
    return len(tokens) - 1


def strip_test_only(tokens):
    """The tokens without items gated by test-only cfgs; None when an inner `#![cfg(test)]` gates the file."""
    out = []
    i = 0
    while i < len(tokens):
        kind, value, _ = tokens[i]
        if kind == PUNCT and value == "#":
            inner = i + 1 < len(tokens) and tokens[i + 1][1] == "!"
            open_at = i + 2 if inner else i + 1
            if open_at < len(tokens) and tokens[open_at][1] == "[":
                close = matching_close(tokens, open_at)
                if attribute_is_test_only(tokens, open_at + 1, close):
                    if inner:
                        return None
                    # skip the following attributes too, then the item
                    j = close + 1
                    while j < len(tokens) and tokens[j][1] == "#" and j + 1 < len(tokens) and tokens[j + 1][1] == "[":
                        j = matching_close(tokens, j + 1) + 1
                    i = item_end(tokens, j) + 1
                    continue
        out.append(tokens[i])
        i += 1
    return out


# ---------------------------------------------------------------------------------------------
# Module trees.


class Crate:
    """One module tree: the modules (paths as tuples) and the file each lives in."""

    def __init__(self, name, root_file):
        self.name = name  # the Rust name of the package, for a binary's paths into its library
        self.root_file = root_file
        self.module_file = {}  # module path -> file
        self.children = defaultdict(set)  # module path -> names of child modules
        self.file_tokens = {}  # file -> tokens (test-only code removed)
        self.file_module = {}  # file -> the module it holds (outside inline modules)
        self.library = None  # for a binary root: the library crate of the same package


def read_tokens(path):
    with open(path, encoding="utf-8") as f:
        return strip_test_only(tokenize(f.read()))


def build_tree(crate):
    """Follow `mod` declarations from the crate root, filling module_file, children and file_tokens."""
    queue = deque([((), crate.root_file, True)])
    while queue:
        module, path, mod_rs = queue.popleft()
        tokens = read_tokens(path)
        if tokens is None:
            continue
        crate.file_tokens[path] = tokens
        crate.file_module[path] = module
        crate.module_file[module] = path
        base_dir = os.path.dirname(path) if mod_rs else os.path.splitext(path)[0]
        # walk the file with a stack of inline modules
        stack = []  # (module path, directory, index of closing brace)
        i = 0
        pending_path = None
        while i < len(tokens):
            while stack and i > stack[-1][2]:
                stack.pop()
            current = stack[-1][0] if stack else module
            directory = stack[-1][1] if stack else base_dir
            kind, value, _ = tokens[i]
            if kind == PUNCT and value == "#" and i + 1 < len(tokens) and tokens[i + 1][1] == "[":
                close = matching_close(tokens, i + 1)
                attr = tokens[i + 2 : close]
                if len(attr) == 3 and attr[0][1] == "path" and attr[1][1] == "=" and attr[2][0] == STR:
                    pending_path = attr[2][1]
                i = close + 1
                continue
            if kind == IDENT and value == "mod" and i + 2 < len(tokens) and tokens[i + 1][0] == IDENT:
                name = tokens[i + 1][1]
                after = tokens[i + 2][1]
                child = current + (name,)
                if after == ";":
                    crate.children[current].add(name)
                    if pending_path is not None:
                        target = os.path.normpath(os.path.join(os.path.dirname(path), pending_path))
                        candidates = [(target, target.endswith("mod.rs"))]
                    else:
                        candidates = [
                            (os.path.join(directory, name + ".rs"), False),
                            (os.path.join(directory, name, "mod.rs"), True),
                        ]
                    for candidate, candidate_mod_rs in candidates:
                        if os.path.isfile(candidate):
                            queue.append((child, candidate, candidate_mod_rs))
                            break
                    pending_path = None
                    i += 3
                    continue
                if after == "{":
                    crate.children[current].add(name)
                    crate.module_file[child] = path
                    stack.append((child, os.path.join(directory, name), matching_close(tokens, i + 2)))
                    pending_path = None
                    i += 3
                    continue
            if kind == PUNCT and value in ";}":
                pending_path = None
            i += 1


# ---------------------------------------------------------------------------------------------
# References: use trees and inline paths.


def parse_use_tree(tokens, i, prefix, out):
    """Parse a use tree starting at tokens[i]; append (segments, alias, line) to out; return the index after it."""
    segments = list(prefix)
    line = tokens[i][2] if i < len(tokens) else 0
    while i < len(tokens):
        kind, value, line = tokens[i]
        if kind == PUNCT and value == "::":
            i += 1
            continue
        if kind == PUNCT and value == "{":
            i += 1
            while i < len(tokens) and tokens[i][1] != "}":
                if tokens[i][1] == ",":
                    i += 1
                    continue
                i = parse_use_tree(tokens, i, segments, out)
            return i + 1
        if kind == PUNCT and value == "*":
            out.append((segments, None, line))
            return i + 1
        if kind == IDENT and value == "as":
            out.append((segments, tokens[i + 1][1], line))
            return i + 2
        if kind == IDENT:
            if value == "self" and segments:
                pass  # `a::{self, ...}` names `a` itself
            else:
                segments = segments + [value]
            i += 1
            continue
        break  # `,` `}` or `;`
    out.append((segments, segments[-1] if segments else None, line))
    return i


def scan_references(crate, path, tokens, module):
    """The file's uses and inline paths as (module path of the code, segments, line, is_use, alias)."""
    refs = []
    stack = []  # (module path, index of closing brace)
    i = 0
    while i < len(tokens):
        while stack and i > stack[-1][1]:
            stack.pop()
        current = stack[-1][0] if stack else module
        kind, value, line = tokens[i]
        prev = tokens[i - 1][1] if i else ""
        if kind == IDENT and value == "mod" and i + 2 < len(tokens) and tokens[i + 2][1] == "{":
            stack.append((current + (tokens[i + 1][1],), matching_close(tokens, i + 2)))
            i += 3
            continue
        if kind == IDENT and value == "use" and prev not in ("::", "."):
            found = []
            j = parse_use_tree(tokens, i + 1, [], found)
            for segments, alias, use_line in found:
                refs.append((current, segments, use_line, True, alias))
            i = j
            continue
        if kind == IDENT and value == "pub" and i + 2 < len(tokens) and tokens[i + 1][1] == "(" and tokens[i + 2][1] == "in":
            i = matching_close(tokens, i + 1) + 1  # `pub(in crate::a)` restricts, it does not use
            continue
        if kind == IDENT and prev not in ("::", ".", "$") and i + 1 < len(tokens) and tokens[i + 1][1] == "::":
            segments = [value]
            j = i + 1
            while j + 1 < len(tokens) and tokens[j][1] == "::" and tokens[j + 1][0] == IDENT:
                segments.append(tokens[j + 1][1])
                j += 2
            refs.append((current, segments, line, False, None))
            i = j
            continue
        i += 1
    return refs


def resolve(crate, module, segments, aliases):
    """(crate, module, whole) for the deepest existing module a path names, or None when it leaves
    the crate; whole tells whether every segment named a module."""
    if not segments:
        return None
    head, rest = segments[0], segments[1:]
    target_crate = crate
    if head == "crate":
        base = ()
    elif head == "self":
        base = module
    elif head == "super":
        base = module[:-1]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif head in aliases.get(module, {}):
        target = aliases[module][head]
        if target is None:
            return None
        target_crate, base = target
    elif head in crate.children.get(module, ()):
        base = module + (head,)
    elif crate.library is not None and head == crate.name:
        target_crate, base = crate.library, ()
    else:
        return None
    while rest and base + (rest[0],) in target_crate.module_file:
        base, rest = base + (rest[0],), rest[1:]
    if base not in target_crate.module_file:
        return None
    return target_crate, base, not rest


def crate_edges(crate):
    """References of the crate's files as (source file, line, path text, target file)."""
    per_file = {
        path: scan_references(crate, path, tokens, crate.file_module[path]) for path, tokens in crate.file_tokens.items()
    }
    # names brought in by `use`: a module of the crate (followed by later paths), or anything
    # else, which shadows a child module of the same name
    aliases = defaultdict(dict)
    for refs in per_file.values():
        for module, segments, _, is_use, alias in refs:
            if not is_use or not alias or alias == "_":
                continue
            target = resolve(crate, module, segments, {})
            if target is not None and target[2]:
                aliases[module][alias] = target[:2]
            else:
                aliases[module][alias] = None
    result = []
    for path, refs in per_file.items():
        for module, segments, line, _, _ in refs:
            target = resolve(crate, module, segments, aliases)
            if target is None:
                continue
            target_crate, target_module, _ = target
            target_file = target_crate.module_file[target_module]
            if target_file != path:
                result.append((path, line, "::".join(segments), target_file))
    return result


def discover_crates(root):
    """The module trees of every crate under root: a list of Crate."""
    crates = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "target" and not d.startswith("."))
        if "Cargo.toml" not in filenames:
            continue
        name = package_name(os.path.join(directory, "Cargo.toml")) or os.path.basename(directory)
        library = None
        for root_name in ("lib.rs", "main.rs"):
            root_file = os.path.join(directory, "src", root_name)
            if os.path.isfile(root_file):
                crate = Crate(name.replace("-", "_"), root_file)
                if root_name == "main.rs":
                    crate.library = library
                build_tree(crate)
                crates.append(crate)
                if root_name == "lib.rs":
                    library = crate
    return crates


def package_name(cargo_toml):
    """`name` of the [package] table, read without a TOML parser (tomllib would do, but needs no more)."""
    section = None
    with open(cargo_toml, encoding="utf-8") as f:
        for raw in f:
            text = raw.strip()
            if text.startswith("["):
                section = text
            elif section == "[package]" and text.startswith("name") and "=" in text:
                return text.split("=", 1)[1].strip().strip('"')
    return None


# ---------------------------------------------------------------------------------------------
# Cycles.


def strongly_connected(nodes, edges):
    """Tarjan's algorithm (iterative): the components, each a sorted list."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(edges.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def shortest_path(edges, members, start, goal):
    """Shortest path start -> goal inside members (start excluded, goal included)."""
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in sorted(edges.get(node, ())):
            if succ in members and succ not in previous:
                previous[succ] = node
                if succ == goal:
                    path = [goal]
                    while previous[path[-1]] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                queue.append(succ)
    return None


def closed_walk(edges, component):
    """A walk along edges from the component's first file through all its files and back."""
    members = set(component)
    walk = [component[0]]
    remaining = [m for m in component[1:]]
    while remaining:
        # go to the nearest file not yet visited
        best = None
        for goal in remaining:
            path = shortest_path(edges, members, walk[-1], goal)
            if path is not None and (best is None or len(path) < len(best)):
                best = path
        walk.extend(best)
        visited = set(walk)
        remaining = [m for m in remaining if m not in visited]
    if len(component) > 1 or walk[0] in edges.get(walk[0], ()):
        walk.extend(shortest_path(edges, members, walk[-1], walk[0]))
    return walk


def check(root, out, graph=False, verbose=False):
    """Run the check on the crates under root; print to out; return the cycles (lists of files)."""
    crates = discover_crates(root)
    edges = defaultdict(set)
    evidence = {}
    nodes = set()
    references = []
    for crate in crates:
        nodes.update(crate.file_tokens)
        for source, line, text, target in crate_edges(crate):
            references.append((source, line, text, target))
            edges[source].add(target)
            evidence.setdefault((source, target), (line, text))

    def rel(path):
        return os.path.relpath(path, root)

    if verbose:
        for source, line, text, target in sorted(references):
            print(f"{rel(source)}:{line}: {text} -> {rel(target)}", file=out)
    if graph or verbose:
        for source in sorted(edges):
            for target in sorted(edges[source]):
                line, text = evidence[(source, target)]
                print(f"{rel(source)} -> {rel(target)}  ({rel(source)}:{line} {text})", file=out)
    roots = ", ".join(rel(c.root_file) for c in crates)
    print(f"layers: {len(crates)} crate root(s) ({roots}), {len(nodes)} files, "
          f"{sum(len(t) for t in edges.values())} edges", file=out)
    cycles = [c for c in strongly_connected(nodes, edges) if len(c) > 1]
    for number, component in enumerate(sorted(cycles, key=lambda c: (-len(c), c)), 1):
        print(f"cycle {number}: {len(component)} files import each other:", file=out)
        for member in component:
            print(f"  {rel(member)}", file=out)
        members = set(component)
        mutual = [(a, b) for a in component for b in sorted(edges.get(a, ())) if a < b and b in members and a in edges.get(b, ())]
        if mutual:
            print("  of which import each other directly:", file=out)
            for a, b in mutual:
                (line_ab, text_ab), (line_ba, text_ba) = evidence[(a, b)], evidence[(b, a)]
                print(f"    {rel(a)}:{line_ab} {text_ab} <-> {rel(b)}:{line_ba} {text_ba}", file=out)
        walk = closed_walk(edges, component)
        print("  in order, along edges (file:line path):", file=out)
        for source, target in zip(walk, walk[1:]):
            line, text = evidence[(source, target)]
            print(f"    {rel(source)}:{line} {text} -> {rel(target)}", file=out)
    if not cycles:
        print("layers: no cycle", file=out)
    return cycles


# ---------------------------------------------------------------------------------------------
# Self-test.

FIXTURE_COMMON = {
    "Cargo.toml": '[package]\nname = "fixture-crate"\nversion = "0.1.0"\n',
    "src/main.rs": "fn main() { fixture_crate::app::run(); }\n",
    "target/debug/build/src/lib.rs": "garbage that is not Rust {{{",
}

# No cycle, though a naive reader would see several: in comments, strings, test-only code, a
# file declared only under cfg(test), a `pub(in ...)` restriction, `Self::` and `$crate::`.
FIXTURE_ACYCLIC = {
    "src/lib.rs": "pub mod app;\npub mod low;\npub mod feature;\n#[cfg(test)]\nmod test_support;\n",
    "src/low.rs": """//! The low layer: names crate::app::run only in docs.
/* block comments /* nest */ crate::feature::x */
pub struct State;
pub const MSG: &str = "crate::app::run";
pub const RAW: &str = r#"super::feature "quoted" crate::app"#;
pub fn c() -> char { '"' }
pub fn lt<'a>(s: &'a str) -> &'a str { s }
macro_rules! make { () => { $crate::low::State } }
#[cfg(test)]
mod tests {
    use crate::app::run;
    #[test]
    fn t() { run(); super::super::feature::go(); }
}
#[cfg(all(test, feature = "x"))]
fn test_only() { crate::feature::go(); }
""",
    "src/test_support.rs": "pub fn helper() { crate::app::run(); }\n",
    "src/feature/mod.rs": """mod handlers;
pub(in crate::feature) struct Local;
pub fn go() { let _ = crate::low::State; handlers::handle(); }
impl Local { fn f() -> Self { Self::g() } fn g() -> Self { Local } }
""",
    "src/feature/handlers.rs": "use crate::{low::{self, State}, low::MSG as M};\npub fn handle() { let _: State = low::State; }\n",
    "src/app.rs": "use crate::feature;\npub fn run() { feature::go(); }\n",
}

# Three cycles: a mod.rs and its child (re-export one way, `super::` the other), two files via
# a grouped use and an inline path in an expression, and three files via an alias.
FIXTURE_CYCLIC = {
    "src/lib.rs": "pub mod a;\npub mod b;\npub mod listing;\npub mod x;\npub mod y;\npub mod z;\n",
    "src/listing/mod.rs": "mod filter;\npub use filter::Filter;\npub struct Listing;\n",
    "src/listing/filter.rs": "use super::Listing;\npub struct Filter(Listing);\n",
    "src/a.rs": "use crate::{b::B, listing::Filter};\npub struct A;\n",
    "src/b.rs": "pub struct B;\npub fn f() -> usize { std::mem::size_of::<crate::a::A>() }\n",
    "src/x.rs": "use crate::y;\npub fn f() { y::g() }\n",
    "src/y.rs": "pub fn g() { super::z::h() }\n",
    "src/z.rs": "pub fn h() {}\nmod inner { pub fn i() { crate::x::f() } }\n",
}


def write_fixture(directory, files):
    for name, text in {**FIXTURE_COMMON, **files}.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def self_test():
    import io

    failures = []
    with tempfile.TemporaryDirectory() as directory:
        write_fixture(directory, FIXTURE_ACYCLIC)
        out = io.StringIO()
        cycles = check(directory, out, graph=True)
        if cycles:
            failures.append("acyclic fixture: reported cycles\n" + out.getvalue())
        edges = out.getvalue()
        for expected in (
            "src/app.rs -> src/feature/mod.rs",
            "src/feature/mod.rs -> src/feature/handlers.rs",
            "src/feature/mod.rs -> src/low.rs",
            "src/feature/handlers.rs -> src/low.rs",
            "src/main.rs -> src/app.rs",
        ):
            if expected not in edges:
                failures.append(f"acyclic fixture: edge {expected!r} missing\n{edges}")
        if "test_support" in edges:
            failures.append("acyclic fixture: a file declared under cfg(test) was read\n" + edges)
    with tempfile.TemporaryDirectory() as directory:
        write_fixture(directory, FIXTURE_CYCLIC)
        out = io.StringIO()
        cycles = check(directory, out)
        found = sorted(sorted(os.path.relpath(m, directory) for m in c) for c in cycles)
        expected = [
            ["src/a.rs", "src/b.rs"],
            ["src/listing/filter.rs", "src/listing/mod.rs"],
            ["src/x.rs", "src/y.rs", "src/z.rs"],
        ]
        if found != expected:
            failures.append(f"cyclic fixture: expected {expected}, found {found}\n" + out.getvalue())
    for failure in failures:
        print("self-test FAILED: " + failure, file=sys.stderr)
    if not failures:
        print("layers self-test: ok (3 cycles caught in the cyclic fixture, none in the acyclic one)")
    return not failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="the repository (default: the one this script is in)")
    parser.add_argument("--graph", action="store_true", help="print every file edge")
    parser.add_argument("--verbose", action="store_true", help="print every reference and every edge")
    parser.add_argument("--self-test", action="store_true", help="check the checker on built-in fixtures")
    args = parser.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `layers.py --graph | head` ends quietly
    if args.self_test:
        sys.exit(0 if self_test() else 1)
    cycles = check(args.root, sys.stdout, graph=args.graph, verbose=args.verbose)
    sys.exit(1 if cycles else 0)


if __name__ == "__main__":
    main()
