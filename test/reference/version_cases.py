#!/usr/bin/python3
"""Version cases for the differential tests of the version orderings.

    version_cases.py OUTDIR [PAIRS] [TYPE=PAIRS...]

writes OUTDIR/fuzz.pairs ("type<TAB>a<TAB>b" lines of garbage and of mutated
versions for every purl type, for the sanitizers and the garbage comparisons)
and, for every purl type with an ordering,
    OUTDIR/<type>.pairs   "a<TAB>b" lines: every pair of the hand-picked edge
                          cases, then PAIRS seeded pseudo-random pairs
    OUTDIR/<type>.pool    one version a line: edge cases and generated
                          versions, for the total-order check
The generators make realistic shapes for each ecosystem (pre-releases,
qualifiers, epochs, revisions) from small alphabets, so that random pairs
often share prefixes and tie; a few malformed versions are mixed in.  The
seed is fixed: the same files every run.
"""
import os
import random
import sys

SEED = 20260529


def pick(r, *choices):
    return r.choice(choices)


def num(r, big=False):
    # small numbers collide often; leading zeros and huge ones now and then
    x = r.random()
    if big and x < 0.03:
        return str(r.randint(10**19, 10**21))
    if x < 0.55:
        return str(r.randint(0, 3))
    if x < 0.85:
        return str(r.randint(4, 20))
    return str(r.randint(21, 2025))


def semver_core(r, parts=3, zeros=False):
    nums = [num(r) for _ in range(parts)]
    if zeros and r.random() < 0.1:
        nums[r.randrange(parts)] = "0" + nums[0]
    return ".".join(nums)


def semver_ident(r):
    return pick(r, "alpha", "beta", "rc", "0", "1", "2", "10", "11", "alpha1",
                "beta-2", "x", "X", "a-b", "1a", "pre", "Alpha", "dev")


def semver_pre(r, maxlen=3):
    return ".".join(semver_ident(r) for _ in range(r.randint(1, maxlen)))


def gen_npm(r):
    v = semver_core(r)
    if r.random() < 0.5:
        v += "-" + semver_pre(r)
    if r.random() < 0.15:
        v += "+" + pick(r, "build", "001", "sha.5114f85", "exp-1")
    if r.random() < 0.1:
        v = "v" + v
    if r.random() < 0.04:
        v = pick(r, "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3-a..b",
                 "1.2.3.4", "x.y.z", "1.2.3+", "1.2.3-a_b")
    return v


def gen_golang(r):
    x = r.random()
    if x < 0.25:
        # pseudo-versions: vX.0.0-yyyymmddhhmmss-hash, vX.Y.(Z+1)-0.yyyy...-hash
        ts = "20%02d%02d%02d%02d%02d%02d" % (r.randint(18, 24), r.randint(1, 12),
                                               r.randint(1, 28), r.randint(0, 23),
                                               r.randint(0, 59), r.randint(0, 59))
        h = "%012x" % r.getrandbits(48)
        base = pick(r, "v0.0.0-%s-%s", "v1.2.4-0.%s-%s", "v1.3.0-pre.0.%s-%s",
                    "v2.0.0-%s-%s")
        return base % (ts, h)
    if x < 0.35:
        return "v" + ".".join(num(r) for _ in range(r.randint(1, 2)))
    v = "v" + semver_core(r)
    if r.random() < 0.4:
        v += "-" + semver_pre(r)
    if r.random() < 0.15:
        v += "+incompatible"
    if r.random() < 0.05:
        v = pick(r, "v1.2-pre", "v01.2.3", "1.2.3", "v1.2.3-01", "V1.2.3", "v1.2.3.4", "=v1.0.0")
    return v


def gen_cargo(r):
    v = semver_core(r)
    if r.random() < 0.4:
        v += "-" + semver_pre(r)
    if r.random() < 0.1:
        v += "+" + pick(r, "build.1", "20230101", "git.abc")
    if r.random() < 0.05:
        v = gen_cargo_odd(r)
    return v


def gen_cargo_odd(r):
    return pick(r, "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3-a..b", "1.2.3.4", "1.2.3+",
                "1.2.3-a_b", "v1.2.3", "=1.2.3", " 1.2.3", "1.2.3-alpha+build",
                "18446744073709551615.0.0", "1.2.3+build.01")


