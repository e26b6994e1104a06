#!/usr/bin/python3
"""Writes a synthetic v2 license export shaped like doc/format.md section 9.

    gen_corpus.py OUT --packages N [--chunk LINES] [--seed S]
    gen_corpus.py OUT --big-file BYTES

OUT/mirror/v2/<registry>/<sequence>/<chunk>.ndjson[.gz]
    per registry a first delta holding the full set, then two deltas that
    re-state about 2% of the packages each and add 0.5% new ones, with a few
    names repeated inside a file (the later line wins) and a few bad lines.
    Every other chunk is gzip-compressed.
OUT/delta/v2/...      one more delta per registry re-stating 1% of packages.
OUT/copy/licenses.copy, OUT/copy/packages.copy
    the final state after the mirror (one row per package, names
    normalized) as COPY text; license ids are numbered in the order a sync
    first meets them (purl type id order, then files and lines in order).
OUT/upsert.sql        every record of the mirror, in sync order, as 200-row
    INSERT ... ON CONFLICT DO UPDATE statements into bench.packages_upsert.
OUT/stats             key=value lines (packages, records, bytes, files).

--big-file writes only OUT/big/v2/npm/1/000000000.ndjson of at least BYTES
(plain) and OUT/small/v2/npm/1/000000000.ndjson of the same shape, 1/100 its
size, for the memory check.
"""
import argparse
import bisect
import gzip
import itertools
import json
import os
import random
import re

# registry id, purl type id, share of packages, name style
REGISTRIES = [
    ("packagist", 1, 0.05, "vendor"),
    ("conan", 2, 0.004, "plain"),
    ("rubygem", 3, 0.03, "plain"),
    ("go", 4, 0.12, "go"),
    ("maven", 5, 0.15, "maven"),
    ("npm", 6, 0.40, "npm"),
    ("nuget", 7, 0.06, "dotted"),
    ("pypi", 8, 0.10, "pypi"),
    ("apk", 9, 0.01, "plain"),
    ("rpm", 10, 0.015, "plain"),
    ("deb", 11, 0.02, "plain"),
    ("cbl-mariner", 12, 0.003, "plain"),
    ("wolfi", 13, 0.004, "plain"),
    ("cargo", 14, 0.02, "plain"),
    ("swift", 15, 0.003, "go"),
    ("conda", 16, 0.008, "plain"),
    ("pub", 17, 0.006, "plain"),
]

WORDS = """data json http core util utils client server api async stream parse
parser config log logger test mock react vue angular node web net cloud aws
azure google auth oauth jwt crypto hash cache redis sql mongo postgres orm
model schema form ui icon style css theme color chart graph plot math time
date file path fs io event queue worker task job cron mail smtp dns tcp udp
image video audio pdf xml yaml toml csv excel zip tar gzip spring boot jackson
commons guava netty kafka spark hadoop flink beam grpc proto thrift avro rest
graphql router middleware plugin loader bundle build lint format docs cli
shell term ansi prompt color progress table tree list map set array string
text regex lexer token ast compiler runtime vm jit eval sandbox security
validator sanitize escape encode decode base64 uuid random seed""".split()

# Popular licenses first: a Zipf draw over this list gives a long tail.
LICENSES = """MIT Apache-2.0 ISC BSD-3-Clause BSD-2-Clause unknown GPL-3.0-only
GPL-2.0-only LGPL-2.1-only LGPL-3.0-only MPL-2.0 Unlicense CC0-1.0 EPL-1.0
EPL-2.0 AGPL-3.0-only WTFPL Zlib Artistic-2.0 BSL-1.0 CDDL-1.0 CDDL-1.1 EUPL-1.2
GPL-2.0-or-later GPL-3.0-or-later LGPL-2.1-or-later Python-2.0 PSF-2.0 Ruby
0BSD BlueOak-1.0.0 CC-BY-4.0 CC-BY-SA-4.0 OFL-1.1 PostgreSQL OpenSSL
X11 NCSA MS-PL MS-RL UPL-1.0 AFL-3.0 Apache-1.1 BSD-4-Clause""".split()
LICENSES += ["LicenseRef-vendor-%03d" % i for i in range(300)]

