#!/usr/bin/env bash
# Rewrites the `solprof sol` goldens beside this script with the real program. Run it only when the SOL model changes
# on purpose, then read the diff: every number that moved must be explained by that change.
#   dotnet build SolProfiler.sln -c Release && bash tests/SolProfiler.Cli.Tests/Fixtures/sol/regenerate.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
solprof=${SOLPROF:-$root/src/SolProfiler.Cli/bin/Release/net10.0/solprof}

json() {
  local out=$1; shift
  "$solprof" sol "$@" --format json | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin), indent=2))' > "$here/$out"
}

json decode-only-llama-70b-tp8.json --model llama-3.1-70b --gpu h100-sxm --tp 8 --weights fp8 --kv fp8 --activations fp8 --batch 1,64,512 --context 8192
json decode-only-deepseek-v3-dp8.json --model deepseek-v3 --gpu h200-sxm --tp 8 --ep 8 --attention-dp 8 --batch 1,32,256 --context 4096
json decode-only-llama-70b-pp2-spec.json --model llama-3.1-70b --gpu h100-sxm --tp 4 --pp 2 --batch 1,16 --context 2048 --draft 3 --accepted 2.5
json decode-only-gpt-oss-120b.json --model gpt-oss-120b --gpu h100-sxm --batch 8 --context 20000 --prefill-tokens 0
mixed=(--model llama-3.1-70b --gpu h100-sxm --tp 8 --weights fp8 --kv fp8 --activations fp8 --batch 64 --context 8192 --prefill-tokens 512)
json mixed-step-512.json "${mixed[@]}"
"$solprof" sol "${mixed[@]}" | sed 's/[ ]*$//' > "$here/mixed-step-512.table.txt"
