"""Reference: packaging.specifiers (Debian python3-packaging), pre-releases
included.  Reads "range<TAB>version" lines, the range's " || " branches each
a SpecifierSet; prints "true", "false" or "invalid", then a tab and the
answer of the same comparators under the plain Version ordering, then a tab
and the PEP 440 specifier rules that made the two differ (empty if none).
"""
import sys

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

PLAIN = {
    "<": lambda v, b: v < b, "<=": lambda v, b: v <= b, ">": lambda v, b: v > b,
    ">=": lambda v, b: v >= b, "==": lambda v, b: v == b,
}


def rule(spec, v):
    """the specifier rule by which spec and the plain ordering differ on v"""
    b = Version(spec.version)
    if spec.contains(v, prereleases=True) == PLAIN[spec.operator](v, b):
        return None
    if spec.operator == "<" and v.is_prerelease and Version(v.base_version) == Version(b.base_version):
        return "<V excludes the pre-releases of V"
    if spec.operator == ">" and (v.is_postrelease or v.local) \
            and Version(v.base_version) == Version(b.base_version):
        return ">V excludes the post-releases and local versions of V"
    if spec.operator in ("==", "<=", ">=") and v.local and not b.local:
        return "==V, <=V, >=V ignore the version's local label"
    return "unknown"


def answer(rng, text):
    try:
        v = Version(text)
        branches = [SpecifierSet(b) for b in rng.split(" || ")]
    except (InvalidVersion, InvalidSpecifier):
        return "invalid\tinvalid\t"
    real = any(s.contains(v, prereleases=True) for s in branches)
    plain = any(all(PLAIN[c.operator](v, Version(c.version)) for c in s) for s in branches)
    rules = sorted({r for s in branches for c in s for r in [rule(c, v)] if r})
    return "%s\t%s\t%s" % (str(real).lower(), str(plain).lower(), "; ".join(rules))


for line in sys.stdin:
    rng, text = line.rstrip("\n").split("\t")
    print(answer(rng, text))