CHUNK_DEFAULT = 100000


# Zipf weights over LICENSES: a few licenses cover most packages
LICENSE_CUM = list(itertools.accumulate(1 / (k + 1) ** 1.2 for k in range(len(LICENSES))))


def draw_license(rng):
    return LICENSES[bisect.bisect_left(LICENSE_CUM, rng.random() * LICENSE_CUM[-1])]


def pareto_int(rng, alpha, cap, scale=1.0):
    return max(1, min(cap, int(scale * rng.paretovariate(alpha))))


def name_for(style, i, rng):
    w = [WORDS[rng.randrange(len(WORDS))] for _ in range(3)]
    tag = format(i, "x")
    if style == "npm":
        if i % 5 == 0:
            return "@%s/%s-%s-%s" % (w[0], w[1], w[2], tag)
        return "%s-%s-%s" % (w[0], w[1], tag)
    if style == "maven":
        return "org.%s.%s/%s-%s-%s" % (w[0], w[1], w[1], w[2], tag)
    if style == "go":
        return "github.com/%s/%s-%s-%s" % (w[0].capitalize(), w[1], w[2], tag)
    if style == "pypi":
        return "%s_%s.%s-%s" % (w[0].capitalize(), w[1], w[2], tag)
    if style == "dotted":
        return "%s.%s.%s.X%s" % (w[0].capitalize(), w[1].capitalize(), w[2].capitalize(), tag)
    if style == "vendor":
        return "%s/%s-%s-%s" % (w[0], w[1], w[2], tag)
    return "%s-%s-%s" % (w[0], w[1], tag)


def normalize(purl_type, name):
    if purl_type == 8:
        return re.sub(r"[-_.]+", "-", name.lower())
    if purl_type == 4:
        return name.lower()
    return name


def version_list(rng, n):
    major, minor, patch = rng.randrange(4), rng.randrange(10), 0
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            major, minor, patch = major + 1, 0, 0
        elif r < 0.4:
            minor, patch = minor + 1, 0
        else:
            patch += 1
        v = "%d.%d.%d" % (major, minor, patch)
        if rng.random() < 0.05:
            v += "-beta.%d" % rng.randrange(5)
        out.append(v)
    return out


def make_record(reg, index, revision):
    """The record of package `index` of a registry at a revision, as a dict."""
    registry, purl_type, _, style = reg
    rng = random.Random((purl_type << 40) ^ (index << 8) ^ revision)
    name = name_for(style, index, random.Random((purl_type << 40) ^ index))
    nversions = pareto_int(rng, 1.0, 2000, 2.0)
    versions = version_list(rng, nversions)
    defaults = [draw_license(rng)]
    if rng.random() < 0.08:
        defaults.append(draw_license(rng))
    other = []
    if rng.random() < 0.18:
        for _ in range(pareto_int(rng, 1.4, 50)):
            k = min(len(versions), pareto_int(rng, 1.2, 500))
            other.append({
                "licenses": [draw_license(rng)
                             for _ in range(1 if rng.random() < 0.9 else 2)],
                "versions": rng.sample(versions, k),
            })
    rec = {"name": name,
           "lowest_version": versions[0] if rng.random() > 0.03 else None,
           "highest_version": versions[-1],
           "default_licenses": defaults,
           "other_licenses": other}
    if revision >= 100:
        rec["default_licenses"] = ["unknown"]    # a stale line a later one replaces
    return rec


BAD_LINES = [
    '{"name":"broken-json","default_licenses":["MIT"]',
    '{"name":"no-licenses","lowest_version":"1.0.0"}',
    '{"name":42,"default_licenses":["MIT"]}',
    'not json at all',
]


