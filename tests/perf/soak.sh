#!/usr/bin/env bash
# Soak: `solprof agent --demo` for a long run with /metrics scraped every second (and the JSON snapshot every 10 s),
# sampling resident memory, open file descriptors and threads every 10 s. Prints the least-squares slope of each
# over the run after a warm-up (start-up and tiered JIT), per hour, and writes the samples as CSV. The agent must
# also answer every scrape. A leak shows as a slope that does not fall to noise as the run gets longer.
# Usage: tests/perf/soak.sh [SECONDS=3600] [PORT=19474] [WARMUP_SECONDS=300] [CSV=/tmp/solprof-soak.csv]
# CI runs a short setting of it (SOAK_SECONDS in .ci/run) as a smoke test; the README holds a full hour's figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-3600}
port=${2:-19474}
warmup=${3:-300}
csv=${4:-/tmp/solprof-soak.csv}

. tests/perf/lib.sh
build_cli
start_demo_agent "$port" /tmp/solprof-soak.log

echo "seconds,rss_kib,fds,threads,scrapes,failed" >"$csv"
start=$(date +%s)
end=$((start + warmup + duration))
scrapes=0
failed=0
next_sample=$start
while [ "$(date +%s)" -lt "$end" ]; do
  if curl -fs --max-time 5 "http://127.0.0.1:$port/metrics" -o /dev/null; then scrapes=$((scrapes + 1)); else failed=$((failed + 1)); fi
  now=$(date +%s)
  if [ "$now" -ge "$next_sample" ]; then
    curl -fs --max-time 5 "http://127.0.0.1:$port/api/v1/snapshot" -o /dev/null || failed=$((failed + 1))
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
    fds=$(ls "/proc/$pid/fd" | wc -l)
    echo "$((now - start)),$rss,$fds,$threads,$scrapes,$failed" >>"$csv"
    next_sample=$((now + 10))
  fi
  sleep 1
done

# Least-squares slope of each column over the samples after the warm-up, scaled to one hour.
awk -F, -v warmup="$warmup" '
  NR == 1 { next }
  $1 >= warmup {
    n++; sx += $1; sy1 += $2; sy2 += $3; sy3 += $4; sxx += $1 * $1; sxy1 += $1 * $2; sxy2 += $1 * $3; sxy3 += $1 * $4
    if (n == 1) { first1 = $2; first2 = $3; first3 = $4 }
    last1 = $2; last2 = $3; last3 = $4; scrapes = $5; failed = $6
    if ($2 > max1) max1 = $2
  }
  END {
    d = n * sxx - sx * sx
    if (n < 3 || d == 0) { print "too few samples after the warm-up"; exit 1 }
    s1 = (n * sxy1 - sx * sy1) / d * 3600; s2 = (n * sxy2 - sx * sy2) / d * 3600; s3 = (n * sxy3 - sx * sy3) / d * 3600
    printf "samples after warm-up: %d over %.0f s; scrapes answered %d, failed %d\n", n, $1 - warmup, scrapes, failed
    printf "rss: %.1f MB at the start of the measured run, %.1f MB at its end, max %.1f MB; slope %+.2f MB/hour\n", first1 / 1024, last1 / 1024, max1 / 1024, s1 / 1024
    printf "open file descriptors: %d -> %d; slope %+.2f per hour\n", first2, last2, s2
    printf "threads: %d -> %d; slope %+.2f per hour\n", first3, last3, s3
    if ($1 - warmup < 1800) print "(a run this short checks that every scrape is answered; its slopes are start-up, not a trend)"
  }' "$csv"
echo "samples: $csv"
failed=$(tail -1 "$csv" | cut -d, -f6)
if [ "$failed" -ne 0 ]; then
  echo "soak: $failed requests were not answered" >&2
  exit 1
fi
