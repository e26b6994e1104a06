"""Reference: packaging.version (Debian python3-packaging).  Reads "a<TAB>b"
lines, prints -1, 0, 1 or "invalid"."""
import sys

from packaging.version import InvalidVersion, Version

for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        va, vb = Version(a), Version(b)
        print((va > vb) - (va < vb))
    except InvalidVersion:
        print("invalid")
