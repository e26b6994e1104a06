#!/usr/bin/python3
"""(range, version) cases for the differential test of the range dialects.

    range_cases.py OUTDIR [RANGES]

writes OUTDIR/<type>.cases for npm, pypi, gem and maven: lines of
"dialect range<TAB>native range<TAB>version", the same range written in
GitLab's dialect (what pkgmeta reads, doc/ranges.md) and in the
ecosystem's own syntax (what the reference reads; OR branches, which PEP 440
and RubyGems lack, become " || " that the reference splits itself, and a
RubyGems requirement list is ", "-separated).  Only
syntax both sides define the same way is generated.  Versions come from
version_cases.py's generators, drawn from a small pool per range so that
bounds and versions tie and nearly miss; fixed seed.  npm also gets
ranges with partial versions ("1", "1.2", "1.x", "*") as bounds, which
both sides read as spans.
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import version_cases as vc  # noqa: E402

from packaging.version import InvalidVersion, Version  # noqa: E402

SEED = 20261206
VERSIONS_PER_RANGE = 6

# strict SemVer with numbers node semver accepts (<= 2^53-1)
SEMVER = re.compile(r"^(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})\.(0|[1-9]\d{0,14})"
                    r"(-(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
                    r"(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
                    r"(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")
# what a bound may not hold in either syntax: separators and brackets
SYNTAX = re.compile(r"[\s,|&<>=!~^*\[\]()]")


def npm_bound(v):
    return bool(SEMVER.match(v))


def pypi_bound(v):
    # PEP 440 allows a local label ("+ubuntu") in "==" only: none in bounds
    if SYNTAX.search(v) or "+" in v:
        return False
    try:
        Version(v)
    except InvalidVersion:
        return False
    return True


def gem_bound(v):
    return v != "" and not SYNTAX.search(v)


def bound_pool(r, gen, simple, ok, n=40):
    pool = [v for v in simple if ok(v)]
    while len(pool) < n:
        v = gen(r)
        if ok(v):
            pool.append(v)
    return pool


def comparators(r, pool, ops, first_bare):
    """1 or 2 (op, bound) of a branch; op "" only first, if first_bare"""
    out = []
    for k in range(r.choice((1, 1, 2, 2, 2))):
        op = r.choice(ops + ([""] if k == 0 and first_bare else []))
        out.append((op, r.choice(pool)))
    return out


def language_case(r, pool, ops, native_op, and_dialect, and_native, first_bare, everything):
    """a range of 1 to 3 branches, in both syntaxes"""
    dialect, native = [], []
    if everything is not None and r.random() < 0.03:
        return "*", everything
    for _ in range(r.choice((1, 1, 2, 3))):
        comps = comparators(r, pool, ops, first_bare)
        space = r.choice(("", "", " "))
        dialect.append(r.choice(and_dialect).join(op + space + v for op, v in comps))
        native.append(and_native.join(native_op(op) + space + v for op, v in comps))
    return " || ".join(dialect), " || ".join(native)


def npm_partial(r):
    """a bound node semver reads as a span: "1", "1.2", "1.x", "1.2.*", "*" ..."""
    major, minor = str(r.randint(0, 3)), str(r.randint(0, 3))
    x = r.choice("xX*")
    return r.choice([major, major + "." + minor, major + "." + x, major + "." + minor + "." + x,
                     major + "." + x + "." + x, x, "v" + major + "." + minor,
                     major + "." + minor + ".x-rc.1", major + "+build"])


def npm_partial_cases(f, nranges):
    """ranges whose bounds are partial versions beside full ones, and
    versions at the spans' edges (the lowest pre-release "-0" included)"""
    r = random.Random("%d-npm-partial" % SEED)
    for _ in range(nranges):
        pool = [npm_partial(r) for _ in range(2)] + r.sample(
            ["0.0.0", "1.0.0", "1.2.3", "2.0.0-0", "1.3.0-alpha"], 2)
        dialect, native = language_case(r, pool, ["<", "<=", ">", ">=", "="], lambda op: op,
                                        [" ", " && "], " ", True, "*")
        for _ in range(VERSIONS_PER_RANGE):
            major, minor = r.randint(0, 4), r.randint(0, 4)
            v = r.choice(["%d.%d.0-0" % (major, minor), "%d.%d.0-alpha" % (major, minor),
                          "%d.%d.0" % (major, minor), "%d.%d.1" % (major, minor),
                          "%d.0.0-0" % major, vc.gen_npm(r)])
            if "\t" not in v and "\n" not in v:
                f.write("%s\t%s\t%s\n" % (dialect, native, v))


def maven_numeric(r):
    return ".".join(str(r.randint(0, 3)) for _ in range(r.randint(1, 3)))


