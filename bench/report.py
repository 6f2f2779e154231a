#!/usr/bin/env python3
"""Turns the raw measurements of bench/run.sh into a Markdown report and a JSON file of every number.

Reads meta.tsv (key, value), steps.tsv (run, tool, step, wall s, user s, sys s, max RSS KiB, CPU s used by other processes) and
metrics.tsv (run, tool, name, value) from the raw directory. With several runs the tables show medians.
"""
import argparse
import json
import os
import statistics
from collections import defaultdict

STEPS = [("init", "repo init"), ("initial", "initial backup"), ("nochange", "no-change backup"),
         ("nochange-opt", "no-change backup, optimized (journal)"), ("change", "1% change backup"),
         ("change-opt", "1% change backup, optimized (journal)"), ("restore", "restore")]
TOOL_ORDER = ["haven", "haven-agent", "restic", "borg"]
# (label, unit, how to read the value from a tool's medians, target ratio haven/restic or None); an optional fifth
# element reads Haven's value another way (its optimized steps against restic's only kind), and an optional sixth
# names the Haven tool it is read from (default "haven"; "haven-agent": backups run by `haven agent serve`).
RATIOS = [
    ("initial backup, wall", "s", lambda t: t["steps"].get("initial", {}).get("wall"), 0.5),
    ("no-change backup, wall", "s", lambda t: t["steps"].get("nochange", {}).get("wall"), 0.25),
    ("no-change backup, optimized, wall", "s", lambda t: t["steps"].get("nochange", {}).get("wall"), 0.05,
     lambda t: t["steps"].get("nochange-opt", {}).get("wall")),
    ("1% change backup, wall", "s", lambda t: t["steps"].get("change", {}).get("wall"), None),
    ("1% change backup, optimized, wall", "s", lambda t: t["steps"].get("change", {}).get("wall"), None,
     lambda t: t["steps"].get("change-opt", {}).get("wall")),
    ("initial backup through the agent, wall", "s", lambda t: t["steps"].get("initial", {}).get("wall"), None,
     lambda t: t["steps"].get("initial", {}).get("wall"), "haven-agent"),
    ("no-change backup, optimized, through the agent: haven backup --wait", "s",
     lambda t: t["steps"].get("nochange", {}).get("wall"), 0.05,
     lambda t: t["steps"].get("nochange-opt", {}).get("wall"), "haven-agent"),
    ("no-change backup, optimized, through the agent: the job's duration", "s",
     lambda t: t["steps"].get("nochange", {}).get("wall"), 0.05,
     lambda t: t["metrics"].get("job_seconds_nochange-opt"), "haven-agent"),
    ("1% change backup, optimized, through the agent: haven backup --wait", "s",
     lambda t: t["steps"].get("change", {}).get("wall"), None,
     lambda t: t["steps"].get("change-opt", {}).get("wall"), "haven-agent"),
    ("1% change backup, optimized, through the agent: the job's duration", "s",
     lambda t: t["steps"].get("change", {}).get("wall"), None,
     lambda t: t["metrics"].get("job_seconds_change-opt"), "haven-agent"),
    ("restore, wall", "s", lambda t: t["steps"].get("restore", {}).get("wall"), 0.5),
    ("restore from the vault through the agent: haven restore --wait", "s",
     lambda t: t["steps"].get("restore", {}).get("wall"), None,
     lambda t: t["steps"].get("restore", {}).get("wall"), "haven-agent"),
    ("repository size after 3 backups", "bytes", lambda t: t["metrics"].get("repo_bytes_final"), 1.0),
    ("peak RSS, backup and restore steps", "bytes", lambda t: t.get("peak_rss_bytes"), 1.0),
]


def read_tsv(path):
    with open(path) as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.strip()]


