#!/usr/bin/env bash
# Benchmarks Haven against restic and borg on the Linux 6.1 source tree; bench/README.md explains the steps and output.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bash bench/run.sh [--tools haven,haven-agent,restic,borg] [--quick] [--runs N] [--idle-wait S] [--nice N]

  --tools LIST  comma-separated subset of haven,haven-agent,restic,borg (default: all four); haven-agent
                backs up through `haven agent serve` into `haven vault serve` on loopback
  --quick       smoke run on drivers/net and fs only, one run unless --runs is given
  --runs N      repeat the whole sequence N times and report medians (default 3, quick 1)
  --idle-wait S before each timed step, wait up to S seconds for other processes to use less
                than a quarter of a core (default 60; 0 starts every step at once)
  --nice N      run the timed commands at this niceness, e.g. -10 on a machine with background
                load (default 0; below 0 needs root)

Work data lives in $BENCH_DIR (default bench/work); results go to bench/results/.
HAVEN_BIN selects another haven binary (default .build/release/haven).
EOF
}

die() { echo "bench: $*" >&2; exit 1; }
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

TOOLS="haven,haven-agent,restic,borg"
QUICK=0
RUNS=""
IDLE_WAIT=60
NICE=0
while [[ $# -gt 0 ]]; do
	case "$1" in
		--tools) [[ $# -ge 2 ]] || die "--tools needs a list, e.g. --tools restic,borg"; TOOLS="$2"; shift 2 ;;
		--tools=*) TOOLS="${1#--tools=}"; shift ;;
		--quick) QUICK=1; shift ;;
		--runs) [[ $# -ge 2 ]] || die "--runs needs a number"; RUNS="$2"; shift 2 ;;
		--runs=*) RUNS="${1#--runs=}"; shift ;;
		--idle-wait) [[ $# -ge 2 ]] || die "--idle-wait needs seconds"; IDLE_WAIT="$2"; shift 2 ;;
		--idle-wait=*) IDLE_WAIT="${1#--idle-wait=}"; shift ;;
		--nice) [[ $# -ge 2 ]] || die "--nice needs a niceness"; NICE="$2"; shift 2 ;;
		--nice=*) NICE="${1#--nice=}"; shift ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[[ -n "$RUNS" ]] || RUNS=$([[ $QUICK == 1 ]] && echo 1 || echo 3)
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive whole number, got '$RUNS'"
[[ "$IDLE_WAIT" =~ ^[0-9]+$ ]] || die "--idle-wait must be a whole number of seconds, got '$IDLE_WAIT'"
[[ "$NICE" =~ ^-?[0-9]+$ && $NICE -ge -20 && $NICE -le 19 ]] || die "--nice must be between -20 and 19, got '$NICE'"
IFS=',' read -r -a TOOL_LIST <<<"$TOOLS"
[[ ${#TOOL_LIST[@]} -gt 0 ]] || die "--tools is empty; pick from haven,haven-agent,restic,borg"
for tool in "${TOOL_LIST[@]}"; do
	case "$tool" in haven|haven-agent|restic|borg) ;; *) die "unknown tool '$tool'; pick from haven,haven-agent,restic,borg" ;; esac
done
has_tool() { [[ ",$TOOLS," == *",$1,"* ]]; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
mkdir -p "${BENCH_DIR:-$BENCH/work}"
WORK=$(cd "${BENCH_DIR:-$BENCH/work}" && pwd)
RESULTS="$BENCH/results"
HAVEN="${HAVEN_BIN:-$ROOT/.build/release/haven}"
TARBALL=/usr/src/linux-source-6.1.tar.xz
PRISTINE_FULL="$WORK/pristine/linux-6.1"
PRISTINE_QUICK="$WORK/pristine-quick/linux-6.1"
# Every tool backs up this one absolute path, so restored layouts compare.
SRC="$WORK/src/linux-6.1"
PRISTINE=$([[ $QUICK == 1 ]] && echo "$PRISTINE_QUICK" || echo "$PRISTINE_FULL")
RAW="$WORK/raw"
COMMAND=()

# The passwords only protect throwaway benchmark repositories.
export RESTIC_PASSWORD=haven-bench-passphrase HAVEN_PASSWORD=haven-bench-passphrase BORG_PASSPHRASE=haven-bench-passphrase
export BORG_DISPLAY_PASSPHRASE=no BORG_RELOCATED_REPO_ACCESS_IS_OK=yes

install_missing() {
	local wanted=(linux-source-6.1 time python3 e2fsprogs util-linux) missing=()
	has_tool restic && wanted+=(restic)
	has_tool borg && wanted+=(borgbackup)
	has_tool haven-agent && wanted+=(curl)
	for package in "${wanted[@]}"; do
		dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
	done
	[[ ${#missing[@]} -eq 0 ]] && return
	[[ $EUID -eq 0 ]] || die "missing packages ${missing[*]}; run as root or 'apt-get install -y ${missing[*]}'"
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Extracts into a scratch directory and renames at the end, so an interrupted setup never looks complete.
prepare_pristine() {
	if [[ ! -f "$WORK/pristine/.complete" ]]; then
		[[ -f "$TARBALL" ]] || die "$TARBALL is missing; install linux-source-6.1"
		say "extracting $TARBALL into $PRISTINE_FULL"
		rm -rf "$WORK/pristine" "$WORK/pristine.partial"
		mkdir -p "$WORK/pristine.partial" "$WORK/pristine"
		tar -xJf "$TARBALL" -C "$WORK/pristine.partial"
		mv "$WORK/pristine.partial/linux-source-6.1" "$PRISTINE_FULL"
		rmdir "$WORK/pristine.partial"
		touch "$WORK/pristine/.complete"
	fi
	if [[ $QUICK == 1 && ! -f "$WORK/pristine-quick/.complete" ]]; then
		say "building the quick tree (drivers/net and fs) in $PRISTINE_QUICK"
		rm -rf "$WORK/pristine-quick"
		mkdir -p "$PRISTINE_QUICK/drivers"
		cp -a "$PRISTINE_FULL/drivers/net" "$PRISTINE_QUICK/drivers/net"
		cp -a "$PRISTINE_FULL/fs" "$PRISTINE_QUICK/fs"
		touch -r "$PRISTINE_FULL/drivers" "$PRISTINE_QUICK/drivers"
		touch -r "$PRISTINE_FULL" "$PRISTINE_QUICK"
		touch "$WORK/pristine-quick/.complete"
	fi
}

check_haven() {
	has_tool haven || has_tool haven-agent || return 0
	[[ -x "$HAVEN" ]] || die "$HAVEN not found; run 'make build' first (or set HAVEN_BIN), or leave haven out with --tools restic,borg"
}

reset_tree() {
	rm -rf "$WORK/src"
	mkdir -p "$WORK/src"
	cp -a "$PRISTINE" "$SRC"
	sync
}

warm_cache() {
	find "$SRC" -type f -print0 | xargs -0 cat >/dev/null
}

# fresh_target DIR: mounts a new, empty ext4 file system (a loop-mounted image) at DIR. Every restore then
# starts from the same file system state: on a disk where a large tree was just deleted, creating files costs
# several times more kernel time, and that would measure the file system, not the tool.
fresh_target() {
	local target=$1 image="$WORK/restore.img"
	release_target "$target"
	truncate -s 4G "$image"
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$image"
	mkdir -p "$target"
	mount -o loop "$image" "$target"
	sync
}

# release_target DIR: unmounts and removes what fresh_target made.
release_target() {
	local target=$1
	mountpoint -q "$target" && umount "$target"
	rm -rf "$target" "$WORK/restore.img"
}

# tool_command TOOL ACTION ARCHIVE: sets COMMAND to the command line for one action, as the tool's manual gives it.
tool_command() {
	local tool=$1 action=$2 archive=$3 repo="$WORK/repo-$1" target="$WORK/restore-$1"
	case "$tool:$action" in
		haven:init) COMMAND=("$HAVEN" repo init --repo "$repo") ;;
		haven:backup) COMMAND=("$HAVEN" backup --repo "$repo" "${HAVEN_ARGS[@]}" "$SRC") ;;
		haven:restore) COMMAND=("$HAVEN" restore --repo "$repo" latest --target "$target") ;;
		# Back up now through the agent (its goal is the source) and wait for the job, as a user would.
		haven-agent:backup) COMMAND=("$HAVEN" backup --wait --json --agent "$AGENT_URL" --agent-state "$WORK/agent-haven/state") ;;
		# Recover the newest point from the vault through the agent into another folder, and wait for the job.
		haven-agent:restore) COMMAND=("$HAVEN" restore latest --target "$target" --wait --json --agent "$AGENT_URL"
			--agent-state "$WORK/agent-haven/state") ;;
		restic:init) COMMAND=(restic init --repo "$repo") ;;
		restic:backup) COMMAND=(restic backup --repo "$repo" "$SRC") ;;
		restic:restore) COMMAND=(restic restore latest --repo "$repo" --target "$target") ;;
		borg:init) COMMAND=(borg init --encryption=repokey-blake2 "$repo") ;;
		borg:backup) COMMAND=(borg create --compression zstd,3 "$repo::$archive" "$SRC") ;;
		# borg extract writes into the current directory, which timed() sets to the target.
		borg:restore) COMMAND=(borg extract "$repo::$archive") ;;
	esac
}

