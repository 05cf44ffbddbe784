#!/usr/bin/env bash
# The device check (issue 16, item 6): the agent against a decode load it can be checked against, on a GPU machine.
#   tests/device/run.sh [OUT]        OUT: first argument, else $OUT, else ./device-out
# Runs from a copy of the working tree on a machine with an NVIDIA GPU (no internet) in under 8 minutes, or, without
# one, in stand-in mode (what CI runs) in under a minute. Writes to OUT:
#   machine.txt, nvidia-smi-q.txt   what the machine has (tools that are missing say "absent")
#   gpus-nvml.json, gpus-dcgm.json  one `solprof gpus` read per backend (.err beside it where it failed)
#   gpus-idle.jsonl, gpus-load.jsonl  one GPU read per second, before the load and while the agent runs
#   load.log, load-summary.json, decode-load/config.json   tests/device/decode_load.py: log, own measurement, model
#   agent.log, snapshot-NN.json, snapshots.jsonl, metrics.txt   the agent: log, /api/v1/snapshot, --record, /metrics
#   summary.txt                     mode, GPUs, idle/load figures, loader step vs agent step, SOL, PASS/FAIL
# Exit 0 only when the agent saw a valid window and its measured step is within 10 % of the loader's.
# Environment:
#   SOLPROF=path                  the executable (default artifacts/aot/solprof; published by .ci/publish-aot where
#                                 absent and dotnet is installed)
#   SOLPROF_DEVICE_MODE=real|standin   force the mode (default real when libnvidia-ml is present and nvidia-smi lists a GPU)
#   SOLPROF_DEVICE_BACKEND=nvml|dcgm   real mode's GPU backend (default dcgm where a DCGM read works, else nvml)
#   SOLPROF_DEVICE_PORT=19480     the agent's port; the loader takes the next free one above it
#   SOLPROF_DEVICE_SECONDS        the agent phase (default 60 real, 20 stand-in); SOLPROF_DEVICE_IDLE_READS (60 / 5)
#   SOLPROF_DEVICE_LOAD_ARGS      extra decode_load.py flags, e.g. "--layers 16 --batch 64 --cuda-graph"
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-${OUT:-device-out}}
exe=${SOLPROF:-artifacts/aot/solprof}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# A folder used before keeps only what this run writes (by name: OUT may hold other things).
rm -rf "$out"/{machine.txt,nvidia-smi-q.txt,gpus-*,load.log,load-summary.json,decode-load,agent.log,snapshot-*.json} \
  "$out"/{snapshots.jsonl,metrics.txt,readyz.json,models.json,summary.txt}
started=$(date +%s)

die() { echo "error: $*" >&2; exit 1; }
note() { echo "[$(($(date +%s) - started)) s] $*" >&2; }

# Every child is stopped on any exit, so a failed run leaves no loader holding the GPU.
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -x "$exe" ]; then
  command -v dotnet >/dev/null 2>&1 || die "no solprof at $exe and no dotnet to publish it: set SOLPROF=path/to/solprof (.ci/publish-aot builds one)"
  note "publishing $exe (.ci/publish-aot)"
  .ci/publish-aot "$(dirname "$exe")" >/dev/null
fi
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
command -v python3 >/dev/null 2>&1 || die "python3 is needed (the decode load and the summary)"

# GET $1 into $2 (curl where installed, else Python's urllib: the device image may lack curl).
http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 5 "$1" -o "$2" 2>/dev/null
  else
    python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=5).read())' "$1" "$2" 2>/dev/null
  fi
}
# Whether something listens on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  while port_busy "$p"; do p=$((p + 1)); done
  echo "$p"
}
# The path of shared library $1 (the loader's cache, then the usual folders), or nothing.
find_lib() {
  local path
  path=$(ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n { print $NF; exit }') || true
  if [ -z "$path" ]; then
    for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/cuda/lib64 \
      /usr/local/nvidia/lib64 /usr/local/dcgm/lib64 /usr/lib/wsl/lib; do
      [ -e "$dir/$1" ] && { path=$dir/$1; break; }
    done
  fi
  echo "$path"
}

# 1. What the machine has. Nothing here may fail the run.
nvml_lib=$(find_lib libnvidia-ml.so.1)
dcgm_lib=$(find_lib libdcgm.so.4)
gpu_list=
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu_list=$(timeout 30 nvidia-smi -L 2>&1 || true)
  timeout 60 nvidia-smi -q >"$out/nvidia-smi-q.txt" 2>&1 || true
fi
torch_probe=$(timeout 120 python3 -c '
import torch
print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuda.is_available()", torch.cuda.is_available())
if torch.cuda.is_available():
    print("device 0:", torch.cuda.get_device_name(0), "of", torch.cuda.device_count())
' 2>&1 | tail -2) || torch_probe="absent ($(tail -1 <<<"${torch_probe:-import failed}"))"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "uname: $(uname -a)"
  echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo absent), $(nproc 2>/dev/null || echo '?') cores"
  echo "memory: $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo absent)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "nvidia-smi: $(timeout 30 nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 | sed 's/^/driver /')"
    timeout 30 nvidia-smi --query-gpu=index,name,memory.total,power.limit,pci.bus_id --format=csv 2>&1 | sed 's/^/  /' || true
    echo "nvidia-smi -L:"
    echo "$gpu_list" | sed 's/^/  /'
  else
    echo "nvidia-smi: absent"
  fi
  echo "libnvidia-ml.so.1: ${nvml_lib:-absent}"
  echo "libdcgm.so.4: ${dcgm_lib:-absent}"
  echo "nv-hostengine: $(command -v nv-hostengine || echo absent)"
  echo "python3: $(python3 --version 2>&1)"
  echo "pytorch: $torch_probe"
  echo "curl: $(command -v curl || echo absent)"
  echo "solprof: $exe $("$exe" --version 2>&1 || echo '(does not start)')"
} >"$out/machine.txt"

