"""Summaries for bench/churn.sh, in Markdown.

churn_report.py RESULTS TITLE
    RESULTS: one line per run, "run wall0 user0 sys0 wall1 user1 sys1 watcher_cpu peak_kib lines" (0: the workload
    alone, 1: with the journal). Prints each run and the paired difference of the workload's CPU with and without the
    journal: what the kernel spends on the journal's events inside the busy processes.
churn_report.py --profile WITHOUT WITH
    WITHOUT, WITH: `perf script -F comm,event,ip,sym` output with call chains. Prints the share of the workload's CPU
    samples inside fsnotify, by system call and by the kernel function that raised the event.
"""
import collections
import re
import statistics
import sys


def quartiles(values):
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def runs(path, title):
    rows = [list(map(float, line.split())) for line in open(path) if line.strip()]
    print(f"### {title}, {len(rows)} run(s)\n")
    print("| run | alone: wall s | CPU s | with the journal: wall s | CPU s | CPU added | watcher CPU s | watcher, % of alone | watcher peak RSS MiB | journal lines |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    added, watcher, total, peaks = [], [], [], []
    for run, w0, u0, s0, w1, u1, s1, cpu_w, peak, lines in rows:
        cpu0, cpu1 = u0 + s0, u1 + s1
        added.append(100 * (cpu1 - cpu0) / cpu0)
        watcher.append(100 * cpu_w / cpu0)
        total.append(added[-1] + watcher[-1])
        peaks.append(peak / 1024)
        print(f"| {int(run)} | {w0:.2f} | {cpu0:.2f} | {w1:.2f} | {cpu1:.2f} | {added[-1]:+.1f}% | {cpu_w:.2f} | {watcher[-1]:.1f}% | {peaks[-1]:.1f} | {int(lines)} |")
    low, high = quartiles(added)
    print(f"\n- CPU the journal adds to the workload (with minus alone, paired by run): median **{statistics.median(added):+.1f}%**, "
          f"quartiles {low:+.1f}% to {high:+.1f}%, range {min(added):+.1f}% to {max(added):+.1f}%")
    print(f"- the watcher's own CPU: median {statistics.median(watcher):.1f}% of the workload's; peak RSS at most {max(peaks):.1f} MiB")
    print(f"- together: median **{statistics.median(total):.1f}%** (target: at most 2%)\n")


FSNOTIFY = re.compile(r"^(__)?(fsnotify|fanotify)|^send_to_group$")
SYSCALL = re.compile(r"^(?:__x64_sys_|__se_sys_|__do_sys_|ksys_)(\w+)")


def samples(path):
    """Yields (comm, frames leaf first) for each sample of a perf script output."""
    comm, frames = None, []
    for line in open(path, errors="replace"):
        if not line.strip():
            if comm is not None:
                yield comm, frames
            comm, frames = None, []
        elif not line[0].isspace():
            comm, frames = line.split()[0], []
        else:
            parts = line.split(None, 1)
            frames.append(parts[1].strip().split("+")[0] if len(parts) > 1 else "?")
    if comm is not None:
        yield comm, frames


def analyse(path):
    total, inside = 0, 0
    by_syscall, by_raiser, by_leaf = collections.Counter(), collections.Counter(), collections.Counter()
    for comm, frames in samples(path):
        if comm.startswith("perf"):
            continue
        total += 1
        outer = max((i for i, f in enumerate(frames) if FSNOTIFY.match(f)), default=None)
        if outer is None:
            continue
        inside += 1
        syscall = next((m.group(1) for f in frames if (m := SYSCALL.match(f))), "other")
        by_syscall[syscall] += 1
        by_raiser[frames[outer + 1] if outer + 1 < len(frames) else "?"] += 1
        by_leaf[frames[0]] += 1
    return total, inside, by_syscall, by_raiser, by_leaf


def profile(without_path, with_path):
    t0, in0, sys0, _, _ = analyse(without_path)
    t1, in1, sys1, raiser, leaf = analyse(with_path)
    share = lambda n, t: 100 * n / t if t else 0
    print(f"perf (cpu-clock samples of the workload, call graphs): inside fsnotify alone {share(in0, t0):.2f}% of {t0} samples, "
          f"with the journal {share(in1, t1):.2f}% of {t1}: **{share(in1, t1) - share(in0, t0):+.2f} points**\n")
    print("| system call | alone % | with the journal % |\n|---|---|---|")
    for name, n in sorted((sys0 + sys1).items(), key=lambda item: -sys1[item[0]])[:8]:
        print(f"| {name} | {share(sys0[name], t0):.2f} | {share(sys1[name], t1):.2f} |")
    print("\n| raised by (with the journal) | % of the workload's CPU |\n|---|---|")
    for name, n in raiser.most_common(10):
        print(f"| {name} | {share(n, t1):.2f} |")
    print("\n| where the time goes inside fsnotify (leaf function, with the journal) | % |\n|---|---|")
    for name, n in leaf.most_common(10):
        print(f"| {name} | {share(n, t1):.2f} |")
    print()


if __name__ == "__main__":
    if sys.argv[1] == "--profile":
        profile(sys.argv[2], sys.argv[3])
    else:
        runs(sys.argv[1], sys.argv[2])
