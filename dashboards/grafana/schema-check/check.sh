#!/usr/bin/env bash
# Type-checks the Grafana dashboards (../dashboards/*.json) against @grafana/schema, the TypeScript types Grafana
# publishes, at the version of the Grafana image docker-compose.yml pins: generate.mjs restates each dashboard as a
# TypeScript object literal with `satisfies` on the schema's types, and tsc rejects what does not fit.
#
#   check.sh              install the pinned packages if needed (npm ci), generate, tsc; non-zero on any error
#   check.sh --self-test  the same on broken copies in a temporary folder, each of which must be rejected
#
# Needs node and npm; npm ci fetches @grafana/schema and typescript from the npm registry the first time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

# npm ci only when node_modules is missing or was installed from another package-lock.json (the stamp is a copy).
stamp=node_modules/.schema-check-lock.json
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  echo "installing the pinned @grafana/schema and typescript (npm ci)"
  if ! log=$(npm ci --no-audit --no-fund 2>&1); then
    echo "$log" >&2
    echo "error: npm ci failed in $here" >&2
    exit 1
  fi
  cp package-lock.json "$stamp"
fi
version() { node -p "require('./node_modules/$1/package.json').version"; }
schema=$(version @grafana/schema)

# The schema is only worth checking against if it is the Grafana that runs the dashboards.
grafana=$(sed -n 's/^ *image: *grafana\/grafana:\([^ ]*\).*/\1/p' ../../../docker-compose.yml 2>/dev/null | head -n1)
if [ -n "$grafana" ] && [ "$grafana" != "$schema" ]; then
  echo "error: docker-compose.yml pins grafana/grafana:$grafana but $here has @grafana/schema $schema;" \
    "run: npm install --save-exact @grafana/schema@$grafana" >&2
  exit 1
fi

# tsc names the generated file and line. The generated file is its dashboard line for line, and each panel opens
# with a /* <file>.json: panel <id> "<title>" */ mark: follow each message with the dashboard, line and panel.
explain() {
  local line file row where
  while IFS= read -r line; do
    echo "$line"
    if [[ $line =~ ^([^\(]+\.ts)\(([0-9]+),[0-9]+\):\ error ]]; then
      file=${BASH_REMATCH[1]} row=${BASH_REMATCH[2]}
      where=$(awk -v n="$row" 'NR > n { exit }
        match($0, /\/\* [^*]*: panel [^*]* \*\//) { w = substr($0, RSTART + 3, RLENGTH - 6) } END { print w }' "$file")
      echo "  -> dashboards/$(basename "${file%.ts}").json line $row${where:+, in ${where#*: }}"
    fi
  done
}

# generate.mjs and tsc in folder $1 (this one or a copy) on the dashboards in $2; non-zero when they do not pass.
check_in() {
  local dir=$1 dashboards=$2 out
  node "$dir/generate.mjs" --dashboards "$dashboards" --out "$dir/generated" || return 1
  if ! out=$(cd "$dir" && npx --no -- tsc -p . 2>&1); then
    (cd "$dir" && explain <<<"$out")
    echo "$(grep -c ': error TS' <<<"$out") error(s) against @grafana/schema $schema"
    return 1
  fi
}

if [ "${1:-}" != "--self-test" ]; then
  check_in "$here" "$here/../dashboards"
  echo "Grafana dashboards: $(cd ../dashboards && echo *.json) match @grafana/schema $schema" \
    "(tsc $(version typescript))"
  exit 0
fi

# --self-test: each case breaks one thing in a copy of the dashboards; the check must fail, naming the break.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp generate.mjs types.ts tsconfig.json "$tmp/"
ln -s "$here/node_modules" "$tmp/node_modules"

# expect_rejected NAME EXPECTED FILE JS: JS edits `d` (FILE, parsed); the output must contain EXPECTED.
expect_rejected() {
  local name=$1 expected=$2 file=$3 js=$4 out
  rm -rf "$tmp/dashboards" && cp -r ../dashboards "$tmp/dashboards"
  node -e "const fs = require('fs'), f = process.argv[1], d = JSON.parse(fs.readFileSync(f, 'utf8'));
    const panels = (ps = d.panels) => ps.flatMap((p) => [p, ...panels(p.panels ?? [])]);
    ${js}; fs.writeFileSync(f, JSON.stringify(d, null, 2) + '\n');" "$tmp/dashboards/$file"
  if out=$(check_in "$tmp" "$tmp/dashboards" 2>&1); then
    echo "self-test FAILED: $name was accepted" >&2
    exit 1
  fi
  if ! grep -qF -- "$expected" <<<"$out"; then
    echo "self-test FAILED: $name was rejected, but the output does not name $expected:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "self-test: $name: rejected"
  grep -F -A1 -- "$expected" <<<"$out" | cut -c1-240 | sed 's/^/  /'
}

expect_rejected 'a misspelled legend option (dispalyMode)' '"dispalyMode"' solprof-gpu.json \
  'const l = panels().find((p) => p.options?.legend).options.legend;
   l.dispalyMode = l.displayMode; delete l.displayMode'
expect_rejected 'a misspelled override property (custom.lineWidht)' '"custom.lineWidht"' solprof-gpu.json \
  'const o = panels().find((p) => p.fieldConfig?.overrides?.length).fieldConfig.overrides[0];
   o.properties[0].id = "custom.lineWidht"'
expect_rejected 'an unknown panel type (timeseries2)' 'has type "timeseries2"' solprof-overview.json \
  'panels().find((p) => p.type === "timeseries").type = "timeseries2"'
echo "schema-check self-test: 3 broken copies rejected"