# 2. The mode: a real GPU needs NVML and a GPU that nvidia-smi lists.
mode=${SOLPROF_DEVICE_MODE:-}
if [ -z "$mode" ]; then
  mode=standin
  [ -n "$nvml_lib" ] && grep -q '^GPU [0-9]' <<<"$gpu_list" && mode=real
fi
case "$mode" in
  real) backend=nvml; seconds=${SOLPROF_DEVICE_SECONDS:-60}; idle_reads=${SOLPROF_DEVICE_IDLE_READS:-60}; window=30 ;;
  standin) backend=sim; seconds=${SOLPROF_DEVICE_SECONDS:-20}; idle_reads=${SOLPROF_DEVICE_IDLE_READS:-5}; window=10 ;;
  *) die "SOLPROF_DEVICE_MODE must be real or standin, not '$mode'" ;;
esac
echo "mode: $mode" >>"$out/machine.txt"
note "mode $mode; writing to $out"

# 3. GPU reads: one per backend (sim is the NVML stand-in, so stand-in mode's read is gpus-nvml.json too), then idle.
read_gpus() { # backend, file stem, more flags: STEM.json, or STEM.err with what went wrong
  local b=$1 stem=$2
  shift 2
  rm -f "$out/$stem.json" "$out/$stem.err"
  if ! timeout 60 "$exe" gpus --gpu-backend "$b" "$@" -f json >"$out/$stem.json" 2>"$out/$stem.err"; then
    rm -f "$out/$stem.json"
    return 1
  fi
  [ -s "$out/$stem.err" ] || rm -f "$out/$stem.err"
}
read_gpus "$backend" gpus-nvml || note "the $backend read failed: $(head -1 "$out/gpus-nvml.err")"
dcgm_flags=()
if [ "$mode" = real ]; then
  # DCGM gives DRAM activity (HBM traffic), which NVML does not: embedded first, then a running nv-hostengine's.
  if ! read_gpus dcgm gpus-dcgm && pgrep -x nv-hostengine >/dev/null 2>&1; then
    dcgm_flags=(--dcgm-host 127.0.0.1:5555)
    read_gpus dcgm gpus-dcgm "${dcgm_flags[@]}" || true
  fi
  if [ -s "$out/gpus-dcgm.json" ]; then backend=dcgm; else note "no DCGM read (see gpus-dcgm.err): GPU backend nvml"; fi
  backend=${SOLPROF_DEVICE_BACKEND:-$backend}
else
  echo "not tried: stand-in mode" >"$out/gpus-dcgm.err"
fi
gpu_flags=()
[ "$backend" = dcgm ] && gpu_flags=("${dcgm_flags[@]}")
# The reads beside the agent's use NVML (sim in stand-in mode), which any number of processes may hold at once; two
# DCGM clients can contend for its profiling fields.
watch_backend=$([ "$mode" = real ] && echo nvml || echo sim)
# `gpus --watch -f json` prints one line per read (JSON Lines); a read cut off where the watch was stopped is dropped.
to_jsonl() {
  python3 -c '
import json, sys
text, dec, i, lines = open(sys.argv[1]).read(), json.JSONDecoder(), 0, []
while True:
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    try: doc, i = dec.raw_decode(text, i)
    except ValueError: break  # the read the watch was stopped in
    lines.append(json.dumps(doc, separators=(",", ":")))
open(sys.argv[2], "w").write("".join(l + "\n" for l in lines))
' "$1" "$2" && rm -f "$1"
}
note "idle: $idle_reads GPU reads, 1 s apart ($backend)"
timeout $((idle_reads + 60)) "$exe" gpus --gpu-backend "$backend" "${gpu_flags[@]}" -f json --watch 1s --count "$idle_reads" \
  >"$out/gpus-idle.raw" 2>"$out/gpus-idle.err" || note "the idle reads failed: $(head -1 "$out/gpus-idle.err")"