def gen_nuget(r):
    v = ".".join(num(r) for _ in range(r.randint(1, 4)))
    if r.random() < 0.05:
        v = "0" + v
    if r.random() < 0.4:
        v += "-" + ".".join(pick(r, "alpha", "Alpha", "BETA", "beta", "rc", "RC",
                                 "1", "2", "10", "preview", "Preview-1")
                            for _ in range(r.randint(1, 2)))
    if r.random() < 0.1:
        v += "+" + pick(r, "sha.1", "build")
    return v


MAVEN_WORDS = ["alpha", "beta", "milestone", "rc", "cr", "snapshot", "ga", "final",
               "release", "sp", "a", "b", "m", "foo", "abc", "SNAPSHOT", "RC", "Final",
               "jre", "android", "x", "", "GA", "dev", "pre"]


def gen_maven(r):
    items = []
    for k in range(r.randint(1, 6)):
        if k == 0 or r.random() < 0.6:
            items.append(pick(r, "0", "1", "2", "3", "10", "00", "01", "0", "0", "1",
                              str(r.randint(0, 30)), str(r.randint(10**9, 10**20))))
        else:
            items.append(r.choice(MAVEN_WORDS))
    v = items[0]
    for it in items[1:]:
        v += pick(r, ".", ".", "-", "-", "") + it
    if r.random() < 0.05:
        v = pick(r, "-", ".", "") + v + pick(r, "-", ".", "..", "")
    return v


PEP_PRE = ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "A", "RC", "Beta"]
PEP_SEP = ["", "", "", ".", "-", "_"]


def gen_pypi(r):
    v = ""
    if r.random() < 0.1:
        v += pick(r, "0", "1", "2", "01") + "!"
    v += ".".join(num(r, big=True) for _ in range(r.randint(1, 4)))
    if r.random() < 0.35:
        v += r.choice(PEP_SEP) + r.choice(PEP_PRE)
        if r.random() < 0.8:
            v += r.choice(PEP_SEP) + num(r)
    if r.random() < 0.25:
        if r.random() < 0.3:
            v += "-" + num(r)
        else:
            v += r.choice(PEP_SEP) + pick(r, "post", "rev", "r", "POST")
            if r.random() < 0.8:
                v += r.choice(PEP_SEP) + num(r)
    if r.random() < 0.25:
        v += r.choice(PEP_SEP) + pick(r, "dev", "DEV")
        if r.random() < 0.8:
            v += r.choice(PEP_SEP) + num(r)
    if r.random() < 0.15:
        v += "+" + pick(r, "", "", "-", "_", ".").join(
            pick(r, "ubuntu", "1", "2", "01", "abc", "ABC", "local", "10", "a1")
            for _ in range(r.randint(1, 3)))
    if r.random() < 0.05:
        v = pick(r, "v", "V", " ", "") + v + pick(r, " ", "")
    if r.random() < 0.05:
        v = pick(r, "1.0-", "1.0+", "1.0+a..b", "a1.0", "1.0.x", "1.0-dev-1",
                 "1!", "1.0.post1.post2", "1..0", "")
    return v


def gem_part(r):
    return pick(r, "0", "1", "2", "10", "00", "a", "b", "pre", "rc1", "beta2",
                "alpha", "RC", "A", "1a", "Z", "z")


def gen_gem(r):
    v = num(r)
    for _ in range(r.randint(0, 4)):
        v += "." + gem_part(r)
    if r.random() < 0.2:
        v += "-" + pick(r, "rc1", "beta", "1", "pre-2", "a.b")
    if r.random() < 0.03:
        v = pick(r, "", " 1.0 ", "1.0.", "a.1", "1..0", "1.0-", "1_0")
    return v


def deb_upstream(r):
    v = num(r)
    for _ in range(r.randint(0, 3)):
        v += pick(r, ".", ".", "+", "~", "") + pick(r, num(r), "rc1", "a", "b", "dfsg",
                                                    "git20230101", "beta", "~", "0")
    return v


