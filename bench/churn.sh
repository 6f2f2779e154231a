#!/usr/bin/env bash
# What the change journal costs a busy filesystem: a file-churn generator (bench/churn.c: create, overwrite, rename
# and delete small files in many folders) runs on a fresh loop filesystem, once without and once with
# `haven journal watch` watching it. Reports the generator's CPU and wall time both ways, the watcher's own CPU time
# and peak RSS, and the journal's CPU as a percentage of the generator's.
# --mark-every S: while the generator runs, ask the watcher for a backup's hand-over every S seconds (what a backup
# taking its mark of the journal does: the watcher's ignore marks go, so each busy folder is reported again).
# Usage: bash bench/churn.sh [--ops N] [--runs R] [--fs ext4|xfs|btrfs] [--folders N] [--mark-every S]   (root)
set -euo pipefail
OPS=200000 RUNS=3 FS=ext4 FOLDERS=200 MARK_EVERY=0
while (($#)); do
	case $1 in
	--ops) OPS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--fs) FS=$2; shift 2 ;;
	--folders) FOLDERS=$2; shift 2 ;;
	--mark-every) MARK_EVERY=$2; shift 2 ;;
	*) echo "unknown option $1 (see the usage line at the top of $0)" >&2; exit 2 ;;
	esac
done
case $FS in ext4 | xfs | btrfs) ;; *) echo "--fs must be ext4, xfs or btrfs" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HAVEN="${HAVEN_BIN:-$ROOT/.build/release/haven}"
WORK="${BENCH_DIR:-$ROOT/bench/work}/churn"
[[ -x "$HAVEN" ]] || { echo "build haven first (make build)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "run as root: loop mounts and fanotify need it" >&2; exit 1; }
mkdir -p "$WORK"
exec 9>"$WORK/.lock"
flock -n 9 || { echo "another churn.sh uses $WORK" >&2; exit 1; }
cc -O2 -o "$WORK/churn" "$ROOT/bench/churn.c"
TICK=$(getconf CLK_TCK)
WATCHER="" MARKER=""
cleanup() {
	[[ -n $MARKER ]] && { kill "$MARKER" 2>/dev/null || true; }
	[[ -n $WATCHER ]] && { kill "$WATCHER" 2>/dev/null || true; wait "$WATCHER" 2>/dev/null || true; }
	mountpoint -q "$WORK/fs" && umount -l "$WORK/fs"
	rm -f "$WORK/fs.img"
}
trap cleanup EXIT
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

fresh_fs() {
	mountpoint -q "$WORK/fs" && umount "$WORK/fs"
	rm -f "$WORK/fs.img"
	mkdir -p "$WORK/fs"
	truncate -s 2G "$WORK/fs.img"
	case $FS in ext4) mkfs.ext4 -q -F "$WORK/fs.img" ;; *) "mkfs.$FS" -q -f "$WORK/fs.img" >/dev/null ;; esac
	mount -o loop "$WORK/fs.img" "$WORK/fs"
	sync
}
# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v tick="$TICK" '{ print ($14 + $15) / tick }' "/proc/$1/stat"; }
# Runs the generator in a fresh folder; prints "wall user system".
generate() {
	mkdir "$WORK/fs/churn"
	/usr/bin/time -f "%e %U %S" -o "$WORK/time" "$WORK/churn" "$WORK/fs/churn" "$OPS" "$FOLDERS" >/dev/null
	cat "$WORK/time"
}

RESULTS="$WORK/results"
: >"$RESULTS"
for run in $(seq 1 "$RUNS"); do
	say "run $run/$RUNS: $OPS operations on $FS, without the journal"
	fresh_fs
	read -r wall0 user0 sys0 < <(generate)
	say "run $run/$RUNS: with haven journal watch"
	fresh_fs
	rm -rf "$WORK/journal"
	"$HAVEN" journal watch --journal "$WORK/journal" "$WORK/fs" >"$WORK/watch.log" 2>&1 &
	WATCHER=$!
	# The journal's id is written once the filesystem is marked.
	for _ in $(seq 1 100); do [[ -s $WORK/journal/id ]] && break; sleep 0.1; done
	[[ -s $WORK/journal/id ]] || { cat "$WORK/watch.log" >&2; exit 1; }
	before=$(cpu_of "$WATCHER")
	if [[ $MARK_EVERY != 0 ]]; then
		# The watcher keeps the FIFO open for reading, so opening it for writing does not block.
		(while sleep "$MARK_EVERY"; do printf h >"$WORK/journal/handover"; done) &
		MARKER=$!
	fi
	read -r wall1 user1 sys1 < <(generate)
	[[ -n $MARKER ]] && { kill "$MARKER"; wait "$MARKER" 2>/dev/null || true; MARKER=""; }
	# The watcher may still be reading the last events: wait until its CPU time stops growing.
	last=$(cpu_of "$WATCHER")
	for _ in $(seq 1 60); do sleep 0.5; now=$(cpu_of "$WATCHER"); [[ $now == "$last" ]] && break; last=$now; done
	after=$(cpu_of "$WATCHER")
	peak=$(awk '/VmHWM/ { print $2 }' "/proc/$WATCHER/status")
	lines=$({ cat "$WORK/journal/changes" "$WORK/journal/changes.taken" 2>/dev/null || true; } | wc -l)
	[[ $MARK_EVERY != 0 ]] && say "hand-overs: $(cat "$WORK/journal/handed-over" 2>/dev/null || echo 0)"
	kill "$WATCHER"; wait "$WATCHER" 2>/dev/null || true; WATCHER=""
	echo "$run $wall0 $user0 $sys0 $wall1 $user1 $sys1 $before $after $peak $lines" >>"$RESULTS"
done

python3 - "$RESULTS" "$OPS" "$FS" "$FOLDERS" <<'PY'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
ops, fs, folders = sys.argv[2], sys.argv[3], sys.argv[4]
print(f"churn: {ops} operations in {folders} folders on a fresh {fs} loop filesystem, {len(rows)} run(s)\n")
print("| run | without: wall s | CPU s (user+sys) | with journal: wall s | CPU s | watcher CPU s | journal CPU % of generator | watcher peak RSS MiB | journal lines |")
print("|---|---|---|---|---|---|---|---|---|")
shares, peaks = [], []
for run, w0, u0, s0, w1, u1, s1, before, after, peak, lines in rows:
    cpu0, cpu1, watcher = u0 + s0, u1 + s1, after - before
    share = 100 * watcher / cpu0 if cpu0 else 0
    shares.append(share); peaks.append(peak / 1024)
    print(f"| {int(run)} | {w0:.2f} | {cpu0:.2f} | {w1:.2f} | {cpu1:.2f} | {watcher:.2f} | {share:.1f} | {peak / 1024:.1f} | {int(lines)} |")
print(f"\nmedian journal CPU: {statistics.median(shares):.1f}% of the generator's CPU; watcher peak RSS at most {max(peaks):.1f} MiB")
print("(the generator's own CPU with the journal, minus without, is the kernel's cost of producing the events; it is within run-to-run noise unless it shows in every run)")
PY