# Host-wide busy CPU seconds so far (all cores, from /proc/stat), to see how much other processes ran during a step.
busy_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit}' /proc/stat
}

# On a shared machine a compiler next to the benchmark can double a step's wall time; waiting for a quiet
# second costs little. After IDLE_WAIT seconds the step runs anyway and its other-CPU column shows why.
wait_for_idle() {
	local deadline=$((SECONDS + IDLE_WAIT)) before after waited=0
	while ((SECONDS < deadline)); do
		before=$(busy_seconds)
		sleep 1
		after=$(busy_seconds)
		awk "BEGIN{exit !($after - $before < 0.25)}" && break
		waited=1
	done
	((waited == 0)) || say "  waited $((IDLE_WAIT - deadline + SECONDS)) s for other processes to quieten"
}

# timed RUN TOOL STEP ACTION ARCHIVE: runs one step under /usr/bin/time and appends "run tool step wall user sys rss_kb other_cpu".
timed() {
	local run=$1 tool=$2 step=$3 action=$4 archive=$5 log="$RAW/$1-$2-$3.log" stats="$RAW/$1-$2-$3.time"
	tool_command "$tool" "$action" "$archive"
	local dir="$WORK"
	[[ $action == restore ]] && dir="$WORK/restore-$tool"
	wait_for_idle
	say "  $tool $step: ${COMMAND[*]}"
	local busy_before busy_after service_before=(0 0) service_after=(0 0)
	if [[ $tool == haven-agent ]]; then
		# The peak RSS of this step is the agent's: clear_refs 5 resets its high-water mark.
		echo 5 >"/proc/$AGENT_PID/clear_refs" 2>/dev/null || true
		read -r -a service_before < <(service_cpu)
	fi
	busy_before=$(busy_seconds)
	if ! (cd "$dir" && nice -n "$NICE" /usr/bin/time -f "%e %U %S %M" -o "$stats" "${COMMAND[@]}") >"$log" 2>&1; then
		echo "bench: $tool $step failed; last lines of $log:" >&2
		tail -n 15 "$log" >&2
		return 1
	fi
	busy_after=$(busy_seconds)
	local wall user sys rss other
	read -r wall user sys rss < <(tail -n 1 "$stats")
	if [[ $tool == haven-agent ]]; then
		read -r -a service_after < <(service_cpu)
		user=$(awk "BEGIN{print $user + ${service_after[0]} - ${service_before[0]}}")
		sys=$(awk "BEGIN{print $sys + ${service_after[1]} - ${service_before[1]}}")
		rss=$(awk -v cli="$rss" '/^VmHWM/{print ($2 > cli ? $2 : cli)}' "/proc/$AGENT_PID/status")
	fi
	other=$(awk "BEGIN{v = $busy_after - $busy_before - $user - $sys; printf \"%.2f\", v < 0 ? 0 : v}")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$tool" "$step" "$wall" "$user" "$sys" "$rss" "$other" >>"$RAW/steps.tsv"
	say "  $tool $step: ${wall}s wall, $(awk "BEGIN{print $user+$sys}")s CPU, $((rss / 1024)) MB peak RSS, ${other}s CPU used by other processes"
	sync
}

