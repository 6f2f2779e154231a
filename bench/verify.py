#!/usr/bin/env python3
"""Compares a restored tree with its source: entries, types, modes, owners, sizes, mtimes, symlink targets and contents.

Prints one summary line ("identical: N entries" or "K differences: field=count ...") followed by up to
ten examples, and exits 0 only when the trees are identical. Access times are not compared: reading the
source during a backup changes them.
"""
import argparse
import hashlib
import os
import stat
import sys
from collections import Counter


def entries(root):
    """Maps each relative path under root (root itself is ".") to its absolute path, without following symlinks."""
    found = {".": root}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            found[os.path.relpath(full, root)] = full
    return found


def digest(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            hasher.update(block)
    return hasher.digest()


def differences(source_path, restored_path):
    """Names of the fields in which two entries differ; contents are hashed only when everything else matches."""
    src, dst = os.lstat(source_path), os.lstat(restored_path)
    if stat.S_IFMT(src.st_mode) != stat.S_IFMT(dst.st_mode):
        return ["type"]
    found = []
    is_link = stat.S_ISLNK(src.st_mode)
    if stat.S_IMODE(src.st_mode) != stat.S_IMODE(dst.st_mode):
        found.append("mode")
    if (src.st_uid, src.st_gid) != (dst.st_uid, dst.st_gid):
        found.append("owner")
    if src.st_mtime_ns != dst.st_mtime_ns:
        found.append("symlink-mtime" if is_link else "mtime")
    if is_link:
        if os.readlink(source_path) != os.readlink(restored_path):
            found.append("symlink-target")
    elif stat.S_ISREG(src.st_mode):
        if src.st_size != dst.st_size:
            found.append("size")
        elif not found and digest(source_path) != digest(restored_path):
            found.append("content")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source")
    parser.add_argument("restored")
    args = parser.parse_args()
    if not os.path.isdir(args.restored):
        print(f"1 differences: missing-root=1\n  restored tree {args.restored} does not exist")
        sys.exit(1)

    source, restored = entries(args.source), entries(args.restored)
    counts, examples = Counter(), []
    for rel in sorted(source.keys() | restored.keys()):
        if rel not in restored:
            found = ["missing"]
        elif rel not in source:
            found = ["extra"]
        else:
            found = differences(source[rel], restored[rel])
        for field in found:
            counts[field] += 1
        if found and len(examples) < 10:
            examples.append(f"  {rel}: {', '.join(found)}")

    if not counts:
        print(f"identical: {len(source)} entries")
        return
    summary = " ".join(f"{field}={count}" for field, count in sorted(counts.items()))
    print(f"{sum(counts.values())} differences: {summary}")
    print("\n".join(examples))
    sys.exit(1)


if __name__ == "__main__":
    main()