def maven_key(v):
    # order of purely numeric Maven versions: trailing zeros do not count
    parts = [int(x) for x in v.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return parts


def maven_interval(lo, hi, r):
    """one interval of section C's table between the bounds lo <= hi"""
    form = r.randrange(8)
    if form == 0 or lo is None:
        return "[%s]" % hi if lo is None else "[%s]" % lo
    if form == 1:
        return "(,%s%s" % (hi, r.choice("])"))
    if form == 2:
        return "[%s,)" % lo if r.random() < 0.5 else "(%s,)" % lo
    return "%s%s,%s%s" % (r.choice("[("), lo, hi, r.choice("])"))


def maven_case(r, pool):
    """1 to 3 ordered, disjoint intervals (Maven refuses others)"""
    if r.random() < 0.1:
        # a qualified bound: Maven may find the interval reversed
        a, b = r.choice(pool), r.choice(pool)
        return "[%s,%s]" % (a, b)
    bounds = sorted({tuple(maven_key(v)): v for v in
                     (maven_numeric(r) for _ in range(6))}.items())
    bounds = [v for _, v in bounds]
    n = min(r.choice((1, 1, 2, 3)), len(bounds) // 2)
    if n == 0:
        return "[%s]" % bounds[0]
    picks = sorted(r.sample(range(len(bounds)), 2 * n))
    groups = []
    for i in range(n):
        lo, hi = bounds[picks[2 * i]], bounds[picks[2 * i + 1]]
        # open-ended forms only at the ends, so that groups stay disjoint
        if 0 < i < n - 1 or n > 1:
            groups.append("%s%s,%s%s" % (r.choice("[("), lo, hi, r.choice("])")))
        else:
            groups.append(maven_interval(lo, hi, r))
    return r.choice((",", ", ")).join(groups)


def main():
    outdir = sys.argv[1]
    nranges = int(sys.argv[2]) if len(sys.argv) > 2 else 700
    simple = {
        "npm": ["0.0.0", "1.0.0", "1.0.0-alpha", "1.0.0-rc.1", "1.0.1", "1.2.3", "2.0.0",
                "2.0.0-0", "1.0.0+build", "10.0.0"],
        "pypi": ["1.0", "1.0.0", "1.0a1", "1.0rc1", "1.0.post1", "1.0.dev1", "1.0+local",
                 "1!1.0", "2.0", "1.1", "0.9"],
        "gem": ["1", "1.0", "1.0.0", "1.0.a", "1.0.pre", "1.0.0.rc1", "1.0-rc1", "1.1",
                "2.0", "0.9"],
    }
    langs = {
        # ops, op in the native syntax, AND in the dialect, AND natively,
        # "*" natively (RubyGems has none: ">= 0" leaves out "0.a"), bare
        # versions in the dialect
        "npm": (["<", "<=", ">", ">=", "="], lambda op: op, [" ", " && "], " ", "*", True),
        "pypi": (["<", "<=", ">", ">=", "=="], lambda op: "==" if op in ("", "=") else op,
                 [",", ", ", " "], ",", "", False),
        "gem": (["<", "<=", ">", ">=", "="], lambda op: op or "=", [" "], ", ", None, True),
    }
    gens = {"npm": vc.gen_npm, "pypi": vc.gen_pypi, "gem": vc.gen_gem}
    oks = {"npm": npm_bound, "pypi": pypi_bound, "gem": gem_bound}
    for ptype, (ops, native_op, and_dialect, and_native, everything, bare) in langs.items():
        r = random.Random("%d-%s" % (SEED, ptype))
        with open(os.path.join(outdir, ptype + ".cases"), "w", encoding="utf-8") as f:
            for _ in range(nranges):
                pool = bound_pool(r, gens[ptype], simple[ptype], oks[ptype], n=12)
                pool = r.sample(pool, 4)
                dialect, native = language_case(r, pool, ops, native_op, and_dialect,
                                                and_native, bare, everything)
                for _ in range(VERSIONS_PER_RANGE):
                    v = r.choice(pool) if r.random() < 0.6 else gens[ptype](r)
                    if ptype == "pypi" and r.random() < 0.1:
                        # a local label on a bound: PEP 440 specifiers treat it apart
                        v = r.choice(pool) + "+ubuntu1"
                    if "\t" not in v and "\n" not in v:
                        f.write("%s\t%s\t%s\n" % (dialect, native, v))
            if ptype == "npm":
                npm_partial_cases(f, nranges // 3)
    r = random.Random("%d-maven" % SEED)
    with open(os.path.join(outdir, "maven.cases"), "w", encoding="utf-8") as f:
        for _ in range(nranges):
            pool = [maven_numeric(r) for _ in range(3)] + [
                v for v in (vc.gen_maven(r) for _ in range(3)) if not SYNTAX.search(v) and v]
            spec = maven_case(r, pool)
            for _ in range(VERSIONS_PER_RANGE):
                v = r.choice(pool) if r.random() < 0.5 else (
                    maven_numeric(r) if r.random() < 0.5 else vc.gen_maven(r))
                f.write("%s\t%s\t%s\n" % (spec, spec, v))


if __name__ == "__main__":
    main()
