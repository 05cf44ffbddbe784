#!/usr/bin/env python3
"""Writes OUT/summary.txt for tests/device/run.sh from the files it left in OUT; exit 0 only on a pass.

  summarize.py OUT MODE BACKEND [TOLERANCE=0.10]

Pass: the agent's last snapshot (OUT/snapshot-*.json, the one taken with OUT/load-summary.json) holds a valid window,
and its measured step is within TOLERANCE of the loader's own mean step over the same window length. The loader's mean
over its whole run is shown beside it.
"""

import glob
import json
import os
import sys


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_stream(path):
    """A file of JSON documents one after another (one per line, or pretty-printed back to back)."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return []
    decoder, docs, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        try:
            doc, i = decoder.raw_decode(text, i)
        except ValueError:
            return docs  # a read cut short when the watch was stopped
        docs.append(doc)


def ms(seconds):
    return f"{seconds * 1e3:.3f} ms" if isinstance(seconds, (int, float)) else "n/a"


def gpu_figures(reads):
    """Mean per GPU over the reads: power, memory used, graphics and DRAM activity, where the backend gives them."""
    per = {}
    for read in reads:
        for gpu in read.get("gpus") or []:
            for key in ("powerWatts", "memoryUsedBytes", "graphicsActiveRatio", "dramActiveRatio", "smClockHz"):
                if isinstance(gpu.get(key), (int, float)):
                    per.setdefault(key, []).append(gpu[key])
    if not per:
        return "no GPU reads"
    mean = {k: sum(v) / len(v) for k, v in per.items()}
    parts = [f"{len(reads)} reads"]
    if "powerWatts" in mean:
        parts.append(f"power {mean['powerWatts']:.0f} W/GPU")
    if "memoryUsedBytes" in mean:
        parts.append(f"memory used {mean['memoryUsedBytes'] / 2**30:.1f} GiB/GPU")
    if "graphicsActiveRatio" in mean:
        parts.append(f"graphics active {mean['graphicsActiveRatio']:.2f}")
    if "dramActiveRatio" in mean:
        parts.append(f"DRAM active {mean['dramActiveRatio']:.2f}")
    if "smClockHz" in mean:
        parts.append(f"SM clock {mean['smClockHz'] / 1e6:.0f} MHz")
    return ", ".join(parts)


def main(out, mode, backend, tolerance):
    lines = [f"mode: {mode} (GPU backend {backend})"]

    listing = read_json(os.path.join(out, "gpus-nvml.json")) or {}
    names = {}
    for gpu in listing.get("gpus") or []:
        key = f"{gpu.get('name')} ({gpu.get('catalogId') or 'not in the catalog'})"
        names[key] = names.get(key, 0) + 1
    lines.append("GPUs: " + ("; ".join(f"{n} x {k}" for k, n in names.items()) or "none listed (see gpus-nvml.err)"))
    dcgm = read_json(os.path.join(out, "gpus-dcgm.json"))
    lines.append("DCGM: " + ("read" if dcgm else "not read (see gpus-dcgm.err)"))
    lines.append("idle: " + gpu_figures(read_stream(os.path.join(out, "gpus-idle.jsonl"))))
    lines.append("load: " + gpu_figures(read_stream(os.path.join(out, "gpus-load.jsonl"))))

    load = read_json(os.path.join(out, "load-summary.json"))
    if load:
        lines.append(
            f"loader: {load.get('mode')} ({load.get('timer')}), {load.get('device', 'no device')}, batch {load.get('batch')}, "
            f"context {load.get('context')}, {load.get('steps_timed')} steps; mean step {ms(load.get('mean_step_s'))} over the run, "
            f"{ms(load.get('window_mean_step_s'))} over the last {load.get('window_s'):g} s; wall {ms(load.get('mean_wall_step_s'))}")
        for event in load.get("events") or []:
            lines.append(f"  loader: {event}")
    else:
        lines.append("loader: no summary (see load.log)")

    snapshots = sorted(glob.glob(os.path.join(out, "snapshot-*.json")))
    snap = read_json(snapshots[-1]) if snapshots else None
    valid = bool(snap and snap.get("valid"))
    agent_step = None
    if snap is None:
        lines.append("agent: no snapshot (see agent.log)")
    elif not valid:
        lines.append(f"agent: no valid window in {os.path.basename(snapshots[-1])}: {snap.get('invalidReason')}")
    else:
        point, gap, sol, conf = snap.get("operatingPoint") or {}, snap.get("gap") or {}, snap.get("sol") or {}, snap.get("configuration") or {}
        agent_step = point.get("measuredStepSeconds")
        lines.append(
            f"agent: valid window of {snap.get('spanSeconds', 0):.1f} s ({os.path.basename(snapshots[-1])}), measured step {ms(agent_step)} "
            f"[{(point.get('stepSource') or '?').split(': ')[0]}], "
            f"batch {point.get('batch')} ({point.get('batchSource')}), context {point.get('contextTokens')} ({point.get('contextSource')})")
        lines.append(
            f"  SOL: {ms(gap.get('solStepSeconds'))} ({conf.get('model')}, {conf.get('gpu')}, TP {conf.get('tp')}, "
            f"bound {sol.get('bound')}), efficiency {gap.get('efficiency', float('nan')):.3f}")
        power, hbm = point.get("powerWatts"), point.get("hbmBytesPerSecondPerGpu")
        lines.append(
            f"  GPUs in the window: {point.get('gpus')}, power {power:.0f} W all GPUs" if isinstance(power, (int, float)) else "  GPUs in the window: no power read")
        if isinstance(hbm, (int, float)):
            lines[-1] += f", HBM {hbm / 1e9:.0f} GB/s per GPU"
        for warning in (snap.get("warnings") or []) + (gap.get("warnings") or []):
            lines.append(f"  agent warning: {warning}")

    ok = False
    reference = load.get("window_mean_step_s") if load else None
    if valid and isinstance(agent_step, (int, float)) and isinstance(reference, (int, float)) and reference > 0:
        diff = agent_step / reference - 1
        ok = abs(diff) <= tolerance
        run_mean = load.get("mean_step_s")
        lines.append(
            f"agent vs loader: {diff * 100:+.2f} % against the loader's last-window mean "
            f"({(agent_step / run_mean - 1) * 100:+.2f} % against its run mean); limit {tolerance * 100:g} %")
    else:
        lines.append("agent vs loader: not comparable (no valid window, or no loader measurement)")
    dry = load and load.get("mode") != "torch" and mode == "real"
    lines.append("result: " + ("PASS" if ok else "FAIL") + (" (but the load was a dry run: sleeps, not a model on the GPU)" if dry else ""))

    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) == 5 else 0.10))
