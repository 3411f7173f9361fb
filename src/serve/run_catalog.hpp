#pragma once
/// The run directories `asha-tune serve` shows: every directory holding a journal.jsonl found
/// under the served directories (to a depth of kMaxDepth), each under a name that pages and
/// URLs use. A request names a run only by that name, looked up here: the server never builds a
/// path from what a request says, so `..`, encoded slashes and absolute paths cannot reach a
/// file outside a served run (open_inside() guards the files within one against symlinks).

#include "sys/fd.hpp"

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asha {

struct ServedRun {
    std::string name;           ///< its path below the served directory ("lenet-2026-...")
    std::filesystem::path dir;  ///< canonical
};

class RunCatalog {
  public:
    /// How deep below a served directory runs are looked for (runs/project/run: 2).
    static constexpr int kMaxDepth = 3;

    /// Error(bad_config) naming a directory that does not exist or is not one.
    explicit RunCatalog(std::vector<std::filesystem::path> roots);

    /// Looks for runs again (a run was created or deleted); thread-safe.
    void rescan();
    /// The runs found by the last scan, by name.
    std::vector<ServedRun> runs() const;
    /// The directory of the run called `name`, if there is one.
    std::optional<std::filesystem::path> find(std::string_view name) const;
    /// The directories to watch: the served ones and the directories below them where a run
    /// may appear (false), and every run directory (true), as the last scan found them.
    std::vector<std::pair<std::filesystem::path, bool>> watch_dirs() const;
    const std::vector<std::filesystem::path>& roots() const { return roots_; }

  private:
    std::vector<std::filesystem::path> roots_;  // canonical
    mutable std::mutex mutex_;
    std::vector<ServedRun> runs_;
    std::vector<std::filesystem::path> dirs_;  // non-run directories scanned
};

/// Whether `dir` is a run directory (it holds a journal.jsonl).
bool is_run_dir(const std::filesystem::path& dir);

/// Opens `relative` inside the run directory `run_dir` for reading, or an invalid Fd when it is
/// missing or resolves (through a symlink or `..`) to a place outside the run directory.
Fd open_inside(const std::filesystem::path& run_dir, const std::filesystem::path& relative);

}  // namespace asha
