#!/usr/bin/env bash
# The tool as a user installs it, used as a user would, with nothing of the source or build tree
# in reach:
#   1. `cmake --install BUILD --prefix P`: bin/asha-tune, the man page, bash completion, the
#      configs and examples, the docs;
#   2. the installed asha-tune runs the installed configs from another directory while the
#      source and build trees are hidden under empty tmpfs mounts (a private mount namespace,
#      root only; elsewhere the trees stay visible and the test says so);
#   3. `cpack` builds asha-tune_VERSION_ARCH.deb with its Depends taken from the linked
#      libraries; its files extracted with dpkg-deb run the same way; as root in CI it is also
#      installed with `apt-get install ./asha-tune_*.deb`, run from PATH, and removed.
# Usage: install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -uo pipefail
build=$(cd "$1" && pwd); src=$(cd "$2" && pwd); work=$3
rm -rf "$work"; mkdir -p "$work"; work=$(cd "$work" && pwd)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }
check() { local what=$1; shift; if "$@" >"$work/check.out" 2>&1; then pass "$what"; else fail "$what"; cat "$work/check.out"; fi; }

# What the installed tool touches lives outside both trees, so that hiding them hides nothing
# it needs; logs stay in WORK_DIR.
outside=$(mktemp -d "${TMPDIR:-/tmp}/asha-install.XXXXXX")
case "$outside/" in "$src"/*|"$build"/*) echo "FAIL: TMPDIR is inside the source or build tree"; exit 1 ;; esac
prefix=$outside/prefix
if ! cmake --install "$build" --prefix "$prefix" --strip >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "FAIL: cmake --install"; exit 1
fi
pass "cmake --install --prefix $prefix --strip"
# No installed file names the trees it came from (the binary is stripped, as a package's is).
refs=$(grep -rlF -e "$src" -e "$build" "$prefix" 2>/dev/null || true)
[ -z "$refs" ] && pass "no installed file mentions $src or $build" || fail "installed files mention the source or build tree: $refs"
for f in bin/asha-tune libexec/asha-tune/asha-supervise share/man/man1/asha-tune.1.gz \
         share/bash-completion/completions/asha-tune \
         share/asha-tune/configs/lenet-small.json share/asha-tune/configs/quick.json \
         share/asha-tune/examples/lenet/train.py share/asha-tune/examples/synthetic/train.py \
         share/asha-tune/bench/curves/lenet-small.csv.gz \
         share/doc/asha-tune/README.md; do
  [ -s "$prefix/$f" ] && pass "installed $f" || fail "missing $f"
done
check "the man page is roff written from --help (it lists --config and the subcommands)" \
  sh -c "zcat '$prefix/share/man/man1/asha-tune.1.gz' | grep -q '^\.TH ASHA-TUNE \"1\"' &&
         zcat '$prefix/share/man/man1/asha-tune.1.gz' | grep -q 'config' &&
         zcat '$prefix/share/man/man1/asha-tune.1.gz' | grep -q 'asha-tune resume' &&
         zcat '$prefix/share/man/man1/asha-tune.1.gz' | grep -q 'asha-tune why' &&
         zcat '$prefix/share/man/man1/asha-tune.1.gz' | grep -q 'asha-tune serve'"
check "the bash completion is valid bash and registers asha-tune" \
  bash -c "_init_completion() { :; }; source '$prefix/share/bash-completion/completions/asha-tune' && complete -p asha-tune"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  check "completing 'asha-tune --sched' offers --scheduler" bash -c "
    source /usr/share/bash-completion/bash_completion
    source '$prefix/share/bash-completion/completions/asha-tune'
    COMP_WORDS=(asha-tune --sched); COMP_CWORD=1; COMP_LINE='asha-tune --sched'; COMP_POINT=\${#COMP_LINE}
    _asha_tune; [ \"\${COMPREPLY[*]}\" = --scheduler ]"
  check "completing 'asha-tune w' offers why, and 'asha-tune why --j' offers --json" bash -c "
    source /usr/share/bash-completion/bash_completion
    source '$prefix/share/bash-completion/completions/asha-tune'
    COMP_WORDS=(asha-tune w); COMP_CWORD=1; COMP_LINE='asha-tune w'; COMP_POINT=\${#COMP_LINE}
    _asha_tune; [ \"\${COMPREPLY[*]}\" = why ] || exit 1
    COMP_WORDS=(asha-tune why --j); COMP_CWORD=2; COMP_LINE='asha-tune why --j'; COMP_POINT=\${#COMP_LINE}
    _asha_tune; [ \"\${COMPREPLY[*]}\" = --json ]"
  check "completing 'asha-tune se' offers serve, and 'asha-tune serve --p' offers --port" bash -c "
    source /usr/share/bash-completion/bash_completion
    source '$prefix/share/bash-completion/completions/asha-tune'
    COMP_WORDS=(asha-tune se); COMP_CWORD=1; COMP_LINE='asha-tune se'; COMP_POINT=\${#COMP_LINE}
    _asha_tune; [ \"\${COMPREPLY[*]}\" = serve ] || exit 1
    COMP_WORDS=(asha-tune serve --p); COMP_CWORD=2; COMP_LINE='asha-tune serve --p'; COMP_POINT=\${#COMP_LINE}
    _asha_tune; [ \"\${COMPREPLY[*]}\" = --port ]"
fi

# Runs "$@" with the source and build trees hidden where that can be done: a private mount
# namespace as root, or inside a user namespace where unprivileged ones are allowed.
hidden=0; ns=()
if unshare --mount --propagation private true 2>/dev/null; then
  hidden=1; ns=(unshare --mount --propagation private)
elif unshare --user --map-root-user --mount --propagation private true 2>/dev/null; then
  hidden=1; ns=(unshare --user --map-root-user --mount --propagation private)
fi
isolated() {
  if [ "$hidden" = 1 ]; then
    "${ns[@]}" sh -c '
      mount -t tmpfs none "$1" && { [ -d "$2" ] && mount -t tmpfs none "$2" || true; } && shift 2 && cd "$0" && exec "$@"' \
      "$outside/cwd" "$src" "$build" "$@"
  else
    (cd "$outside/cwd" && "$@")
  fi
}
[ "$hidden" = 1 ] && pass "the source tree $src and build tree $build are hidden from the installed tool" \
                  || echo "note: no mount namespace here (not root, no user namespaces), so the trees stay visible; running from $outside/cwd"

# The installed tool on its own: a real run of an installed config, its status and report.
use_installed() {  # use_installed LABEL ROOT (ROOT/bin/asha-tune, ROOT/share/asha-tune)
  local label=$1 root=$2
  rm -rf "$outside/cwd"; mkdir -p "$outside/cwd"
  isolated sh -c '
    set -e
    ls "$2" >/dev/null 2>&1 && [ -n "$(ls -A "$2")" ] && [ "$3" = 1 ] && { echo "source tree visible"; exit 9; }
    "$1/bin/asha-tune" --version
    "$1/bin/asha-tune" --config "$1/share/asha-tune/configs/quick.json" --max-trials 6 --gpus none --json --quiet > summary.json
    ls runs/quick-*/journal.jsonl
    "$1/bin/asha-tune" status runs/quick-* > status.txt
    "$1/bin/asha-tune" report runs/quick-* -o report.html
    "$1/bin/asha-tune" simulate --config "$1/share/asha-tune/configs/synthetic.json" --max-trials 30 --quiet --json > simulated.json
    # The recorded LeNet curves are found beside the installed config.
    "$1/bin/asha-tune" simulate --config "$1/share/asha-tune/configs/lenet-small-recorded.json" --max-trials 30 --quiet --json > recorded.json
    # The dashboard serves its page from the binary alone: the URL it prints is read from a FIFO.
    mkfifo serve.fifo
    "$1/bin/asha-tune" serve runs --port 0 > serve.fifo &
    read -r banner < serve.fifo
    url=${banner#* at }; url=${url%% *}
    /usr/bin/python3 -c "import sys, urllib.request; page = urllib.request.urlopen(sys.argv[1] + \"dashboard.js\").read(); assert b\"EventSource\" in page" "$url"
    kill -INT $!; wait $!
    # Each leg runs under the installed asha-supervise (the trial names its parent).
    cat > report.txt <<"EOF2"
[tune-metric]: {"epoch": 1, "validation_error": 0.5}
EOF2
    cat > parent.json <<"EOF2"
{"name": "parent", "command": ["/bin/sh", "-c", "readlink /proc/$PPID/exe > parent.txt; cat report.txt"],
 "config_space": {"max_epochs": 1}, "metric": "validation_error", "max_resource_attr": "max_epochs",
 "stop": {"max_num_trials_started": 1}, "workers": 1, "gpus": "none"}
EOF2
    "$1/bin/asha-tune" --config parent.json --quiet > /dev/null
    [ "$(cat parent.txt)" = "$(readlink -f "$1/libexec/asha-tune/asha-supervise")" ] || { echo "the leg ran under $(cat parent.txt)"; exit 8; }
  ' sh "$root" "$src" "$hidden" >"$work/$label.out" 2>"$work/$label.err"
  local rc=$?
  if [ $rc = 0 ] && /usr/bin/python3 - "$outside/cwd" <<'PY'
import json, os, sys
cwd = sys.argv[1]
s = json.load(open(os.path.join(cwd, "summary.json")))
assert s["trials"]["started"] == 6, s
assert os.path.getsize(os.path.join(cwd, "report.html")) > 1000
json.load(open(os.path.join(cwd, "simulated.json")))
PY
  then pass "$label: a real run of the installed quick.json, status, report, simulate and serve from $outside/cwd"
  else
    fail "$label: the installed tool (exit $rc)"; echo "--- stdout"; cat "$work/$label.out"; echo "--- stderr"; cat "$work/$label.err"
  fi
}
use_installed "cmake --install" "$prefix"

