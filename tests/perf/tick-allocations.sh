#!/usr/bin/env bash
# Bytes the agent's steady path allocates per tick, stage by stage (issue 16): captures SECONDS bodies from the demo's
# simulated vLLM server one second apart, then replays them through the parser, the adapter, an NVML read of the 8
# stand-in GPUs and the window's analysis (tests/SolProfiler.Benchmarks tick-allocations), with the types the bytes
# go to. The whole process's figure (HTTP and the /metrics export included) is tests/perf/footprint.sh's.
#   tests/perf/tick-allocations.sh [SECONDS=40] [PORT=19497]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-40}
port=${2:-19497}
. tests/perf/lib.sh
build_cli
dotnet build tests/SolProfiler.Benchmarks -c Release -v quiet -nologo >/dev/null
bodies=$(mktemp -d /tmp/solprof-bodies-XXXXXX)
start_demo_agent "$port" "$bodies/demo.log"
serving=$(grep -o 'serving http://127.0.0.1:[0-9]*/metrics' "$bodies/demo.log" | head -1 | cut -d' ' -f2)
for i in $(seq -w 1 "$seconds"); do
  curl -fs "$serving" -o "$bodies/body-$i.prom"
  sleep 1
done
kill "$pid" 2>/dev/null || true
dotnet tests/SolProfiler.Benchmarks/bin/Release/net10.0/SolProfiler.Benchmarks.dll tick-allocations "$bodies" \
  "$PWD/native/build/nvml/libnvidia-ml.so.1" 400
rm -rf "$bodies"