def gen_deb(r):
    v = ""
    if r.random() < 0.2:
        v += pick(r, "0", "1", "2", "10") + ":"
    v += deb_upstream(r)
    if r.random() < 0.6:
        v += "-" + pick(r, "1", "2", "0ubuntu1", "1ubuntu2", "1+deb12u1", "1~bpo11+1",
                        "10", "1.1", "0.1~exp1", "a")
    if r.random() < 0.03:
        v = pick(r, "a1.0", "1.0-", ":1.0", "1.0 2", "1.0_1", "x:1.0", "1:")
    return v


def gen_rpm(r):
    v = ""
    if r.random() < 0.2:
        v += pick(r, "0", "1", "2", "10", "") + ":"
    v += num(r)
    for _ in range(r.randint(0, 3)):
        v += pick(r, ".", ".", "_", "~", "^", "+", "") + pick(r, num(r), "rc1", "a",
                                                                "beta", "git1", "post",
                                                                "0", "~", "^")
    if r.random() < 0.7:
        v += "-" + pick(r, "1", "2", "1.el8", "1.el9_2", "0.1.rc1", "3.fc38", "1~beta",
                        "1^20230101", "10", "1.el8.1")
    return v


def gen_apk(r):
    v = ".".join(pick(r, num(r), num(r), "0", "01", "001", "10")
                 for _ in range(r.randint(1, 4)))
    if r.random() < 0.15:
        v += pick(r, "a", "b", "z")
    for _ in range(r.randint(0, 2) if r.random() < 0.4 else 0):
        v += "_" + pick(r, "alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p")
        if r.random() < 0.7:
            v += num(r)
    if r.random() < 0.6:
        v += "-r" + num(r)
    return v


def gen_composer(r):
    v = pick(r, "", "", "", "v") + ".".join(num(r) for _ in range(r.randint(1, 4)))
    if r.random() < 0.4:
        v += pick(r, "-", "-", ".", "_", "") + pick(r, "alpha", "beta", "RC", "rc", "a",
                                                   "b", "patch", "pl", "p", "stable")
        if r.random() < 0.7:
            v += pick(r, "", ".", "-") + num(r)
    if r.random() < 0.15:
        v += pick(r, "-dev", ".dev", "dev")
    if r.random() < 0.05:
        v += "+build." + num(r)
    if r.random() < 0.1:
        v = gen_composer_odd(r)
    return v


def gen_composer_date(r):
    v = "20%02d" % r.randint(0, 30)
    for _ in range(r.randint(0, 7)):
        v += pick(r, "", ".", "-", ":", "_") + "%0*d" % (pick(r, 1, 2, 2, 2, 3), r.randint(0, 12))
    return v + pick(r, "", "", "-beta1", "-dev", ".1")


def gen_composer_odd(r):
    if r.random() < 0.5:
        return gen_composer_date(r)
    return pick(r, "1.x-dev", "1.0.x-dev", "2.*-dev", "1.X.dev", "1.0-STABLE", "1.0-Stable1",
                "1.0.0.0.0", "dev-master", "master", "1.0-", "1.0.", "1.0@beta",
                "1.0-beta_dev", "1.0-betadev", "1.0.0-b.dev", "1.0-ab", "V1.0",
                "1.0 as 2.0", "2023-01-01", "20230101", "2023.01.01.1.2", "1.0+", "1.x")


def gen_conan(r):
    v = ".".join(pick(r, num(r), num(r), "0", "x", "cci", "a1")
                 for _ in range(r.randint(1, 4)))
    if r.random() < 0.3:
        v += "-" + ".".join(pick(r, "pre", "alpha", "1", "2", "0", "rc1")
                            for _ in range(r.randint(1, 2)))
    if r.random() < 0.15:
        v += "+" + pick(r, "1", "2", "build", "0")
    return v


