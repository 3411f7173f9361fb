#pragma once
/// Synthetic training curves for the simulated backend: (config, resource) -> (metric, seconds).
/// Deterministic: noise is a hash of (seed, trial, resource), never of the order of events.

#include "asha/config_space.hpp"
#include "asha/trial.hpp"

#include <memory>
#include <string>
#include <vector>

namespace asha {

class Benchmark {
  public:
    virtual ~Benchmark() = default;
    virtual std::string name() const = 0;
    /// The hyperparameters it reads (others are ignored; missing ones take a default).
    virtual std::vector<std::string> parameters() const = 0;
    /// The metric after `resource` epochs of training.
    virtual double metric(const Config& config, double resource, std::uint64_t noise) const = 0;
    /// Seconds the epoch that reaches `resource` takes.
    virtual double step_seconds(const Config& config, double resource,
                                std::uint64_t noise) const = 0;
    /// The other values it can report beside its metric, when a config names them as an
    /// objective or a constraint: every benchmark has "epoch_seconds" (the time of the epoch, the
    /// one the virtual clock advances by); "branin" has "currin" and "park" has "park2" (their
    /// bi-objective partners).
    virtual std::vector<std::string> extra_names() const { return {"epoch_seconds"}; }
    /// The value of extra_names()'s `name` after `resource` epochs (the same `noise` as metric).
    virtual double extra(const std::string& name, const Config& config, double resource,
                         std::uint64_t noise) const;
};

/// "lenet": the book's LeNet on Fashion-MNIST (learning_rate, batch_size): a 0.9 error plateau
/// whose length depends on lr * steps, then decay to an lr-dependent floor; epochs of small
/// batches take longer. "hard": seven hyperparameters, noisy, crossing curves (fast starters
/// end worse) and epoch times that vary 20x across configurations.
/// "mf-hartmann6": mf-prior-bench's MF-Hartmann 6 (x0..x5), "branin": BoTorch's AugmentedBranin
/// (x1, x2); their fidelity runs from the first epoch to `max_t` (synthetic_benchmarks.cpp).
/// "branin" also reports "currin": the multi-fidelity Currin function of Xiong et al. 2013 on the
/// same (x1, x2), rescaled to [0, 1]^2 as BoTorch's BraninCurrin does (a bi-objective pair).
/// "park": the multi-fidelity modified Park functions of Irshad et al. 2021 (x1..x4), its metric
/// the first and "park2" the second (another bi-objective pair).
std::unique_ptr<Benchmark> make_benchmark(const std::string& name, double max_t = 0);
std::vector<std::string> benchmark_names();

}  // namespace asha
