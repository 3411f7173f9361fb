#!/usr/bin/env bash
# Checks that the folders keep the layers of docs/architecture.md (ctest `layers`):
#   - a file includes only project headers of its own layer and the layers below it;
#   - public headers (include/asha/) include only public headers;
#   - policy/ (config, config space, searchers, schedulers) touches no filesystem, clock,
#     thread, process, terminal or logger: time and randomness are passed in;
#   - sys/ and supervisor/ (asha-supervise, which every leg starts) use no public header, no
#     logger, no JSON library and no iostreams: libc and a little of the standard library.
# The CMake targets enforce the same order at link time; this check names the offending line.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# The layers a layer may include (besides the public headers, asha/..., which any may).
declare -A allowed=(
  [sys]="sys"
  [supervisor]="supervisor sys"
  [policy]="policy"
  [run]="run policy sys"
  [backends]="backends supervisor policy sys"
  [report]="report run policy sys"
  [serve]="serve report run policy sys"
  [loop]="loop report run backends supervisor policy sys"
  [cli]="cli serve loop report run backends supervisor policy sys"
)
# What policy code may not include: side effects and the clock.
policy_forbidden='<(filesystem|fstream|chrono|thread|mutex|condition_variable|future|ctime|cstdio|iostream|unistd\.h|fcntl\.h|signal\.h|poll\.h|spawn\.h|sys/[a-z_]+\.h|spdlog/[a-z_/]+\.h)>'

failures=0
fail() {
  echo "layers: $1" >&2
  failures=$((failures + 1))
}

for layer in "${!allowed[@]}"; do
  [[ -d src/$layer ]] || { fail "src/$layer is missing"; continue; }
  while IFS= read -r -d '' file; do
    while IFS=: read -r line include; do
      target=${include#*\"}
      target=${target%%/*}
      [[ $target == asha ]] && continue
      [[ " ${allowed[$layer]} " == *" $target "* ]] ||
        fail "$file:$line includes $include: $layer/ may include only ${allowed[$layer]} and asha/"
    done < <(grep -n '^#include "' "$file" | sed 's/:#include /:/')
    if [[ $layer == sys || $layer == supervisor ]]; then
      while IFS=: read -r line include; do
        fail "$file:$line includes $include: $layer/ stays small (asha-supervise links it)"
      done < <(grep -nE '^#include ("asha/|<(spdlog|fmt|nlohmann|CLI)/|<(iostream|fstream|sstream|filesystem)>)' "$file" | sed 's/:#include /:/')
    fi
    if [[ $layer == policy ]]; then
      while IFS=: read -r line include; do
        fail "$file:$line includes $include: policy/ is pure (no I/O, clock, threads or logging)"
      done < <(grep -nE "^#include $policy_forbidden" "$file" | sed 's/:#include /:/')
    fi
  done < <(find "src/$layer" -name '*.cpp' -print0 -o -name '*.hpp' -print0)
done

for dir in src/*/; do
  layer=$(basename "$dir")
  [[ -n ${allowed[$layer]:-} ]] || fail "src/$layer/ is not a known layer (add it here and to docs/architecture.md)"
done

while IFS= read -r -d '' header; do
  while IFS=: read -r line include; do
    fail "$header:$line includes $include: a public header may include only asha/ headers"
  done < <(grep -n '^#include "' "$header" | grep -v '#include "asha/' | sed 's/:#include /:/')
done < <(find include/asha -name '*.hpp' -print0)

if ((failures)); then
  echo "layers: $failures problem(s)" >&2
  exit 1
fi
echo "layers: every include follows sys < supervisor, policy < run, backends < report < serve, loop < cli"