HAVEN_ARGS=()
JOURNAL_PID=""

# start_journal: Haven's change journal (`haven journal watch`) on the source, for the optimized steps.
start_journal() {
	local journal="$WORK/journal-haven"
	rm -rf "$journal"
	"$HAVEN" journal watch --journal "$journal" "$SRC" >"$RAW/$1-haven-journal.log" 2>&1 &
	JOURNAL_PID=$!
	for _ in $(seq 1 100); do [[ -f "$journal/id" ]] && return 0; sleep 0.1; done
	die "haven journal watch did not start; see $RAW/$1-haven-journal.log"
}

stop_journal() {
	[[ -n "$JOURNAL_PID" ]] || return 0
	kill "$JOURNAL_PID" 2>/dev/null || true
	wait "$JOURNAL_PID" 2>/dev/null || true
	JOURNAL_PID=""
}

# last_point RUN STEP: the recovery point id a haven backup step printed.
last_point() { awk '/^recovery point .* saved/{print $3}' "$RAW/$1-haven-$2.log" | tail -n 1; }

metric() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW/metrics.tsv"; }

# Haven through its agent: `haven vault serve` (plain HTTP on loopback) and `haven agent serve`, registered with it,
# whose backup goal is the source. The agent keeps its own change journal and the repository's master key, so a
# backup it runs needs neither `haven journal watch` nor the passphrase's scrypt.
AGENT_PID=""
VAULT_PID=""
AGENT_URL=""
AGENT_DIR="$WORK/agent-haven"