def number(text):
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def load(raw):
    meta = dict(read_tsv(os.path.join(raw, "meta.tsv")))
    runs = defaultdict(lambda: {"steps": defaultdict(list), "metrics": defaultdict(list)})
    for run, tool, step, wall, user, sys_, rss, other in read_tsv(os.path.join(raw, "steps.tsv")):
        runs[tool]["steps"][step].append({"run": int(run), "wall": float(wall), "user": float(user),
                                          "sys": float(sys_), "rss_bytes": int(rss) * 1024,
                                          "other_cpu": float(other)})
    for run, tool, name, value in read_tsv(os.path.join(raw, "metrics.tsv")):
        try:
            parsed = number(value)
        except ValueError:
            parsed = value
        runs[tool]["metrics"][name].append({"run": int(run), "value": parsed})
    return meta, runs


def median_of(values):
    return statistics.median(values) if values else None


def summarise(tool_runs):
    """Medians per step and metric; text metrics keep the value of the last run."""
    steps = {}
    for step, samples in tool_runs["steps"].items():
        steps[step] = {key: median_of([s[key] for s in samples]) for key in ("wall", "user", "sys", "rss_bytes", "other_cpu")}
        steps[step]["cpu"] = median_of([s["user"] + s["sys"] for s in samples])
        steps[step]["runs"] = len(samples)
    metrics = {}
    for name, samples in tool_runs["metrics"].items():
        values = [s["value"] for s in samples]
        numeric = all(isinstance(v, (int, float)) for v in values)
        metrics[name] = median_of(values) if numeric else values[-1]
    # Repository init is left out: it only derives a key once, and restic calibrates its KDF there.
    peak = max((s["rss_bytes"] for step, s in steps.items() if step != "init"), default=None)
    return {"steps": steps, "metrics": metrics, "peak_rss_bytes": peak}


def fmt(value, digits=2):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def mb(value):
    return "—" if value is None else f"{value / 1e6:,.1f}"


