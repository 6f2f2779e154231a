#!/usr/bin/env bash
# What the change journal adds to a busy filesystem's CPU. Each run measures a workload twice on a fresh loop
# filesystem, once alone and once while `haven journal watch` watches it, in alternating order (so drift on a shared
# machine falls on both sides). Workloads:
#   churn  the worst case: bench/churn.c creates, overwrites, renames and deletes small files in many folders (every
#          operation a metadata operation, nothing else to do)
#   untar  a realistic one: extract a part of the Linux 6.1 source tree (an uncompressed tar made once) and delete it
# Reports per workload the workload's CPU (user + system, from /usr/bin/time) both ways and their paired difference
# (median and spread over the runs): what the kernel spends producing the journal's events inside the busy processes;
# the watcher's own CPU; and the sum, against the 2% target. --profile adds a perf profile of each workload with
# and without the journal: the share of its CPU inside fsnotify, by system call and by the kernel function that
# raised the event.
# --mark-every S: while a workload runs, ask the watcher for a backup's hand-over every S seconds (what a backup
# taking its mark of the journal does: the watcher's ignore marks go, so each busy folder is reported again).
# --control: no watcher on either side, so the paired difference shows the machine's noise alone.
# --max-kib K: churn's writes are 1 KiB to K KiB (default 8, the worst case: nearly all metadata; fs_mark's default
# file is 50 KiB).
# Usage: bash bench/churn.sh [--workload churn|untar|both] [--ops N] [--runs R] [--fs ext4|xfs|btrfs] [--folders N]
#                            [--max-kib K] [--mark-every S] [--profile] [--control]   (root)
set -euo pipefail
WORKLOADS="churn untar" OPS=50000 RUNS=8 FS=ext4 FOLDERS=200 MAX_KIB=8 MARK_EVERY=0 PROFILE=0 CONTROL=0
while (($#)); do
	case $1 in
	--workload) case $2 in churn | untar) WORKLOADS=$2 ;; both) WORKLOADS="churn untar" ;; *) echo "--workload must be churn, untar or both" >&2; exit 2 ;; esac; shift 2 ;;
	--ops) OPS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--fs) FS=$2; shift 2 ;;
	--folders) FOLDERS=$2; shift 2 ;;
	--max-kib) MAX_KIB=$2; shift 2 ;;
	--mark-every) MARK_EVERY=$2; shift 2 ;;
	--profile) PROFILE=1; shift ;;
	--control) CONTROL=1; shift ;;
	*) echo "unknown option $1 (see the usage line at the top of $0)" >&2; exit 2 ;;
	esac