# The user and system CPU seconds the agent and the vault have used so far, on one line.
service_cpu() {
	local pid
	for pid in $AGENT_PID $VAULT_PID; do
		# Fields after the command name (which ends with ")"): utime and stime are the 12th and 13th.
		sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12, $13}'
	done | awk -v hz="$(getconf CLK_TCK)" '{u += $1; s += $2} END {printf "%.2f %.2f\n", u / hz, s / hz}'
}

# agent_api METHOD PATH JSON: one request to the agent's API with its token; prints the answer, fails on a non-2xx one.
agent_api() {
	local answer status
	answer=$(curl -sS --noproxy '*' -X "$1" -H "Authorization: Bearer $(cat "$AGENT_DIR/state/api-token")" \
		-H "Content-Type: application/json" --data-binary "$3" -w '\n%{http_code}' "$AGENT_URL/api/v1/$2") || return 1
	status=${answer##*$'\n'}
	[[ $status == 2?? ]] || { echo "bench: $1 /api/v1/$2 answered $status: ${answer%$'\n'*}" >&2; return 1; }
	echo "${answer%$'\n'*}"
}

# wait_until SECONDS COMMAND...: retries the command every 0.1 s until it succeeds.
wait_until() {
	local tries=$(($1 * 10))
	shift
	for _ in $(seq 1 "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# start_agent RUN: a new vault "Bench" and an agent registered with it, whose goal protects $SRC (its weekly schedule
# falls 12 hours from now, outside the run).
start_agent() {
	local run=$1 setup="$RAW/$1-haven-agent-setup.log" port
	rm -rf "$AGENT_DIR"
	mkdir -p "$AGENT_DIR"
	"$HAVEN" vault create Bench --data "$AGENT_DIR/vault" >"$setup" 2>&1 || return 1
	"$HAVEN" vault serve --data "$AGENT_DIR/vault" --listen 127.0.0.1:0 --insecure-http >"$RAW/$run-haven-agent-vault.log" 2>&1 &
	VAULT_PID=$!
	wait_until 15 test -s "$AGENT_DIR/vault/address" || { echo "bench: haven vault serve did not start" >&2; return 1; }
	"$HAVEN" vault credentials Bench --data "$AGENT_DIR/vault" --out "$AGENT_DIR/Bench.VaultCredentials" >>"$setup" 2>&1 || return 1
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	AGENT_URL="http://127.0.0.1:$port"
	"$HAVEN" agent serve --state "$AGENT_DIR/state" --listen "127.0.0.1:$port" >"$RAW/$run-haven-agent-agent.log" 2>&1 &
	AGENT_PID=$!
	wait_until 15 agent_api GET status "" || { echo "bench: haven agent serve did not answer" >&2; return 1; }
	local body pin
	body=$(python3 -c 'import base64, json, sys; print(json.dumps({"credentials": base64.b64encode(open(sys.argv[1], "rb").read()).decode(),
		"machineName": "bench", "passphrase": sys.argv[2]}))' "$AGENT_DIR/Bench.VaultCredentials" "$HAVEN_PASSWORD")
	agent_api POST registration "$body" >>"$setup" || return 1
	# A first retention policy lets the vault delete points, so it needs a security PIN, which the vault host issues.
	pin=$("$HAVEN" vault pin Bench --data "$AGENT_DIR/vault" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["pin"])') || return 1
	body=$(python3 -c 'import json, sys, time; print(json.dumps({"paths": [sys.argv[1]], "securityPIN": sys.argv[2],
		"schedule": {"frequency": "weekly", "days": ["sunday"], "times": [time.strftime("%H:00", time.gmtime(time.time() + 43200))], "timeZone": "UTC"},
		"retention": {"daily": 30, "weekly": 8, "monthly": 12, "yearly": 2}}))' "$SRC" "$pin")
	agent_api PUT goal "$body" >>"$setup" || return 1
}

