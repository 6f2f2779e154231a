#!/usr/bin/env python3
"""Changes 1% of a source tree deterministically: every Nth regular file in sorted order grows by a fixed line.

Every tool sees the same files changed with the same bytes, because the choice depends only on the
sorted relative paths of the pristine tree, not on inode order or time. Prints "<files> <bytes>".
"""
import argparse
import os
import sys


def regular_files(root):
    """Relative paths of every regular file under root (symlinks not followed), sorted bytewise."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full) and not os.path.islink(full):
                found.append(os.path.relpath(full, root))
    found.sort(key=os.fsencode)
    return found


def appended_line(index, size):
    """The bytes appended to the index-th chosen file: a recognisable line padded to exactly size bytes."""
    text = f"/* haven bench change {index:06d} */".encode()
    if len(text) + 1 > size:
        return text[: size - 1] + b"\n"
    return text + b" " * (size - len(text) - 1) + b"\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", help="tree to change in place")
    parser.add_argument("--every", type=int, default=100, help="change every Nth file (default 100 = 1%%)")
    parser.add_argument("--bytes", type=int, default=100, help="bytes appended to each chosen file")
    args = parser.parse_args()
    if args.every < 1 or args.bytes < 1:
        sys.exit("mutate.py: --every and --bytes must be positive")

    files = regular_files(args.root)
    chosen = files[args.every - 1 :: args.every]
    for index, rel in enumerate(chosen):
        with open(os.path.join(args.root, rel), "ab") as handle:
            handle.write(appended_line(index, args.bytes))
    print(len(chosen), len(chosen) * args.bytes)


if __name__ == "__main__":
    main()
