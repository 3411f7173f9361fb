#!/usr/bin/env bash
# Installs everything asha-tune needs to build, test and run its examples, from Debian 12
# packages only. Idempotent: packages already present are skipped without touching apt.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --examples also PyTorch and Fashion-MNIST (examples/lenet, its tests),
#                                      Chromium (the browser test of the HTML report) and clang
#                                      with libFuzzer (scripts/fuzz.sh), and Slurm (tests/slurm/)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libcli11-dev nlohmann-json3-dev libspdlog-dev
            libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev python3)
example_pkgs=(python3-torch python3-numpy dataset-fashion-mnist chromium clang libclang-rt-14-dev
              slurmctld slurmd slurm-client munge)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--examples" ]]; then
  want+=("${example_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