stop_agent() {
	local pid
	for pid in $AGENT_PID $VAULT_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	AGENT_PID=""
	VAULT_PID=""
}

# agent_job RUN STEP MODE: records the job's own duration (from its report) and fails unless it ran in MODE ("none"
# for a restore, whose report has no mode).
agent_job() {
	local facts
	facts=$(python3 - "$RAW/$1-haven-agent-$2.log" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
detail = json.loads(text[text.index("{"):])["jobs"][0]
report = detail.get("report") or {}
print(detail["job"]["state"], report.get("mode", "none"), report.get("durationSeconds", 0))
PY
	) || { echo "bench: no job report in $RAW/$1-haven-agent-$2.log" >&2; return 1; }
	local state mode seconds
	read -r state mode seconds <<<"$facts"
	metric "$1" haven-agent "job_seconds_$2" "$seconds"
	metric "$1" haven-agent "mode_$2" "$mode"
	say "  haven-agent $2: job $state, $mode, $(printf '%.2f' "$seconds")s in the agent"
	[[ $state == succeeded && $mode == "$3" ]] || { echo "bench: the agent's $2 job ran $mode ($state), not $3" >&2; return 1; }
}

# bench_agent RUN: the initial, no-change and 1% change backups through the agent, from a pristine tree.
bench_agent() {
	local run=$1
	say "run $run/$RUNS: haven-agent"
	reset_tree
	start_agent "$run" || { stop_agent; return 1; }
	warm_cache
	timed "$run" haven-agent initial backup "" && agent_job "$run" initial unoptimized || { stop_agent; return 1; }
	metric "$run" haven-agent repo_bytes_initial "$(du -sb "$AGENT_DIR/vault" | cut -f1)"
	timed "$run" haven-agent nochange-opt backup "" && agent_job "$run" nochange-opt optimized || { stop_agent; return 1; }
	local changed
	changed=$(python3 "$BENCH/mutate.py" "$SRC")
	metric "$run" haven-agent changed_files "${changed% *}"
	metric "$run" haven-agent changed_bytes "${changed#* }"
	timed "$run" haven-agent change-opt backup "" && agent_job "$run" change-opt optimized || { stop_agent; return 1; }
	metric "$run" haven-agent repo_bytes_final "$(du -sb "$AGENT_DIR/vault" | cut -f1)"
	local target="$WORK/restore-haven-agent" verdict
	fresh_target "$target"
	timed "$run" haven-agent restore restore "" && agent_job "$run" restore none || { stop_agent; release_target "$target"; return 1; }
	if verdict=$(python3 "$BENCH/verify.py" "$SRC" "$target$SRC"); then
		say "  haven-agent verify: ${verdict%%$'\n'*}"
	else
		say "  haven-agent verify FAILED: $verdict"
	fi
	metric "$run" haven-agent verify "${verdict%%$'\n'*}"
	release_target "$target"
	stop_agent
}

