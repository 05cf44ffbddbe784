# Sourced by the scripts in tests/perf (run from the repository root).

# Builds the CLI in Release and sets $exe to it.
build_cli() {
  dotnet build src/SolProfiler.Cli -c Release -v quiet -nologo >/dev/null
  exe=src/SolProfiler.Cli/bin/Release/net10.0/solprof
}

# Waits until the agent on 127.0.0.1:$1 answers /healthz (30 s at most).
wait_healthy() {
  for _ in $(seq 1 150); do
    curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the agent on port $1 did not start" >&2
  return 1
}

# Starts `solprof agent --demo` on 127.0.0.1:$1, logging to $2; sets $pid, stops it on exit, waits until healthy.
start_demo_agent() {
  "$exe" agent --demo --urls "http://127.0.0.1:$1" >"$2" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  wait_healthy "$1"
}