to_jsonl "$out/gpus-idle.raw" "$out/gpus-idle.jsonl" || true
[ -s "$out/gpus-idle.err" ] || rm -f "$out/gpus-idle.err"

# 4. The load: the real decoder where there is a GPU (it falls back to a dry run by itself, saying why), else sleeps.
agent_port=$(free_port "${SOLPROF_DEVICE_PORT:-19480}")
load_port=$(free_port $((agent_port + 1)))
# The config.json goes in a folder of its own: the agent names a config.json model after its folder.
mkdir -p "$out/decode-load"
load_args=(--port "$load_port" --window-s "$window" --config-out "$out/decode-load/config.json")
[ "$mode" = standin ] && load_args+=(--dry-run --step-ms 20)
# shellcheck disable=SC2206 # word splitting of the extra flags is the point
load_args+=(${SOLPROF_DEVICE_LOAD_ARGS:-})
note "load: decode_load.py ${load_args[*]}"
python3 tests/device/decode_load.py "${load_args[@]}" >"$out/load.log" 2>&1 &
load_pid=$!
pids+=("$load_pid")
# Model build and warmup: seconds on a GPU, once torch is imported; the loader serves only when it steps.
for _ in $(seq 1 1200); do
  http_get "http://127.0.0.1:$load_port/v1/models" "$out/models.json" && break
  kill -0 "$load_pid" 2>/dev/null || die "the decode load exited (see $out/load.log): $(tail -3 "$out/load.log")"
  sleep 0.2
done
[ -s "$out/models.json" ] || die "the decode load did not serve within 240 s (see $out/load.log)"
note "$(grep -m1 'serving http' "$out/load.log" | sed 's/^decode_load: //')"

# 5. The agent against it. Stand-in mode: the catalog model and 8 stand-in H100s; real mode: the config.json of the
# model the loader really built (its layer count may be shrunk to fit) and the GPU as detected. One replica on one
# GPU: --tp 1 (the agent warns where the GPU source sees more).
if [ "$mode" = real ]; then model=$out/decode-load/config.json; else model=llama-3.1-8b; fi
"$exe" agent --serving-url "http://127.0.0.1:$load_port/metrics" --gpu-backend "$backend" "${gpu_flags[@]}" --model "$model" --gpu auto \
  --tp 1 --window "${window}s" --urls "http://127.0.0.1:$agent_port" --record "$out/snapshots.jsonl" >"$out/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")
for _ in $(seq 1 150); do
  http_get "http://127.0.0.1:$agent_port/healthz" /dev/null && break
  kill -0 "$agent_pid" 2>/dev/null || die "the agent exited (see $out/agent.log): $(tail -3 "$out/agent.log")"
  sleep 0.2
done
http_get "http://127.0.0.1:$agent_port/healthz" /dev/null || die "the agent on port $agent_port did not start (see $out/agent.log)"
note "agent on port $agent_port ($backend, model $model): $seconds s"
timeout $((seconds + 30)) "$exe" gpus --gpu-backend "$watch_backend" -f json --watch 1s --count "$seconds" \
  >"$out/gpus-load.raw" 2>/dev/null &
pids+=("$!")
# A snapshot every 10 s (5 s in stand-in mode); the last one, at the end, with the loader's own figures taken beside it.
every=$([ "$mode" = real ] && echo 10 || echo 5)
n=0
end=$(($(date +%s) + seconds))
while [ "$(date +%s)" -lt "$end" ]; do
  sleep "$every"
  kill -0 "$agent_pid" 2>/dev/null || die "the agent exited (see $out/agent.log): $(tail -3 "$out/agent.log")"
  kill -0 "$load_pid" 2>/dev/null || die "the decode load exited (see $out/load.log): $(tail -3 "$out/load.log")"
  n=$((n + 1))
  http_get "http://127.0.0.1:$agent_port/api/v1/snapshot" "$out/$(printf 'snapshot-%02d.json' "$n")" || note "snapshot $n failed"
done
http_get "http://127.0.0.1:$load_port/summary" "$out/load-summary.json" || note "the loader's summary could not be read"
http_get "http://127.0.0.1:$agent_port/metrics" "$out/metrics.txt" || note "the agent's /metrics could not be read"
http_get "http://127.0.0.1:$agent_port/readyz" "$out/readyz.json" || true
# All stopped now, each given 5 s to finish its files, so that summary.txt reads complete ones.
cleanup
pids=()
to_jsonl "$out/gpus-load.raw" "$out/gpus-load.jsonl" || true
rm -f "$out/models.json"

# 6. The verdict.
rc=0
python3 tests/device/summarize.py "$out" "$mode" "$backend" || rc=$?
echo "run: $(($(date +%s) - started)) s" | tee -a "$out/summary.txt"
exit "$rc"
