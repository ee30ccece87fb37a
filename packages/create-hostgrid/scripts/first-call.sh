#!/usr/bin/env bash
# Measures a new user's wait: from `npm create hostgrid my-grid` in a fresh folder to the
# controller's first answered call, npm install and tsc included. The @hostgrid packages
# come from `npm pack` of this repository (as a release would publish them); the rest
# from npm's registry, through the npm cache, or through an empty one with --cold.
# Run after a build: bash packages/create-hostgrid/scripts/first-call.sh [--cold]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/first-call-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/tarballs"
(cd "$repo" && npm pack --silent --pack-destination "$work/tarballs" \
  -w create-hostgrid -w @hostgrid/core -w @hostgrid/transport-local -w @hostgrid/protocol -w @hostgrid/staging -w @hostgrid/worker >/dev/null)
if [[ "${1:-}" == "--cold" ]]; then export npm_config_cache="$work/npm-cache"; fi
cd "$work"
start=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - start) / 1000000 )); }
# What `npm create hostgrid my-grid` runs, with the packed create-hostgrid for the registry's.
creator=$(echo "$work"/tarballs/create-hostgrid-*.tgz)
npm exec --yes --package="$creator" -- create-hostgrid my-grid >/dev/null
rm "$creator"
cd my-grid
# Instead of the registry's @hostgrid packages (not published yet), the tarballs.
node -e '
  const fs = require("node:fs"); const dir = "../tarballs";
  const file = Object.fromEntries(fs.readdirSync(dir).map((f) => ["@hostgrid/" + f.replace(/^hostgrid-/, "").replace(/-\d+\.\d+\.\d+\.tgz$/, ""), "file:" + dir + "/" + f]));
  const m = JSON.parse(fs.readFileSync("package.json", "utf8"));
  for (const name of Object.keys(m.dependencies)) m.dependencies[name] = file[name];
  m.overrides = file; fs.writeFileSync("package.json", JSON.stringify(m, null, 2));'
echo "scaffolded: $(ms) ms"
npm install --no-audit --no-fund --loglevel=error >/dev/null
echo "installed: $(ms) ms"
npm start 2>&1 | while IFS= read -r line; do
  case "$line" in
    "answered by "*) [[ -n "${seen:-}" ]] || { echo "first answered call printed: $(ms) ms"; seen=1; } ;;
  esac
done
echo "npm start done: $(ms) ms"