class Writer:
    """Writes the mirror in sync order, numbering licenses as a sync meets them."""

    def __init__(self, out):
        self.out = out
        self.license_ids = {}
        self.records = 0
        self.bytes = 0
        self.files = 0
        self.upsert = None

    def lid(self, spdx):
        i = self.license_ids.get(spdx)
        if i is None:
            i = self.license_ids[spdx] = len(self.license_ids) + 1
        return i

    def write_file(self, root, registry, seq, chunk, lines_records, purl_type, gz):
        path = "%s/v2/%s/%d/%09d.ndjson%s" % (root, registry, seq, chunk, ".gz" if gz else "")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        parts = []
        for item in lines_records:
            if isinstance(item, str):
                parts.append(item)
                continue
            parts.append(json.dumps(item, separators=(",", ":")))
            for s in item["default_licenses"]:
                self.lid(s)
            for e in item["other_licenses"]:
                for s in e["licenses"]:
                    self.lid(s)
            self.records += 1
        data = ("\n".join(parts) + "\n").encode()
        self.bytes += len(data)
        self.files += 1
        if gz:
            with gzip.open(path, "wb", compresslevel=1) as f:
                f.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)
        if self.upsert is not None:
            self.write_upsert([r for r in lines_records if not isinstance(r, str)], purl_type)

    def write_upsert(self, recs, purl_type):
        batch, names = [], set()

        def flush():
            if batch:
                self.upsert.write(
                    "INSERT INTO bench.packages_upsert AS p (purl_type, name, lowest_version,"
                    " highest_version, default_licenses, other_licenses) VALUES\n"
                    + ",\n".join(batch)
                    + "\nON CONFLICT (purl_type, name) DO UPDATE SET"
                    " lowest_version = EXCLUDED.lowest_version,"
                    " highest_version = EXCLUDED.highest_version,"
                    " default_licenses = EXCLUDED.default_licenses,"
                    " other_licenses = EXCLUDED.other_licenses;\n")
            batch.clear()
            names.clear()

        for r in recs:
            name = normalize(purl_type, r["name"])
            # one statement cannot update a row twice
            if len(batch) == 200 or name in names:
                flush()
            names.add(name)
            f = row_fields(self, purl_type, r)
            batch.append("(" + ",".join("NULL" if v is None else "'" + v.replace("'", "''") + "'"
                                        for v in f) + ")")
        flush()


