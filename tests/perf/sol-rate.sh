#!/usr/bin/env bash
# SOL evaluation rate: operating points per second on one thread, dense (Llama-3.1-70B TP 8) and MoE (DeepSeek-V3
# TP 8 EP 8 attention-DP 8), batch 1..1024 sweeps. Target (issue 8): at least 1 M points/s. The BenchmarkDotNet
# version of the same numbers: dotnet run -c Release --project tests/SolProfiler.Benchmarks -- --filter '*SolEvaluation*'
# Usage: tests/perf/sol-rate.sh [SECONDS_PER_CASE=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/SolProfiler.Benchmarks -c Release -v quiet -nologo >/dev/null
tests/SolProfiler.Benchmarks/bin/Release/net10.0/SolProfiler.Benchmarks time-sol "${1:-3}"
