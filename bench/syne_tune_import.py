"""Makes Syne Tune's `syne_tune` package at SYNE_TUNE_DIR importable for the simulator benchmarks
(bench/compare_with_syne_tune.py, bench/curves/syne_tune_on_curves.py), with Debian's python3
packages only."""
import logging
import os
import sys
import types


def use(syne_tune_dir):
    sys.path.insert(0, syne_tune_dir)
    logging.disable(logging.WARNING)
    # The blackbox repository's package __init__ imports scikit-learn for its surrogates, which
    # these do not use: its modules are imported without it.
    pkg = types.ModuleType("syne_tune.blackbox_repository")
    pkg.__path__ = [os.path.join(syne_tune_dir, "syne_tune", "blackbox_repository")]
    pkg.add_surrogate = pkg.load_blackbox = None  # used by the tabulated backends only
    sys.modules["syne_tune.blackbox_repository"] = pkg
