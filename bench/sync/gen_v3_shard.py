#!/usr/bin/python3
"""Writes one v3 full dataset shard of a given size, for the memory check.

    gen_v3_shard.py OUT --mb M [--zstd ARGS]

OUT/v3/npm/full_dataset/00.tar.zst   one zstd tar archive holding one member,
    00/000000000.ndjson, of at least M MB (MB = 2^20 bytes) of v3 license
    records (distinct npm names, versions and license sets shaped like the
    v2 corpus's), compressed by the zstd program with ARGS (default "-3";
    "-3 --long=27" asks for a 128 MB window).
OUT/v3/npm/full_dataset/checkpoint.json
OUT/stats                            packages=N, bytes=B (the member's size)

Streamed: the member is written to a temporary file line by line, then tar
reads it and pipes the archive through zstd; nothing is held in memory.
"""
import argparse
import json
import os
import random
import shlex
import subprocess

WORDS = """data json http core util client server api async stream parse config
log test mock react vue node web net cloud auth jwt crypto hash cache redis sql
orm model schema form ui icon style css theme chart graph math time date file
path event queue worker task job mail dns image video audio pdf xml yaml csv
zip spring boot kafka grpc rest router plugin loader bundle build lint cli
shell prompt table tree list map set string text lexer token compiler""".split()
LICENSES = ["MIT", "Apache-2.0", "ISC", "BSD-3-Clause", "BSD-2-Clause", "GPL-3.0-only",
            "LGPL-2.1-only", "MPL-2.0", "Unlicense", "CC0-1.0"] + \
    ["LicenseRef-vendor-%03d" % i for i in range(50)]


def record(rng, i):
    name = "%s-%s-%x" % (rng.choice(WORDS), rng.choice(WORDS), i)
    if i % 5 == 0:
        name = "@%s/%s" % (rng.choice(WORDS), name)
    versions = ["%d.%d.%d" % (rng.randrange(5), rng.randrange(20), k)
                for k in range(max(1, min(300, int(2 * rng.paretovariate(1.0)))))]
    default = [LICENSES[min(len(LICENSES) - 1, int(rng.paretovariate(1.5)) - 1)]]
    r = {"name": name, "lowest_version": versions[0], "highest_version": versions[-1],
         "default_licenses": {"licenses": default,
                              "expressions": [" OR ".join(default + ["MIT"])]
                              if rng.random() < 0.1 else []}}
    if rng.random() < 0.18:
        r["other_licenses"] = [{"licenses": [rng.choice(LICENSES)], "expressions": [],
                                "versions": versions[:rng.randrange(1, len(versions) + 1)]}]
    return json.dumps(r, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, required=True)
    ap.add_argument("--zstd", default="-3")
    a = ap.parse_args()
    full = os.path.join(a.out, "v3/npm/full_dataset")
    members = os.path.join(a.out, "members")
    os.makedirs(full, exist_ok=True)
    os.makedirs(os.path.join(members, "00"), exist_ok=True)
    member = os.path.join(members, "00/000000000.ndjson")
    rng = random.Random(1)
    target = a.mb * 1024 * 1024
    written = 0
    n = 0
    with open(member, "w", buffering=1 << 20) as f:
        while written < target:
            lines = "".join(record(rng, n + k) + "\n" for k in range(1000))
            f.write(lines)
            written += len(lines)
            n += 1000
    tar = subprocess.Popen(["tar", "-cf", "-", "-C", members, "00/000000000.ndjson"],
                           stdout=subprocess.PIPE)
    subprocess.run(["zstd", "-q", "-f", "-T1"] + shlex.split(a.zstd) +
                   ["-o", os.path.join(full, "00.tar.zst")], stdin=tar.stdout, check=True)
    tar.stdout.close()
    if tar.wait() != 0:
        raise SystemExit("tar failed")
    os.remove(member)
    with open(os.path.join(full, "checkpoint.json"), "w") as f:
        f.write('{"until": 1700000000}\n')
    with open(os.path.join(a.out, "stats"), "w") as f:
        f.write("packages=%d\nbytes=%d\n" % (n, written))


if __name__ == "__main__":
    main()