done
case $FS in ext4 | xfs | btrfs) ;; *) echo "--fs must be ext4, xfs or btrfs" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HAVEN="${HAVEN_BIN:-$ROOT/.build/release/haven}"
BENCH="${BENCH_DIR:-$ROOT/bench/work}"
WORK="$BENCH/churn"
[[ -x "$HAVEN" ]] || { echo "build haven first (make build)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "run as root: loop mounts and fanotify need it" >&2; exit 1; }
((PROFILE == 0)) || command -v perf >/dev/null || { echo "--profile needs perf" >&2; exit 1; }
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

# The untar workload's input: fs, include, kernel, lib, mm and net of Linux 6.1 (about 11,000 files, 160 MB) as one
# uncompressed tar, so the workload's CPU is the filesystem's, not a decompressor's. Made once from the benchmark's
# pristine tree, or from the Debian package's tarball.
SOURCE_TAR="$WORK/linux-part.tar"
PARTS=(fs include kernel lib mm net)
make_source_tar() {
	[[ -s $SOURCE_TAR ]] && return
	local tree="$BENCH/pristine/linux-6.1" tmp="$WORK/source.tmp"
	if [[ ! -d $tree ]]; then
		local xz=/usr/src/linux-source-6.1.tar.xz
		[[ -f $xz ]] || { echo "the untar workload needs $tree or $xz (Debian package linux-source-6.1)" >&2; exit 1; }
		say "extracting ${PARTS[*]} from $xz (once)"
		rm -rf "$tmp"; mkdir -p "$tmp"
		tar -xJf "$xz" -C "$tmp" "${PARTS[@]/#/linux-source-6.1/}"
		tree="$tmp/linux-source-6.1"
	fi
	tar -cf "$SOURCE_TAR.part" -C "$tree" "${PARTS[@]}"
	mv "$SOURCE_TAR.part" "$SOURCE_TAR"
	rm -rf "$tmp"
}

fresh_fs() {
	# The filesystem of the previous measurement: a watcher's fanotify group may hold it a moment after the watcher ended.
	for _ in $(seq 1 50); do
		mountpoint -q "$WORK/fs" || break
		umount "$WORK/fs" 2>/dev/null || sleep 0.1
	done
	! mountpoint -q "$WORK/fs" || { echo "cannot unmount $WORK/fs" >&2; exit 1; }
	rm -f "$WORK/fs.img"
	mkdir -p "$WORK/fs"
	truncate -s 2G "$WORK/fs.img"
	case $FS in ext4) mkfs.ext4 -q -F "$WORK/fs.img" ;; *) "mkfs.$FS" -q -f "$WORK/fs.img" >/dev/null ;; esac
	mount -o loop "$WORK/fs.img" "$WORK/fs"
	mkdir "$WORK/fs/work"
	sync
}
# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v tick="$TICK" '{ print ($14 + $15) / tick }' "/proc/$1/stat"; }
# The workload's command line, working in $WORK/fs/work.
command_of() {
	case $1 in
	churn) echo "$WORK/churn $WORK/fs/work $OPS $FOLDERS 88172645463325252 $MAX_KIB" ;;
	untar) echo "sh -c 'tar -xf $SOURCE_TAR -C $WORK/fs/work && rm -rf $WORK/fs/work/*'" ;;
	esac
}
# Runs a workload on the mounted filesystem; prints "wall user system" (children included). With a perf data file
# as $2, under perf record (call graphs, cpu-clock: this VM has no hardware counters).
measure() {
	local cmd
	cmd=$(command_of "$1")
	if [[ -n ${2:-} ]]; then
		eval "perf record -q -e cpu-clock -F 4000 -g -o '$2' -- $cmd" >/dev/null 2>&1
		echo "0 0 0"
	else
		eval "/usr/bin/time -f '%e %U %S' -o '$WORK/time' $cmd" >/dev/null
		cat "$WORK/time"
	fi
}
start_watcher() {
	rm -rf "$WORK/journal"
	"$HAVEN" journal watch --journal "$WORK/journal" "$WORK/fs" >"$WORK/watch.log" 2>&1 &
	WATCHER=$!
	# The journal's id is written once the filesystem is marked.
	for _ in $(seq 1 100); do [[ -s $WORK/journal/id ]] && break; sleep 0.1; done
	[[ -s $WORK/journal/id ]] || { cat "$WORK/watch.log" >&2; exit 1; }
	if [[ $MARK_EVERY != 0 ]]; then
		# The watcher keeps the FIFO open for reading, so opening it for writing does not block.
		(while sleep "$MARK_EVERY"; do printf h >"$WORK/journal/handover"; done) &
		MARKER=$!
	fi
}
# Stops the watcher once it has read the last events; prints "watcher-CPU-s peak-RSS-KiB journal-lines".
stop_watcher() {
	local before=$1 last now after peak lines
	[[ -n $MARKER ]] && { kill "$MARKER"; wait "$MARKER" 2>/dev/null || true; MARKER=""; }
	last=$(cpu_of "$WATCHER")
	for _ in $(seq 1 60); do sleep 0.5; now=$(cpu_of "$WATCHER"); [[ $now == "$last" ]] && break; last=$now; done
	after=$(cpu_of "$WATCHER")
	peak=$(awk '/VmHWM/ { print $2 }' "/proc/$WATCHER/status")
	lines=$({ cat "$WORK/journal/changes" "$WORK/journal/changes.taken" 2>/dev/null || true; } | wc -l)
	[[ $MARK_EVERY != 0 ]] && say "hand-overs: $(cat "$WORK/journal/handed-over" 2>/dev/null || echo 0)"
	kill "$WATCHER"; wait "$WATCHER" 2>/dev/null || true; WATCHER=""
	echo "$(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }') $peak $lines"
}
# One measurement: "wall user system" alone, or "wall user system watcher-CPU peak lines" with the journal.
one() {
	local workload=$1 journal=$2 profile=${3:-} before result
	fresh_fs
	if [[ $journal == with && $CONTROL == 0 ]]; then
		start_watcher
		before=$(cpu_of "$WATCHER")
		result=$(measure "$workload" "$profile")
		# In this shell, not a subshell: only the shell that started the watcher can wait for it to end.
		stop_watcher "$before" >"$WORK/watcher"
		echo "$result $(cat "$WORK/watcher")"
	elif [[ $journal == with ]]; then
		echo "$(measure "$workload" "$profile") 0 0 0"
	else
		measure "$workload" "$profile"
	fi
}

for workload in $WORKLOADS; do
	[[ $workload == untar ]] && make_source_tar
	RESULTS="$WORK/results-$workload"
	: >"$RESULTS"
	for run in $(seq 1 "$RUNS"); do
		say "$workload run $run/$RUNS on $FS"
		# Alternate which side goes first: a machine that gets busier or quieter during a run then favours neither.
		if ((run % 2)); then
			alone=$(one "$workload" without); with=$(one "$workload" with)
		else
			with=$(one "$workload" with); alone=$(one "$workload" without)
		fi
		echo "$run $alone $with" >>"$RESULTS"
	done
	if ((PROFILE)); then
		say "$workload: perf profiles without and with the journal"
		one "$workload" without "$WORK/perf-$workload-without.data" >/dev/null
		one "$workload" with "$WORK/perf-$workload-with.data" >/dev/null
	fi
done

for workload in $WORKLOADS; do
	case $workload in
	churn) what="bench/churn.c, $OPS operations in $FOLDERS folders, writes of 1 to $MAX_KIB KiB" ;;
	untar) what="tar -xf of ${PARTS[*]} of Linux 6.1 ($(du -m "$SOURCE_TAR" | cut -f1) MB, uncompressed), then rm -rf" ;;
	esac
	((CONTROL)) && what="$what, CONTROL: no journal on either side"
	python3 "$ROOT/bench/churn_report.py" "$WORK/results-$workload" "$workload: $what, on a fresh $FS loop filesystem"
	if ((PROFILE)); then
		for side in without with; do
			perf script -i "$WORK/perf-$workload-$side.data" -F comm,event,ip,sym 2>/dev/null >"$WORK/perf-$workload-$side.txt"
		done
		python3 "$ROOT/bench/churn_report.py" --profile "$WORK/perf-$workload-without.txt" "$WORK/perf-$workload-with.txt"
	fi
done
