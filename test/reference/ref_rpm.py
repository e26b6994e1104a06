"""Reference: rpm's labelCompare (Debian python3-rpm).  Reads "a<TAB>b"
lines of [epoch:]version[-release] labels, split as rpm's parseEVR does,
prints -1, 0, 1 or "invalid" (rpm refuses an empty version)."""
import sys

import rpm


def evr(label):
    i = 0
    while i < len(label) and label[i].isascii() and label[i].isdigit():
        i += 1
    epoch = None
    if i < len(label) and label[i] == ":":
        epoch = label[:i] or "0"
        label = label[i + 1:]
    version, sep, release = label.rpartition("-")
    if not sep:
        return (epoch, label, None)
    return (epoch, version, release)


for line in sys.stdin:
    a, b = line.rstrip("\n").split("\t")
    try:
        print(rpm.labelCompare(evr(a), evr(b)))
    except ValueError:
        print("invalid")
