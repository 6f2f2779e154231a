#!/usr/bin/env bash
# One million small files: how long Haven takes to rescan them unchanged (unoptimized: every directory listed,
# every file compared) and with its change journal (optimized), against restic's no-change backup.
# Usage: bash bench/million.sh [FILES]   (default 1000000; needs root for the loop-mounted ext4 and the journal)
set -euo pipefail
FILES=${1:-1000000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HAVEN="${HAVEN_BIN:-$ROOT/.build/release/haven}"
WORK="${BENCH_DIR:-$ROOT/bench/work}/million"
export HAVEN_PASSWORD=haven-bench-passphrase RESTIC_PASSWORD=haven-bench-passphrase
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
timed() { local label=$1; shift; /usr/bin/time -f "$label %e s wall, %U s user, %S s system, %M KiB peak" "$@" >/dev/null; }

[[ -x "$HAVEN" ]] || { echo "build haven first (make build)" >&2; exit 1; }
mkdir -p "$WORK"
mountpoint -q "$WORK/fs" && umount "$WORK/fs"
rm -rf "$WORK"/*
mkdir -p "$WORK/fs"
# Inodes for a million files: the default ratio would give too few.
truncate -s 8G "$WORK/fs.img"
mkfs.ext4 -q -F -N $((FILES + FILES / 5 + 10000)) "$WORK/fs.img"
mount -o loop "$WORK/fs.img" "$WORK/fs"
trap 'mountpoint -q "$WORK/fs" && umount "$WORK/fs"' EXIT
SRC="$WORK/fs/tree"
say "making $FILES files of 100 bytes in 1000 files per directory"
python3 - "$SRC" "$FILES" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
payload = b"x" * 100
for i in range(count):
    d = os.path.join(root, f"d{i // 100000}", f"d{(i // 1000) % 100}")
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i}"), "wb") as f:
        f.write(payload)
PY
sync
"$HAVEN" repo init --repo "$WORK/repo" >/dev/null
"$HAVEN" journal watch --journal "$WORK/journal" "$SRC" >/dev/null 2>&1 &
JOURNAL=$!
trap 'kill $JOURNAL 2>/dev/null || true; wait $JOURNAL 2>/dev/null || true; mountpoint -q "$WORK/fs" && umount "$WORK/fs"; rm -f "$WORK/fs.img"' EXIT
sleep 1
say "haven: initial backup"
timed "haven initial" "$HAVEN" backup --repo "$WORK/repo" --journal "$WORK/journal" "$SRC"
say "haven: no change, unoptimized (warm)"
timed "haven rescan-warmup" "$HAVEN" backup --repo "$WORK/repo" "$SRC"
BASE=$("$HAVEN" recovery-points --repo "$WORK/repo" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
timed "haven no-change unoptimized" "$HAVEN" backup --repo "$WORK/repo" --parent "$BASE" "$SRC"
say "haven: no change, optimized"
FIRST=$("$HAVEN" recovery-points --repo "$WORK/repo" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
timed "haven no-change optimized" "$HAVEN" backup --repo "$WORK/repo" --journal "$WORK/journal" --parent "$FIRST" "$SRC"
if command -v restic >/dev/null; then
	restic init --repo "$WORK/restic" >/dev/null
	say "restic: initial backup"
	timed "restic initial" restic backup --repo "$WORK/restic" "$SRC"
	timed "restic no-change" restic backup --repo "$WORK/restic" "$SRC"
fi