# The Debian package.
if ! command -v dpkg-deb >/dev/null; then
  echo "SKIPPED the .deb part: dpkg-deb missing"
else
  if (cd "$build" && cpack -G DEB -B "$work/package" >"$work/cpack.log" 2>&1); then
    deb=$(ls "$work"/package/asha-tune_*.deb 2>/dev/null | head -1)
  else
    deb=""
  fi
  if [ -z "$deb" ]; then
    cat "$work/cpack.log"; fail "cpack -G DEB built no asha-tune_*.deb"
  else
    pass "cpack built $(basename "$deb")"
    depends=$(dpkg-deb -f "$deb" Depends)
    case "$depends" in
      *libcpp-httplib*) case "$depends" in
                           *libspdlog*libfmt*|*libfmt*libspdlog*) pass "Depends: $depends" ;;
                           *) fail "Depends misses the linked libraries: '$depends'" ;;
                         esac ;;
      *) fail "Depends misses the linked libraries: '$depends'" ;;
    esac
    dpkg-deb -c "$deb" > "$work/contents.txt"
    for f in ./usr/bin/asha-tune ./usr/libexec/asha-tune/asha-supervise ./usr/share/man/man1/asha-tune.1.gz \
             ./usr/share/asha-tune/configs/lenet-small.json \
             ./usr/share/bash-completion/completions/asha-tune ./usr/share/doc/asha-tune/README.md; do
      grep -q " $f\$" "$work/contents.txt" && pass "the .deb holds $f" || fail "the .deb lacks $f"
    done
    dpkg-deb -x "$deb" "$outside/extracted"
    refs=$(grep -rlF -e "$src" -e "$build" "$outside/extracted" 2>/dev/null || true)
    [ -z "$refs" ] && pass "no file of the .deb mentions the source or build tree" || fail "the .deb mentions the trees: $refs"
    use_installed "extracted .deb" "$outside/extracted/usr"
    if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ] && ! dpkg-query -W asha-tune >/dev/null 2>&1; then
      if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$work/apt.log" 2>&1; then
        pass "apt-get install ./$(basename "$deb")"
        check "asha-tune on PATH runs the packaged quick.json" sh -c "cd '$work' && mkdir -p apt && cd apt &&
          asha-tune --config /usr/share/asha-tune/configs/quick.json --max-trials 4 --gpus none --quiet"
        DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq asha-tune >>"$work/apt.log" 2>&1 \
          && pass "apt-get remove asha-tune" || fail "apt-get remove asha-tune"
      else
        cat "$work/apt.log"; fail "apt-get install ./$(basename "$deb")"
      fi
    fi
  fi
fi
echo "$failures failed"
[ "$failures" = 0 ] && rm -rf "$outside"
[ "$failures" = 0 ]