def markdown(meta, tools, summaries):
    source_mb = int(meta["source_bytes"]) / 1e6
    first = next(iter(summaries.values()))["metrics"]
    lines = [
        f"# Backup benchmark: {', '.join(tools)}",
        "",
        f"- **When / where:** {meta['date']} on `{meta['host']}`: {meta['cpu']}, {meta['cores']} cores, "
        f"{int(meta['memory_bytes']) / 2**30:.0f} GiB RAM, Linux {meta['kernel']}, {meta['filesystem']}; "
        "repositories on the same disk as the source; page cache warm.",
        f"- **Data:** {meta['dataset']} at `{meta['source_path']}`: {int(meta['source_files']):,} files, "
        f"{int(meta['source_dirs']):,} directories, {int(meta['source_symlinks']):,} symlinks, {source_mb:,.1f} MB. "
        f"1% change: {fmt(first.get('changed_files'), 0)} files grow by {fmt(first.get('changed_bytes'), 0)} bytes in total.",
        f"- **Tools:** {'; '.join(meta['version_' + t] for t in tools)}.",
        f"- **Runs:** {meta['runs']} (tables show the median); each timed step first waited up to "
        f"{meta.get('idle_wait', '0')} s for other processes to use less than a quarter of a core; "
        f"tools ran at niceness {meta.get('nice', '0')}.",
        "",
        "## Results",
        "",
        "Wall time in seconds; sizes in MB (10^6 bytes).",
        "",
        "| tool | initial backup | no-change backup | 1% change backup | restore | repo after initial | "
        "repo after 3 backups | repo files | peak RSS (backup/restore) | restore verified |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for tool in tools:
        s = summaries[tool]
        wall = lambda step: fmt(s["steps"].get(step, {}).get("wall"))
        m = s["metrics"]
        verdict = m.get("failed") and f"FAILED ({m['failed']})" or m.get("verify", "—")
        lines.append(f"| {tool} | {wall('initial')} | {wall('nochange')} | {wall('change')} | {wall('restore')} | "
                     f"{mb(m.get('repo_bytes_initial'))} | {mb(m.get('repo_bytes_final'))} | "
                     f"{fmt(m.get('repo_files'), 0)} | {mb(s['peak_rss_bytes'])} | {verdict} |")
    lines += ["", "## Per step", "",
              "CPU is user + system seconds of the tool; MB/s is source size over wall time (initial backup and "
              "restore); other CPU is what the rest of the machine used meanwhile (high values mean a disturbed "
              "measurement).", "",
              "| tool | step | wall s | CPU s | of which system | peak RSS MB | MB/s | other CPU s |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    for tool in tools:
        for step, label in STEPS:
            data = summaries[tool]["steps"].get(step)
            if not data:
                continue
            rate = fmt(source_mb / data["wall"], 0) if step in ("initial", "restore") and data["wall"] else ""
            lines.append(f"| {tool} | {label} | {fmt(data['wall'])} | {fmt(data['cpu'])} | {fmt(data['sys'])} | "
                         f"{mb(data['rss_bytes'])} | {rate} | {fmt(data['other_cpu'])} |")
    if "haven-agent" in summaries:
        agent = summaries["haven-agent"]
        lines += ["", "## Through the agent", "",
                  "`haven backup --wait` asks `haven agent serve` to back up its goal (the source) into `haven vault serve` on "
                  "loopback and waits for the job; `haven restore latest --wait` recovers the newest point from the vault "
                  "into a fresh file system. Wall is what the user waits for; the job's duration is the agent's own "
                  "record (from the job's start to its report); CPU adds the agent's and the vault's CPU to the command's; "
                  "peak RSS is the agent's.", "",
                  "| step | mode | wall s | job s | CPU s | peak RSS MB |", "|---|---|---:|---:|---:|---:|"]
        for step, label in STEPS:
            data = agent["steps"].get(step)
            if data:
                mode = agent['metrics'].get('mode_' + step, '—')
                lines.append(f"| {label} | {'—' if mode == 'none' else mode} | {fmt(data['wall'])} | "
                             f"{fmt(agent['metrics'].get('job_seconds_' + step))} | {fmt(data['cpu'])} | {mb(data['rss_bytes'])} |")
    ratios = ratio_rows(summaries)
    if ratios:
        lines += ["", "## Haven / restic", "", "Below 1 means Haven is faster or smaller.", "",
                  "| measure | haven | restic | ratio | target | met |", "|---|---:|---:|---:|---:|---|"]
        for row in ratios:
            met = "—" if row["target"] is None or row["ratio"] is None else ("yes" if row["ratio"] <= row["target"] else "no")
            target = "—" if row["target"] is None else f"≤ {row['target']:.2f}"
            show, unit = (mb, "MB") if row["unit"] == "bytes" else (fmt, row["unit"])
            lines.append(f"| {row['measure']} ({unit}) | {show(row['haven'])} | {show(row['restic'])} | "
                         f"{fmt(row['ratio'], 3)} | {target} | {met} |")
    return "\n".join(lines) + "\n"


def ratio_rows(summaries):
    if "restic" not in summaries:
        return []
    rows = []
    for label, unit, read, target, *other in RATIOS:
        haven_read = other[0] if other else read
        tool = other[1] if len(other) > 1 else "haven"
        if tool not in summaries:
            continue
        haven, restic = haven_read(summaries[tool]), read(summaries["restic"])
        ratio = haven / restic if haven is not None and restic else None
        rows.append({"measure": label, "unit": unit, "haven": haven, "restic": restic, "ratio": ratio,
                     "target": target})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("raw", help="directory holding meta.tsv, steps.tsv and metrics.tsv")
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()

    meta, runs = load(args.raw)
    tools = [t for t in TOOL_ORDER if t in runs]
    summaries = {tool: summarise(runs[tool]) for tool in tools}
    with open(args.markdown, "w") as handle:
        handle.write(markdown(meta, tools, summaries))
    document = {"meta": meta, "raw": {t: {"steps": runs[t]["steps"], "metrics": runs[t]["metrics"]} for t in tools},
                "median": summaries, "haven_over_restic": ratio_rows(summaries)}
    with open(args.json, "w") as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