# bench_tool RUN TOOL: the whole sequence for one tool, from a pristine tree and an empty repository.
bench_tool() {
	local run=$1 tool=$2 repo="$WORK/repo-$2" target="$WORK/restore-$2"
	say "run $run/$RUNS: $tool"
	reset_tree
	release_target "$target"
	rm -rf "$repo" "$WORK/home-$tool"
	mkdir -p "$WORK/home-$tool/cache" "$WORK/home-$tool/config"
	# Caches and key files go under the work directory, fresh for every run.
	export XDG_CACHE_HOME="$WORK/home-$tool/cache" XDG_CONFIG_HOME="$WORK/home-$tool/config"
	timed "$run" "$tool" init init "" || return 1
	warm_cache
	local journal_args=() base=""
	timed "$run" "$tool" initial backup initial || return 1
	metric "$run" "$tool" repo_bytes_initial "$(du -sb "$repo" | cut -f1)"
	if [[ $tool == haven ]]; then
		# Haven runs each later backup both ways: optimized (only what its change journal recorded is listed) and
		# unoptimized (every directory listed, every file compared), both against the same parent point. The
		# journal starts after the initial backup (which it would only slow down) and an untimed backup marks it.
		start_journal "$run"
		journal_args=(--journal "$WORK/journal-haven")
		HAVEN_ARGS=("${journal_args[@]}")
		"$HAVEN" backup --repo "$repo" "${HAVEN_ARGS[@]}" "$SRC" >"$RAW/$run-haven-mark.log" 2>&1 || { stop_journal; return 1; }
		timed "$run" "$tool" nochange-opt backup nochange || { stop_journal; return 1; }
		base=$(last_point "$run" nochange-opt)
		HAVEN_ARGS=(--parent "$base")
	fi
	timed "$run" "$tool" nochange backup nochange || { stop_journal; return 1; }
	local changed
	changed=$(python3 "$BENCH/mutate.py" "$SRC")
	metric "$run" "$tool" changed_files "${changed% *}"
	metric "$run" "$tool" changed_bytes "${changed#* }"
	timed "$run" "$tool" change backup change || { stop_journal; return 1; }
	if [[ $tool == haven ]]; then
		# Second on the same change, so its new chunks are already stored: it skips compressing them.
		HAVEN_ARGS=("${journal_args[@]}" --parent "$base")
		timed "$run" "$tool" change-opt backup change || { stop_journal; return 1; }
		stop_journal
		HAVEN_ARGS=()
	fi
	metric "$run" "$tool" repo_bytes_final "$(du -sb "$repo" | cut -f1)"
	metric "$run" "$tool" repo_files "$(find "$repo" -type f | wc -l)"
	fresh_target "$target"
	timed "$run" "$tool" restore restore change || return 1
	local verdict
	if verdict=$(python3 "$BENCH/verify.py" "$SRC" "$target$SRC"); then
		metric "$run" "$tool" verify "${verdict%%$'\n'*}"
		say "  $tool verify: ${verdict%%$'\n'*}"
	else
		metric "$run" "$tool" verify "${verdict%%$'\n'*}"
		say "  $tool verify FAILED: $verdict"
	fi
	release_target "$target"
}

