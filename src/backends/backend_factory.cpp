#include "backends/backend_factory.hpp"

#include "asha/errors.hpp"
#include "backends/local_backend.hpp"
#include "backends/sim_backend.hpp"
#include "backends/synthetic_benchmarks.hpp"

#include <spdlog/spdlog.h>

#include <sys/vfs.h>

namespace asha {

namespace {

/// A simulation whose config space has none of the benchmark's hyperparameters would run the
/// same curve for every trial: refuse it; say which ones fall back to defaults otherwise.
void check_benchmark_parameters(const Benchmark& benchmark, const ExperimentConfig& c) {
    std::string used, missing;
    for (const auto& name : benchmark.parameters())
        (c.config_space.find(name) ? used : missing) += (name + " ");
    if (used.empty())
        throw ConfigError(
            c.file + ": $.config_space: the " + benchmark.name() + " benchmark reads " + missing +
            "and the config space has none of them (every simulated trial would be the same)");
    if (!missing.empty())
        spdlog::info("benchmark {}: {}not in config_space, default values used", benchmark.name(),
                     missing);
}

/// Slurm trials write their checkpoints and logs from the nodes: the run directory must be on
/// a filesystem they share. What can be checked here: not a memory filesystem of this machine.
void check_shared_run_dir(const std::filesystem::path& dir) {
    struct statfs fs {};
    if (::statfs(dir.c_str(), &fs) == 0 &&
        (fs.f_type == 0x01021994 /* tmpfs */ || fs.f_type == 0x858458f6 /* ramfs */))
        spdlog::warn(
            "run directory {} is on a memory filesystem of this machine: Slurm nodes "
            "other than this one cannot see it (use a shared filesystem)",
            dir.string());
    else
        spdlog::info("Slurm backend: trials run as jobs and write to {}, which every node must see",
                     dir.string());
}

}  // namespace

BackendFactory::BackendFactory(const ExperimentConfig& config, bool simulate)
    : config_(config), simulate_(simulate) {
    if (simulate_) {
        benchmark_ = make_benchmark(config.benchmark);
        check_benchmark_parameters(*benchmark_, config);
    } else {
        local_ = std::make_unique<LocalBackendOptions>(make_local_options(config));
    }
}

BackendFactory::~BackendFactory() = default;

std::unique_ptr<Backend> BackendFactory::create(const std::filesystem::path& run_dir, int wake_fd) {
    if (simulate_)
        return std::make_unique<SimBackend>(*benchmark_, config_.metric, config_.resource_attr,
                                            config_.seed, config_.time_scale);
    LocalBackendOptions options = *local_;
    options.run_dir = run_dir;
    options.job_prefix = "asha-" + run_dir.filename().string();
    options.wake_fd = wake_fd;
    if (options.slurm) check_shared_run_dir(run_dir);
    return std::make_unique<LocalBackend>(std::move(options));
}

}  // namespace asha