EDGE = {
    "npm": ["0.0.0", "1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
            "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0+build",
            "1.0.0-1", "1.0.0-01", "1.0.0-a-b", "1.0.0--", "v1.0.0", "1.2.3",
            "10.2.3", "2.10.0", "1.0", "1.0.0-", "1.0.0-x.7.z.92", "1.0.0-0.3.7",
            "9007199254740991.0.0", "1.0.0-alpha+001", "01.0.0"],
    "golang": ["v1", "v1.2", "v1.2.0", "v1.2.3", "1.2.3", "=v1.2.3", "v1.2-pre", "v01.2.3",
               "v1.2.3-01", "v1.2.3-1", "v1.2.3+incompatible", "v1.2.3-pre+meta", "V1.2.3",
               "v0.0.0-20191109021931-daa7c04131f5", "v1.2.4-0.20191109021931-daa7c04131f5",
               "v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.", "v1.2.3.4", "v", "",
               "v2.0.0+incompatible", "v1.0.0-alpha.beta", "v1.0.0-alpha.1"],
    "cargo": ["0.0.0", "1.0.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
              "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0+build", "1.0.0+other",
              "1.0.0-1", "1.0.0-01", "1.0.0--", "v1.0.0", "=1.0.0", "1.0", "1.0.0-",
              "1.0.0-0.3.7", "1.0.0-alpha+001", "18446744073709551615.0.0", "01.0.0"],
    "pypi": ["1.0", "1.0.0", "1.0a1", "1.0a", "1.0.a.1", "1.0alpha1", "1.0b2",
             "1.0c1", "1.0rc1", "1.0pre1", "1.0preview1", "1.0.dev0", "1.0.dev1",
             "1.0a1.dev1", "1.0.post1", "1.0-1", "1.0r1", "1.0rev1", "1.0.post1.dev1",
             "1.0+abc", "1.0+1", "1.0+abc.1", "1.0+1.abc", "1!0.1", "0!1.0", "v1.0",
             " 1.0 ", "1.0-", "1.0+", "1.0_a_1", "1.0-a-1", "1.0A1", "1.0.POST1",
             "1.0a.", "1.0a.post1", "1.0a.-1", "1.0a-1", "1.01", "1.0+01"],
    "gem": ["1", "1.0", "1.0.0", "1.0.a", "1.a", "1.0.0.a", "1.0.b", "1.0.A",
            "1.0-rc1", "1.0.pre.rc1", "1.0.rc1", "1.0.0.rc.1", "1.1", "1.a1", "1.0.1a",
            "0", "", " 1.0", "1.0-", "1.0.0.0.1", "1.0.01", "2.0.0.beta2", "2.0.0.beta10"],
    "deb": ["1.0", "1.0-1", "1.0-0", "0:1.0", "1:1.0", "1.0~rc1", "1.0~", "1.0~~",
            "1.0+dfsg", "1.0a", "1.0.1", "1.00", "1.0-1ubuntu1", "1.0-1~bpo1",
            "1.0-1+b1", "1.0-a", "2:0.1", "1.0-1-1", "a1.0", "1.0-", ":1.0",
            "1.0_1", "1:", "10", "9"],
    "maven": ["1", "1.0", "1.0.0", "1-0", "1.0-0", "1-snapshot", "1-SNAPSHOT",
              "1-alpha", "1-alpha1", "1-a1", "1a1", "1-beta", "1-b1", "1-milestone",
              "1-m1", "1-rc", "1-cr", "1-ga", "1-final", "1-release", "1-sp", "1-sp1",
              "1-foo", "1-abc", "1.1", "1-1", "1.0.1", "1-0.1", "1..1", "1-", "-1",
              "1.0-alpha-1", "1.0-alpha.1", "2.0.0.RELEASE", "1.0.0.Final",
              "1-0-1", "1--1", "1.2.3-4", "1.2.3.4", "123456789012345678901",
              "1.sp-1", "0-1", "0.rc-0", "0"],
    "composer": ["1", "1.0", "1.0.0.0", "v1.0", "1.0.0-alpha", "1.0.0-a1", "1.0.0-beta",
                 "1.0.0-b", "1.0.0-beta0", "1.0.0-beta1", "1.0.0-beta.1", "1.0.0-beta-1-2",
                 "1.0.0-BETA2", "1.0.0-RC1", "1.0.0-rc.1", "1.0.0-patch1", "1.0.0-pl1",
                 "1.0.0-p", "1.0.0-stable", "1.0.0-dev", "1.0.0.dev", "1.0.0-beta-dev",
                 "1.0.0-beta1-dev", "1.0.0+build.1", "1.x-dev", "1.0.x-dev", "1.0-STABLE",
                 "dev-master", "1.0.0.0.0", "1.0-", "1.0.1"],
    "rpm": ["1.0", "1.0-1", "0:1.0-1", "1:1.0-1", "1.0~rc1-1", "1.0^1-1", "1.0^-1",
            "1.0a-1", "1.0.1-1", "1.00-1", "1.0-1.el8", "1.0-1.el8_2", "1_0-1",
            "1.0-~1", ":1.0-1", "1.0~~-1", "1.0~-1", "1.0-1^git1", "10-1", "9-1",
            "1.0-", "1.0", "-1", "1:", "", "1.0-^", "a:1.0"],
}


