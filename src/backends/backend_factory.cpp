#include "backends/backend_factory.hpp"

#include "asha/errors.hpp"
#include "backends/local_launcher.hpp"
#include "backends/process_backend.hpp"
#include "backends/sim_backend.hpp"
#include "backends/slurm_launcher.hpp"
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

/// The command and its working directory, for every kind of process backend.
void check_command(const ExperimentConfig& c) {
    if (c.command.empty())
        throw ConfigError(c.file +
                          ": $: missing \"command\" (the training command to run, e.g. "
                          "[\"/usr/bin/python3\", \"train.py\"]); to try the config without one, "
                          "use `asha-tune simulate`");
    if (!c.working_dir.empty() && !std::filesystem::is_directory(c.working_dir))
        throw Error(ExitCode::cannot_start, "working_dir " + c.working_dir + " is not a directory");
    if (find_executable(c.command[0], c.working_dir).empty())
        throw Error(ExitCode::cannot_start,
                    "command not found or not executable: " + c.command[0] +
                        (c.command[0].find('/') == std::string::npos ? " (searched PATH)" : ""));
}

/// The benchmark's values that the config's second and later objectives and its constraints
/// name; a name the benchmark cannot report is a ConfigError (the run would rank nothing).
std::vector<std::string> benchmark_extras(const Benchmark& benchmark, const ExperimentConfig& c) {
    std::vector<std::string> wanted;
    for (std::size_t k = 1; k < c.objectives.size(); ++k) wanted.push_back(c.objectives[k].name);
    for (const Constraint& bound : c.constraints)
        if (bound.name != c.metric &&
            std::find(wanted.begin(), wanted.end(), bound.name) == wanted.end())
            wanted.push_back(bound.name);
    const std::vector<std::string> known = benchmark.extra_names();
    for (const std::string& name : wanted)
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string list = c.metric;
            for (const std::string& k : known) list += ", " + k;
            throw ConfigError(c.file + ": the simulator's benchmark \"" + benchmark.name() +
                              "\" reports " + list +
                              " (its metric under the name of the first); it "
                              "cannot report \"" +
                              name + "\"");
        }
    return wanted;
}

ProcessBackendOptions process_options(const ExperimentConfig& c) {
    ProcessBackendOptions o;
    o.command = c.command;
    o.metric = c.metric;
    o.resource_attr = c.resource_attr;
    o.max_resource_attr = c.max_resource_attr;
    o.report_format = c.report_format;
    o.working_dir = c.working_dir;
    o.env = c.env;
    o.stop_grace_period = c.stop_grace_period;
    return o;
}

}  // namespace

BackendFactory::BackendFactory(const ExperimentConfig& config, bool simulate,
                               const RecordedCurves* recorded)
    : config_(config), simulate_(simulate), recorded_(recorded) {
    if (simulate_ && recorded_) return;  // the loader checked its columns against the config
    if (simulate_) {
        benchmark_ = make_benchmark(config.benchmark, config.max_t);
        check_benchmark_parameters(*benchmark_, config);
        sim_extras_ = benchmark_extras(*benchmark_, config);
        return;
    }
    check_command(config);
    if (config.backend.type == BackendSpec::Type::slurm)
        slurm_launcher_options(config, "", "");  // Slurm's commands are there; the mode is possible
    else
        local_ = std::make_unique<LocalLauncherOptions>(local_launcher_options(config));
}

BackendFactory::~BackendFactory() = default;

std::unique_ptr<Backend> BackendFactory::create(const std::filesystem::path& run_dir,
                                                const std::string& run_id, int wake_fd) {
    if (simulate_ && recorded_)
        return std::make_unique<SimBackend>(*recorded_, config_.metric, config_.resource_attr,
                                            config_.time_scale);
    if (simulate_)
        return std::make_unique<SimBackend>(*benchmark_, config_.metric, config_.resource_attr,
                                            config_.seed, config_.time_scale, sim_extras_);
    ProcessBackendOptions options = process_options(config_);
    options.run_dir = run_dir;
    options.wake_fd = wake_fd;
    if (config_.backend.type == BackendSpec::Type::slurm) {
        check_shared_run_dir(run_dir);
        return std::make_unique<ProcessBackend>(
            std::move(options),
            make_slurm_launcher(slurm_launcher_options(config_, run_dir, run_id)));
    }
    LocalLauncherOptions local = *local_;
    local.run_dir = run_dir;
    return std::make_unique<ProcessBackend>(std::move(options),
                                            std::make_unique<LocalLauncher>(std::move(local)));
}

}  // namespace asha
