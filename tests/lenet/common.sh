# Shared by the LeNet end-to-end tests: skip (exit 77) where PyTorch or the data set is missing,
# except in CI, where scripts/install-deps.sh --test has installed them and a skip would hide
# a broken install.
require_lenet_deps() {
  local missing=""
  /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null || missing="python3-torch"
  [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing="$missing dataset-fashion-mnist"
  if [ -n "$missing" ]; then
    if [ "${CI:-}" = "true" ]; then echo "FAIL: missing $missing in CI"; exit 1; fi
    echo "SKIP: missing $missing (scripts/install-deps.sh --test installs it)"; exit 77
  fi
}