def quote_elem(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def row_fields(w, purl_type, r):
    """A package row as the text of its columns (None: NULL)."""
    defaults = "{" + ",".join(str(w.lid(s)) for s in r["default_licenses"]) + "}"
    other = "{" + ",".join(
        quote_elem("(" + quote_elem("{" + ",".join(str(w.lid(s)) for s in e["licenses"]) + "}")
                   + "," + quote_elem("{" + ",".join(quote_elem(v) for v in e["versions"]) + "}")
                   + ")")
        for e in r["other_licenses"]) + "}"
    return [str(purl_type), normalize(purl_type, r["name"]), r["lowest_version"] or None,
            r["highest_version"] or None, defaults, other]


def copy_escape(s):
    if s is None:
        return "\\N"
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def generate(args):
    out = args.out
    w = Writer(out)
    w.upsert = open(os.path.join(out, "upsert.sql"), "w")
    w.upsert.write("\\set ON_ERROR_STOP 1\n")
    master = random.Random(args.seed)
    finals = []                 # per registry: revision of each package
    seq0 = 1700000000
    for reg in REGISTRIES:
        registry, purl_type, share, _ = reg
        n = max(50, int(args.packages * share))
        rev = [0] * n
        # first delta: the full set, in chunks
        chunk = 0
        for start in range(0, n, args.chunk):
            recs = [make_record(reg, i, 0) for i in range(start, min(n, start + args.chunk))]
            w.write_file(out + "/mirror", registry, seq0, chunk, recs, purl_type, chunk % 2 == 1)
            chunk += 1
        # two deltas: 2% re-stated, 0.5% new, some repeats and bad lines
        for d in (1, 2):
            restated = master.sample(range(len(rev)), max(1, len(rev) // 50))
            new = list(range(len(rev), len(rev) + max(1, len(rev) // 200)))
            rev.extend([0] * len(new))
            lines = []
            for i in restated:
                rev[i] += 1
            for i in sorted(restated + new):
                if master.random() < 0.01:
                    lines.append(make_record(reg, i, 100 + rev[i]))
                lines.append(make_record(reg, i, rev[i]))
            for b in BAD_LINES[: 1 + d]:
                lines.insert(master.randrange(len(lines) + 1), b)
            for c, start in enumerate(range(0, len(lines), args.chunk)):
                w.write_file(out + "/mirror", registry, seq0 + d * 3600, c,
                             lines[start:start + args.chunk], purl_type, d == 2)
        finals.append((reg, list(rev)))
    w.upsert.close()
    w.upsert = None

    # the final state, then the 1% delta (its licenses numbered after the mirror's)
    os.makedirs(out + "/copy", exist_ok=True)
    packages = 0
    with open(out + "/copy/packages.copy", "w") as f:
        for reg, rev in finals:
            for i, r in enumerate(rev):
                f.write("\t".join(copy_escape(v) for v in row_fields(w, reg[1], make_record(reg, i, r))) + "\n")
                packages += 1
    with open(out + "/copy/licenses.copy", "w") as f:
        for spdx, i in sorted(w.license_ids.items(), key=lambda kv: kv[1]):
            f.write("%d\t%s\n" % (i, copy_escape(spdx)))
    mirror_stats = (w.records, w.bytes, w.files)
    delta_records = 0
    for reg, rev in finals:
        sample = master.sample(range(len(rev)), max(1, len(rev) // 100))
        recs = [make_record(reg, i, rev[i] + 1) for i in sorted(sample)]
        delta_records += len(recs)
        w.write_file(out + "/delta", reg[0], seq0 + 4 * 3600, 0, recs, reg[1], False)
    with open(out + "/stats", "w") as f:
        f.write("packages=%d\nrecords=%d\nbytes=%d\nfiles=%d\ndelta_records=%d\n"
                % (packages, mirror_stats[0], mirror_stats[1], mirror_stats[2], delta_records))


def generate_big(args):
    """One large file: a pool of records repeated under new names (fast)."""
    reg = REGISTRIES[5]
    pool = []
    for i in range(20000):
        line = json.dumps(make_record(reg, i, 0), separators=(",", ":"))
        name_end = line.index('"', len('{"name":"'))
        pool.append((line[:name_end], line[name_end:] + "\n"))
    for sub, target in (("big", args.big_file), ("small", args.big_file // 100)):
        path = "%s/%s/v2/npm/1/000000000.ndjson" % (args.out, sub)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        size, i = 0, 0
        with open(path, "w") as f:
            while size < target:
                head, tail = pool[i % len(pool)]
                line = "%s-%d%s" % (head, i // len(pool), tail)
                f.write(line)
                size += len(line)
                i += 1
        with open("%s/%s.stats" % (args.out, sub), "w") as f:
            f.write("packages=%d\nbytes=%d\n" % (i, size))
    # a delta re-stating the first tenth of the big file's packages, changed
    path = "%s/big-delta/v2/npm/2/000000000.ndjson" % args.out
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open("%s/big/v2/npm/1/000000000.ndjson" % args.out) as src, open(path, "w") as f:
        size, n = 0, 0
        for line in src:
            if size >= args.big_file // 10:
                break
            line = line.replace('"highest_version":"', '"highest_version":"9', 1)
            f.write(line)
            size += len(line)
            n += 1
    with open("%s/big-delta.stats" % args.out, "w") as f:
        f.write("packages=%d\nbytes=%d\n" % (n, size))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--packages", type=int, default=2000000)
    p.add_argument("--chunk", type=int, default=CHUNK_DEFAULT)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--big-file", type=int, default=0)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.big_file:
        generate_big(args)
    else:
        generate(args)


if __name__ == "__main__":
    main()
