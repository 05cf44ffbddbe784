#!/usr/bin/env bash
# Fuzzes one parser with AFL++ and SharpFuzz: publishes the harness, instruments SolProfiler.Telemetry.dll, runs
# afl-fuzz on the seed corpus for an execution or time budget, then prints the executions, crashes and hangs from
# afl's fuzzer_stats. Installs nothing.
#
#   tests/fuzz/run-afl.sh exposition|sse [-E EXECS | -V SECONDS] [-o OUTDIR] [-t MS]
#
#   -E EXECS    stop after about EXECS executions (default 1000000)
#   -V SECONDS  stop after SECONDS of fuzzing instead
#   -o OUTDIR   AFL output (queue, crashes, hangs, fuzzer_stats); default /tmp/solprof-fuzz/TARGET.
#               An existing OUTDIR is started afresh (AFL_AUTORESUME is not used).
#   -t MS       per-input timeout; default 5000 (a .NET child needs far more than afl's 1000 ms default when it starts)
#
# Exit status: 0 when the run ended with no crash and no hang, 1 when it found any, 2 for usage or missing tools.
# Replay a crash: dotnet /tmp/solprof-fuzz/build/publish/SolProfiler.Fuzz.dll --replay TARGET OUTDIR/default/crashes/id:*
set -euo pipefail

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
target=$1
shift
case "$target" in
  exposition | sse) ;;
  *) usage ;;
esac

budget=(-E 1000000)
timeout_ms=5000
out="/tmp/solprof-fuzz/$target"
while getopts "E:V:o:t:" opt; do
  case "$opt" in
    E) budget=(-E "$OPTARG") ;;
    V) budget=(-V "$OPTARG") ;;
    o) out=$OPTARG ;;
    t) timeout_ms=$OPTARG ;;
    *) usage ;;
  esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
fuzz="$root/tests/fuzz"

missing=0
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "afl-fuzz not found. Install AFL++, e.g. on Debian/Ubuntu: apt-get install -y afl++" >&2
  missing=1
fi
sharpfuzz=$(command -v sharpfuzz || true)
if [ -z "$sharpfuzz" ] && [ -x "$HOME/.dotnet/tools/sharpfuzz" ]; then
  sharpfuzz="$HOME/.dotnet/tools/sharpfuzz"
fi
if [ -z "$sharpfuzz" ]; then
  echo "sharpfuzz not found. Install it: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2
  echo "  (then put ~/.dotnet/tools on PATH, or leave it there: this script looks for it)" >&2
  missing=1
fi
dotnet=$(command -v dotnet || true)
[ -n "$dotnet" ] || { echo "dotnet (the .NET 10 SDK) not found" >&2; missing=1; }
[ "$missing" -eq 0 ] || exit 2

# Build outside the source tree so a run never leaves files for git to see.
work="${SOLPROF_FUZZ_WORK:-/tmp/solprof-fuzz/build}"
publish="$work/publish"
rm -rf "$publish"
mkdir -p "$work"
echo "== publishing the harness to $publish"
dotnet publish "$fuzz/SolProfiler.Fuzz/SolProfiler.Fuzz.csproj" -c Release -o "$publish" --nologo -v quiet

# Only the parsers' namespaces are instrumented: coverage of the rest of the assembly would be noise for afl.
echo "== instrumenting SolProfiler.Telemetry.dll (Exposition and Probe namespaces)"
"$sharpfuzz" "$publish/SolProfiler.Telemetry.dll" SolProfiler.Telemetry.Exposition SolProfiler.Telemetry.Probe

rm -rf "$out"
mkdir -p "$out"
dict=()
[ -f "$fuzz/dict/$target.dict" ] && dict=(-x "$fuzz/dict/$target.dict")

echo "== afl-fuzz $target: budget ${budget[*]}, timeout ${timeout_ms} ms, output $out"
# The .NET child is not a binary compiled with afl's instrumentation (SharpFuzz speaks the fork-server protocol
# itself), hence AFL_SKIP_BIN_CHECK; no CPU binding, as the machine may be shared.
started=$(date +%s)
set +e
AFL_SKIP_BIN_CHECK=1 \
AFL_SKIP_CPUFREQ=1 \
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
AFL_NO_AFFINITY=1 \
AFL_NO_UI=1 \
AFL_FORKSRV_INIT_TMOUT=60000 \
  afl-fuzz -i "$fuzz/corpus/$target" -o "$out" -t "$timeout_ms" -m none "${budget[@]}" "${dict[@]}" \
    -- "$dotnet" "$publish/SolProfiler.Fuzz.dll" "$target" >"$out/afl.log" 2>&1
afl_status=$?
set -e
elapsed=$(($(date +%s) - started))

stats="$out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
  echo "afl-fuzz exited with $afl_status and wrote no fuzzer_stats; the end of its log:" >&2
  tail -n 30 "$out/afl.log" >&2
  exit 1
fi

stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
execs=$(stat execs_done)
crashes=$(stat saved_crashes)
[ -n "$crashes" ] || crashes=$(stat unique_crashes)
hangs=$(stat saved_hangs)
[ -n "$hangs" ] || hangs=$(stat unique_hangs)
echo "== $target: afl-fuzz exit $afl_status after ${elapsed} s"
echo "execs_done:    $execs"
echo "execs_per_sec: $(stat execs_per_sec) (afl's figure; overall $(awk -v e="$execs" -v s="$(stat run_time)" 'BEGIN { if (s > 0) printf "%.0f", e / s; else print "?" }')/s over $(stat run_time) s of fuzzing)"
echo "corpus_count:  $(stat corpus_count)"
echo "edges_found:   $(stat edges_found)"
echo "crashes:       $crashes"
echo "hangs:         $hangs"
if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
  ls "$out/default/crashes" "$out/default/hangs" 2>/dev/null | grep -v README || true
  echo "replay: dotnet $publish/SolProfiler.Fuzz.dll --replay $target $out/default/crashes/id:*"
  exit 1
fi