tool_version() {
	case "$1" in
		restic) restic version | awk '{print $1" "$2}' ;;
		borg) borg --version ;;
		haven|haven-agent) echo "$1 $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" ;;
	esac
}

write_meta() {
	local meta="$RAW/meta.tsv"
	: >"$meta"
	kv() { printf '%s\t%s\n' "$1" "$2" >>"$meta"; }
	kv date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	kv host "$(hostname -s)"
	kv cpu "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
	kv cores "$(nproc)"
	kv memory_bytes "$(awk '/^MemTotal/{printf "%.0f", $2 * 1024}' /proc/meminfo)"
	kv kernel "$(uname -r)"
	kv filesystem "$(df --output=fstype "$WORK" | tail -n 1)"
	kv dataset "$([[ $QUICK == 1 ]] && echo "linux-source-6.1 drivers/net + fs (quick)" || echo "linux-source-6.1")"
	kv source_path "$SRC"
	kv source_bytes "$(du -sb "$PRISTINE" | cut -f1)"
	kv source_files "$(find "$PRISTINE" -type f | wc -l)"
	kv source_dirs "$(find "$PRISTINE" -type d | wc -l)"
	kv source_symlinks "$(find "$PRISTINE" -type l | wc -l)"
	kv runs "$RUNS"
	kv idle_wait "$IDLE_WAIT"
	kv nice "$NICE"
	kv tools "$TOOLS"
	for tool in "${TOOL_LIST[@]}"; do kv "version_$tool" "$(tool_version "$tool")"; done
}

# Two runs sharing one work directory delete each other's source tree and raw files.
take_lock() {
	exec 9>"$WORK/.lock"
	flock -n 9 || die "another bench run is using $WORK; wait for it to finish or give this one its own BENCH_DIR"
}

# Whatever ends the run, the services it started stop with it.
cleanup() {
	stop_agent
	stop_journal
}

main() {
	local started=$SECONDS
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	take_lock
	install_missing
	check_haven
	prepare_pristine
	rm -rf "$RAW"
	mkdir -p "$RAW" "$RESULTS"
	: >"$RAW/steps.tsv"
	: >"$RAW/metrics.tsv"
	write_meta
	for run in $(seq 1 "$RUNS"); do
		for tool in "${TOOL_LIST[@]}"; do
			local bench=bench_tool
			[[ $tool == haven-agent ]] && bench=bench_agent
			if ! $bench "$run" "$tool"; then
				metric "$run" "$tool" failed "see $RAW/$run-$tool-*.log"
			fi
		done
	done
	rm -rf "$WORK/src"
	local stamp out
	local suffix=""
	[[ $QUICK == 1 ]] && suffix="-quick"
	stamp="$(date -u +%Y-%m-%d-%H%M)-$(hostname -s)$suffix"
	out="$RESULTS/$stamp"
	python3 "$BENCH/report.py" "$RAW" --markdown "$out.md" --json "$out.json"
	cat "$out.md"
	say "done in $((SECONDS - started)) s; results in $out.md and $out.json, logs in $RAW"
}

# One line, so that editing this file while it runs cannot make bash read past the end of main.
main; exit
