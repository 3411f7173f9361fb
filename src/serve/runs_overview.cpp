#include "serve/runs_overview.hpp"

#include "asha/run_files.hpp"
#include "report/run_summary_json.hpp"
#include "run/run_lock.hpp"
#include "run/run_reader.hpp"

#include <sys/stat.h>

namespace fs = std::filesystem;

namespace asha {

namespace {

std::string stat_key(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "-";
    return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "/" +
           std::to_string(st.st_size);
}

/// What `status` reads changed when this changed: its files, and whether a tuner holds the run.
std::string change_key(const fs::path& dir) {
    return stat_key(dir / run_files::trials) + " " + stat_key(dir / run_files::summary) + " " +
           stat_key(dir / run_files::metadata) + (RunLock::held(dir) ? " running" : "");
}

json read_entry(const ServedRun& served) {
    json entry = {{"name", served.name}};
    try {
        const RunData run = read_run(served.dir);
        const RunSummary s = summarize(run);
        entry["status"] = status_json(served.name, run, s);
        entry["experiment"] = run.config.name;
        entry["start_time"] = run.start_time;
        entry["workers"] = run.config.workers;
    } catch (const std::exception& e) {
        entry["error"] = e.what();
    }
    return entry;
}

}  // namespace

json RunsOverview::of(const ServedRun& run) {
    const std::string key = change_key(run.dir);
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(run.name);
        if (it != cache_.end() && it->second.key == key) return it->second.entry;
    }
    json entry = read_entry(run);
    std::lock_guard lock(mutex_);
    cache_[run.name] = {key, entry};
    return entry;
}

json RunsOverview::all(const RunCatalog& catalog) {
    json out = json::array();
    for (const auto& run : catalog.runs()) out.push_back(of(run));
    return out;
}

}  // namespace asha
