#include "serve/run_catalog.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"

#include <fcntl.h>

#include <algorithm>
#include <functional>

namespace fs = std::filesystem;

namespace asha {

bool is_run_dir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / run_files::journal, ec);
}

RunCatalog::RunCatalog(std::vector<fs::path> roots) {
    for (const auto& root : roots) {
        std::error_code ec;
        if (!fs::is_directory(root, ec))
            throw Error(ExitCode::bad_config,
                        root.string() +
                            ": not a directory (serve shows the run directories "
                            "found under the directories it is given)");
        fs::path canonical = fs::canonical(root, ec);
        if (ec) throw Error(ExitCode::bad_config, root.string() + ": " + ec.message());
        if (std::find(roots_.begin(), roots_.end(), canonical) == roots_.end())
            roots_.push_back(canonical);
    }
    rescan();
}

void RunCatalog::rescan() {
    std::vector<ServedRun> runs;
    std::vector<fs::path> dirs;
    // With several served directories a run's name starts with its directory's name, so that
    // two runs of the same name under different directories stay apart.
    const bool prefix = roots_.size() > 1;
    for (std::size_t r = 0; r < roots_.size(); ++r) {
        const fs::path& root = roots_[r];
        const std::string head = prefix ? root.filename().string() + "-" + std::to_string(r) : "";
        auto name_of = [&](const fs::path& dir) {
            std::string rel = dir == root ? root.filename().string()
                                          : dir.lexically_relative(root).generic_string();
            return prefix ? head + "/" + rel : rel;
        };
        std::function<void(const fs::path&, int)> scan = [&](const fs::path& dir, int depth) {
            if (is_run_dir(dir)) {
                runs.push_back({name_of(dir), dir});
                return;  // a run's own subdirectories (trials/) hold no runs
            }
            dirs.push_back(dir);
            if (depth >= kMaxDepth) return;
            std::error_code ec;
            for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec),
                 end;
                 !ec && it != end; it.increment(ec)) {
                std::error_code type_ec;
                // Symlinked directories are not followed: what is served stays below the root.
                if (it->is_directory(type_ec) && !it->is_symlink(type_ec))
                    scan(it->path(), depth + 1);
            }
        };
        scan(root, 0);
    }
    std::sort(runs.begin(), runs.end(),
              [](const ServedRun& a, const ServedRun& b) { return a.name < b.name; });
    std::lock_guard lock(mutex_);
    runs_ = std::move(runs);
    dirs_ = std::move(dirs);
}

std::vector<ServedRun> RunCatalog::runs() const {
    std::lock_guard lock(mutex_);
    return runs_;
}

std::optional<fs::path> RunCatalog::find(std::string_view name) const {
    std::lock_guard lock(mutex_);
    for (const auto& run : runs_)
        if (run.name == name) return run.dir;
    return std::nullopt;
}

std::vector<std::pair<fs::path, bool>> RunCatalog::watch_dirs() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<fs::path, bool>> out;
    for (const auto& dir : dirs_) out.emplace_back(dir, false);
    for (const auto& run : runs_) out.emplace_back(run.dir, true);
    return out;
}

Fd open_inside(const fs::path& run_dir, const fs::path& relative) {
    if (relative.is_absolute()) return Fd();
    std::error_code ec;
    const fs::path resolved = fs::canonical(run_dir / relative, ec);
    if (ec) return Fd();
    // Inside means below the run directory after every symlink and `..` is resolved.
    const auto [end, _] =
        std::mismatch(run_dir.begin(), run_dir.end(), resolved.begin(), resolved.end());
    if (end != run_dir.end()) return Fd();
    return Fd(::open(resolved.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
}

}  // namespace asha