def main():
    outdir = sys.argv[1]
    npairs = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    # per-type counts, for references that are slow to run
    counts = dict(arg.split("=") for arg in sys.argv[3:])
    gens = {
        "npm": gen_npm, "golang": gen_golang, "cargo": gen_cargo, "nuget": gen_nuget,
        "maven": gen_maven, "pypi": gen_pypi, "gem": gen_gem, "deb": gen_deb,
        "rpm": gen_rpm, "apk": gen_apk, "composer": gen_composer, "conan": gen_conan,
    }
    write_fuzz(os.path.join(outdir, "fuzz.pairs"), gens,
               list(gens) + ["cbl-mariner", "wolfi", "swift", "conda", "pub"])
    for ptype, gen in gens.items():
        r = random.Random("%d-%s" % (SEED, ptype))
        edge = EDGE.get(ptype, [])
        pool = sorted(set(gen(r) for _ in range(600)))
        with open(os.path.join(outdir, ptype + ".pairs"), "w", encoding="utf-8") as f:
            for a in edge:
                for b in edge:
                    f.write("%s\t%s\n" % (a, b))
            for _ in range(int(counts.get(ptype, npairs))):
                a = gen(r)
                # half of the pairs from a small pool, to get ties and near misses
                b = r.choice(pool) if r.random() < 0.5 else gen(r)
                f.write("%s\t%s\n" % (a, b))
        with open(os.path.join(outdir, ptype + ".pool"), "w", encoding="utf-8") as f:
            for v in edge + pool:
                f.write(v + "\n")


FUZZ_WORDS = ["alpha", "beta", "rc", "dev", "post", "sp", "pre", "r", "-r1", "_p",
              "snapshot", "0", "00", "1", "10", "99999999999999999999999", ".", "-",
              "+", "~", "^", ":", "!", "v", "=", "cci", "dev-", "\u00e9", " ", "\u00a0",
              "\u3000", "\u200b", "\x1c", "@beta", " as ", "x", "*", "2023-01"]
FUZZ_CHARS = "0123456789abcdeprstvxSNAP.-_+~^:! \u00ff"


def mutate(r, v):
    """v with a few characters inserted, deleted or replaced: near-valid input"""
    for _ in range(r.randint(1, 3)):
        i = r.randint(0, len(v))
        op = r.random()
        c = r.choice(FUZZ_CHARS)
        if op < 0.4:
            v = v[:i] + c + v[i:]
        elif op < 0.7:
            v = v[:i] + v[i + 1:]
        else:
            v = v[:i] + c + v[i + 1:]
    return v


def write_fuzz(path, gens, types, count=50000):
    """garbage, and mutations of realistic versions, for every purl type"""
    r = random.Random("%d-fuzz" % SEED)

    def garbage(ptype):
        x = r.random()
        if ptype in gens and x < 0.5:
            return mutate(r, gens[ptype](r))
        if x < 0.75:
            return "".join(r.choice(FUZZ_CHARS) for _ in range(r.randint(0, 30)))
        return "".join(r.choice(FUZZ_WORDS) for _ in range(r.randint(0, 12)))

    with open(path, "w", encoding="utf-8") as f:
        for _ in range(count):
            ptype = r.choice(types)
            # against a realistic version, the garbage's validity decides
            other = gens[ptype](r) if ptype in gens and r.random() < 0.5 else garbage(ptype)
            f.write("%s\t%s\t%s\n" % (ptype, garbage(ptype), other))


if __name__ == "__main__":
    main()
