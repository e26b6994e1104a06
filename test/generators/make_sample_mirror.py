#!/usr/bin/env python3
"""Writes the small sample mirror that ./run syncs and the tests use.

A copy of the license bucket's tree (doc/format.md section 2): two deltas for a
few registries, plain and gzip files, a package re-stated in a later delta,
a duplicate within a file and one bad line.  Deterministic: running it again
gives the same bytes.

    test/generators/make_sample_mirror.py [DIR]     (default: test/sample-mirror)
"""
import gzip
import json
import os
import shutil
import sys

FIRST, SECOND = 1675356202, 1677169710


def rec(name, lowest, highest, default, other=()):
    r = {"name": name, "lowest_version": lowest, "highest_version": highest,
         "default_licenses": list(default)}
    r["other_licenses"] = [{"licenses": list(l), "versions": list(v)} for l, v in other]
    return json.dumps(r, separators=(",", ":"))


FILES = {
    f"v2/npm/{FIRST}/000000000.ndjson": [
        rec("lodash", "0.1.0", "4.17.21", ["MIT"]),
        rec("@babel/core", "7.0.0", "7.24.0", ["MIT"],
            [(["MIT", "BSD-3-Clause"], ["6.26.0", "6.26.3"])]),
        rec("left-pad", None, "1.3.0", ["WTFPL"]),
        rec("express", "0.14.0", "4.19.2", ["MIT"]),
    ],
    f"v2/npm/{FIRST}/000000001.ndjson.gz": [
        rec("react", "0.3.0", "18.3.1", ["MIT"], [(["BSD-3-Clause"], ["0.14.0", "15.0.0"])]),
        rec("@scope/tool", None, "2.0.0", ["unknown"]),
    ],
    f"v2/npm/{SECOND}/000000000.ndjson": [
        # a later delta re-states lodash: the whole record is replaced
        rec("lodash", "0.1.0", "4.17.22", ["MIT", "CC0-1.0"]),
        '{"name":"broken-record","default_licenses":"MIT"}',
        rec("chalk", "0.1.0", "5.3.0", ["MIT"]),
        # the same package twice in one file: the later line wins
        rec("chalk", "0.1.0", "5.3.1", ["MIT"]),
    ],
    f"v2/maven/{FIRST}/000000000.ndjson.gz": [
        rec("org.apache.commons/commons-lang3", "3.0", "3.14.0", ["Apache-2.0"]),
        rec("org.acme/widget", "1.0.0", "3.2.1", ["Apache-2.0"],
            [(["MIT", "BSD-3-Clause"], ["0.9.1", "0.9.2-beta"])]),
        rec("junit/junit", "3.7", "4.13.2", ["EPL-1.0"], [(["CPL-1.0"], ["3.8.1", "4.0"])]),
    ],
    f"v2/pypi/{FIRST}/000000000.ndjson": [
        rec("Django", "1.0", "5.0.6", ["BSD-3-Clause"]),
        rec("zope.interface", "3.0.0", "6.4", ["ZPL-2.1"]),
        rec("typing_extensions", "3.6.2", "4.12.2", ["PSF-2.0"]),
    ],
    f"v2/go/{FIRST}/000000000.ndjson": [
        rec("github.com/Masterminds/semver/v3", "v3.0.0", "v3.2.1", ["MIT"]),
        rec("golang.org/x/text", "v0.1.0", "v0.16.0", ["BSD-3-Clause"]),
    ],
    f"v2/rubygem/{FIRST}/000000000.ndjson": [
        rec("rails", "0.8.0", "7.1.3", ["MIT"]),
    ],
    # objects the sync must ignore: not <sequence>/<chunk>.ndjson[.gz]
    "v2/npm/README.txt": None,
    f"v2/npm/{FIRST}/notes.txt": None,
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "sample-mirror")
    if os.path.isdir(root):
        shutil.rmtree(root)
    for name, lines in FILES.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = b"ignored by pkgmeta\n" if lines is None else ("\n".join(lines) + "\n").encode()
        if name.endswith(".gz"):
            data = gzip.compress(data, mtime=0)
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
