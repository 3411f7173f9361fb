#!/usr/bin/env bash
# Installs what asha-tune needs, from Debian 12 packages only. Idempotent: packages already
# present are skipped without touching apt.
#   scripts/install-deps.sh          what the quick start needs: the compiler, CMake and the
#                                    libraries the tool links, help2man (its man page), and
#                                    PyTorch + Fashion-MNIST for examples/lenet
#   scripts/install-deps.sh --build  the tool alone (no PyTorch)
#   scripts/install-deps.sh --test   all of the above and what the test suite uses: GoogleTest,
#                                    Google Benchmark, Chromium (the report's browser test),
#                                    clang with libFuzzer (scripts/fuzz.sh), clang-format (ctest
#                                    format), Slurm (tests/slurm/), bash-completion
#                                    (tests/install/)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libcli11-dev nlohmann-json3-dev libspdlog-dev
            libfmt-dev libcpp-httplib-dev zlib1g-dev help2man python3)
example_pkgs=(python3-torch python3-numpy dataset-fashion-mnist)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev chromium clang clang-format
           libclang-rt-14-dev slurmctld slurmd slurm-client munge bash-completion)

case "${1:-}" in
  "") want=("${build_pkgs[@]}" "${example_pkgs[@]}") ;;
  --build) want=("${build_pkgs[@]}") ;;
  --test|--examples) want=("${build_pkgs[@]}" "${example_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [--build|--test]" >&2; exit 2 ;;
esac

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
