#pragma once
/// A run's identity: a random id given once, when the run is created, and kept in the journal's
/// header (`run_id`) for the run's whole life, resumes included. It names what the run leaves
/// outside its directory (Slurm job and step names), which the directory's path cannot do: two
/// runs may share a basename (runs/a/exp, runs/b/exp), and `--run-dir runs/exp/` has none.

#include <string>

namespace asha {

/// 12 lowercase hex digits (48 bits from getrandom(2)): two runs sharing an id needs about 16
/// million runs of one user's jobs alive at once.
std::string new_run_id();

/// Whether `id` looks like one of new_run_id()'s (a journal's header is checked with it).
bool valid_run_id(const std::string& id);

}  // namespace asha
