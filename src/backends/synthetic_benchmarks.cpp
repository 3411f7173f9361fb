#include "backends/synthetic_benchmarks.hpp"

#include "asha/errors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace asha {

namespace {

double number_or(const Config& config, const char* name, double fallback) {
    auto it = config.find(name);
    return it != config.end() && it->is_number() ? it->get<double>() : fallback;
}

/// Uniform in [-1, 1) from a hash.
double jitter(std::uint64_t noise, std::uint64_t salt) {
    return static_cast<double>(Rng::hash(noise, salt) >> 11) * 0x1.0p-52 - 1.0;
}

class LenetBenchmark : public Benchmark {
  public:
    std::string name() const override { return "lenet"; }
    std::vector<std::string> parameters() const override { return {"learning_rate", "batch_size"}; }

    double metric(const Config& config, double epochs, std::uint64_t noise) const override {
        double lr = std::clamp(number_or(config, "learning_rate", 0.1), 1e-6, 10.0);
        double batch = std::clamp(number_or(config, "batch_size", 128), 1.0, 1e6);
        // Learning progress is SGD steps weighted by the learning rate; the sigmoid LeNet sits
        // on the 0.9 plateau until about 200 such units (measured: lr 0.9, batch 256 learns in
        // epoch 1; lr 0.02 never does in 10 epochs).
        double progress = epochs * (60000 / batch) * lr;
        double floor_error =
            std::min(0.85, 0.12 + 0.09 * std::pow(std::log10(lr / 0.7), 2) + 0.00015 * batch);
        double learned = progress <= 200 ? 0 : 1 - std::exp(-(progress - 200) / 350);
        double error = 0.9 - (0.9 - floor_error) * learned;
        return std::clamp(error + 0.004 * jitter(noise, 1), 0.0, 1.0);
    }

    double step_seconds(const Config& config, double, std::uint64_t noise) const override {
        double batch = std::clamp(number_or(config, "batch_size", 128), 1.0, 1e6);
        return (2.0 + 300 / batch) * (1 + 0.05 * jitter(noise, 2));
    }
};

class HardBenchmark : public Benchmark {
  public:
    std::string name() const override { return "hard"; }
    std::vector<std::string> parameters() const override {
        return {"learning_rate", "momentum",     "width",    "depth",
                "dropout",       "weight_decay", "optimizer"};
    }

    double metric(const Config& c, double epochs, std::uint64_t noise) const override {
        double lr = std::clamp(number_or(c, "learning_rate", 0.01), 1e-7, 10.0);
        double momentum = number_or(c, "momentum", 0.9);
        double width = std::max(1.0, number_or(c, "width", 128));
        double depth = std::max(1.0, number_or(c, "depth", 3));
        double dropout = number_or(c, "dropout", 0.2);
        double decay = std::max(1e-12, number_or(c, "weight_decay", 1e-4));
        auto optimizer = c.contains("optimizer") && c["optimizer"].is_string()
                             ? c["optimizer"].get<std::string>()
                             : "adam";
        double opt_bonus = optimizer == "adam" ? 0.0 : optimizer == "sgd" ? 0.03 : 0.015;
        // Final error: a bowl in log(lr) around 3e-3, better with capacity, dropout near 0.3.
        double final_error = 0.08 + 0.06 * std::pow(std::log10(lr / 3e-3), 2) +
                             0.5 / std::sqrt(width * depth) + 0.2 * std::pow(dropout - 0.3, 2) +
                             0.02 * std::pow(std::log10(decay / 1e-4), 2) / 4 +
                             0.05 * std::pow(momentum - 0.9, 2) + opt_bonus;
        final_error = std::min(final_error, 0.9);
        // Speed: large learning rates and shallow nets learn fast but end worse: curves cross.
        double speed = 0.15 + 2.0 * std::sqrt(lr) / std::sqrt(depth);
        double error = final_error + (0.95 - final_error) * std::pow(1 + epochs, -speed * 3);
        return std::clamp(error + 0.02 * jitter(noise, 1), 0.0, 1.0);
    }

    double step_seconds(const Config& c, double, std::uint64_t noise) const override {
        double width = std::max(1.0, number_or(c, "width", 128));
        double depth = std::max(1.0, number_or(c, "depth", 3));
        return (0.5 + width * depth / 400) * (1 + 0.2 * jitter(noise, 2));
    }
};

/// A standard normal draw from a hash (Box-Muller).
double gaussian(std::uint64_t noise, std::uint64_t salt) {
    const double u = 1.0 - static_cast<double>(Rng::hash(noise, salt) >> 11) * 0x1.0p-53;
    const double v = static_cast<double>(Rng::hash(noise, salt + 1) >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

/// The fidelity of epoch `resource` of `max_t`, in [0, 1]: 0 at the first epoch, 1 at max_t.
double fidelity(double resource, double max_t) {
    return max_t > 1 ? std::clamp((resource - 1) / (max_t - 1), 0.0, 1.0) : 1.0;
}

/// mf-prior-bench's MF-Hartmann 6 ("moderate": bias 1, noise 0.2), after Kandasamy et al. 2017:
/// Hartmann-6 over x0..x5 in [0, 1] with alpha' = alpha - bias (1 - z)^2 and noise
/// N(0, 1) noise (1 - z) at fidelity z; global minimum -3.32237 at z = 1. An evaluation at
/// epoch r of max_t costs lambda(r) = 0.05 + 0.95 (r / max_t)^2 of a full one (ibid., p. 18):
/// epochs grow dearer with fidelity.
class MfHartmannBenchmark : public Benchmark {
  public:
    explicit MfHartmannBenchmark(double max_t) : max_t_(max_t) {}
    std::string name() const override { return "mf-hartmann6"; }
    std::vector<std::string> parameters() const override {
        return {"x0", "x1", "x2", "x3", "x4", "x5"};
    }

    double metric(const Config& c, double epochs, std::uint64_t noise) const override {
        static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
        static constexpr double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                           {0.05, 10, 17, 0.1, 8, 14},
                                           {3, 3.5, 1.7, 10, 17, 8},
                                           {17, 8, 0.05, 10, 0.1, 14}};
        static constexpr double P[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                           {2329, 4135, 8307, 3736, 1004, 9991},
                                           {2348, 1451, 3522, 2883, 3047, 6650},
                                           {4047, 8828, 8732, 5743, 1091, 381}};
        const double z = fidelity(epochs, max_t_);
        double x[6];
        for (int j = 0; j < 6; ++j)
            x[j] = std::clamp(number_or(c, ("x" + std::to_string(j)).c_str(), 0.5), 0.0, 1.0);
        double h = 0;
        for (int i = 0; i < 4; ++i) {
            double inner = 0;
            for (int j = 0; j < 6; ++j) inner += A[i][j] * std::pow(x[j] - 1e-4 * P[i][j], 2);
            h -= (alpha[i] - 1.0 * (1 - z) * (1 - z)) * std::exp(-inner);
        }
        return h + gaussian(noise, 1) * 0.2 * (1 - z);
    }

    double step_seconds(const Config&, double resource, std::uint64_t) const override {
        auto cost = [&](double r) { return r <= 0 ? 0.0 : 0.05 + 0.95 * std::pow(r / max_t_, 2); };
        return 100 * (cost(resource) - cost(resource - 1));  // a full evaluation: 100 s
    }

  private:
    double max_t_;
};

/// A benchmark of two objectives: its metric and a partner it also reports (besides
/// "epoch_seconds"), for a config that names both.
class BiObjectiveBenchmark : public Benchmark {
  public:
    std::vector<std::string> extra_names() const override {
        return {"epoch_seconds", partner_name()};
    }
    double extra(const std::string& name, const Config& c, double epochs,
                 std::uint64_t noise) const override {
        return name == partner_name() ? partner(c, epochs)
                                      : Benchmark::extra(name, c, epochs, noise);
    }

  protected:
    virtual std::string partner_name() const = 0;
    /// The partner's value after `epochs` (noise-free in both benchmarks that have one).
    virtual double partner(const Config& c, double epochs) const = 0;
};

/// BoTorch's AugmentedBranin: Branin over x1 in [-5, 10], x2 in [0, 15] with a fidelity s that
/// changes the quadratic term, b - 0.1 (1 - s); s = 1 is Branin, minimum 0.397887. Epochs take
/// 1 s each. No noise.
class BraninBenchmark : public BiObjectiveBenchmark {
  public:
    explicit BraninBenchmark(double max_t) : max_t_(max_t) {}
    std::string name() const override { return "branin"; }
    std::vector<std::string> parameters() const override { return {"x1", "x2"}; }

    double metric(const Config& c, double epochs, std::uint64_t) const override {
        const double s = fidelity(epochs, max_t_);
        const double x1 = std::clamp(number_or(c, "x1", 2.5), -5.0, 10.0);
        const double x2 = std::clamp(number_or(c, "x2", 7.5), 0.0, 15.0);
        const double t1 =
            x2 - (5.1 / (4 * M_PI * M_PI) - 0.1 * (1 - s)) * x1 * x1 + 5 / M_PI * x1 - 6;
        const double t2 = 10 * (1 - 1 / (8 * M_PI)) * std::cos(x1);
        return t1 * t1 + t2 + 10;
    }

    double step_seconds(const Config&, double, std::uint64_t) const override { return 1; }

  protected:
    std::string partner_name() const override { return "currin"; }
    double partner(const Config& c, double epochs) const override {
        // Currin's exponential function on u in [0, 1]^2 (x1 in [-5, 10], x2 in [0, 15] scaled
        // as BoTorch's BraninCurrin does), at fidelity s: s f(u) + (1 - s) f_low(u), with f_low
        // the average of f at the four points 0.05 away diagonally (Xiong, Qian and Wu 2013).
        const double s = fidelity(epochs, max_t_);
        const double u1 = (std::clamp(number_or(c, "x1", 2.5), -5.0, 10.0) + 5) / 15;
        const double u2 = std::clamp(number_or(c, "x2", 7.5), 0.0, 15.0) / 15;
        const auto f = [](double a, double b) {
            const double shape = b > 0 ? 1 - std::exp(-1 / (2 * b)) : 1.0;
            return shape * (2300 * a * a * a + 1900 * a * a + 2092 * a + 60) /
                   (100 * a * a * a + 500 * a * a + 4 * a + 20);
        };
        const double low = (f(u1 + 0.05, u2 + 0.05) + f(u1 + 0.05, std::max(0.0, u2 - 0.05)) +
                            f(u1 - 0.05, u2 + 0.05) + f(u1 - 0.05, std::max(0.0, u2 - 0.05))) /
                           4;
        return s * f(u1, u2) + (1 - s) * low;
    }

  private:
    double max_t_;
};

/// The modified Park functions of Irshad, Karsch and Döpp (2021, "Expected hypervolume
/// improvement for simultaneous multi-objective and multi-fidelity optimization", BoTorch's
/// MOMFPark): two objectives, both minimised, of x1..x4 in [0, 1] at fidelity s (from the first
/// epoch to max_t). Each x is first bent, x1 -> 1 - 2 (x1 - 0.6)^2, x3 -> 1 - 3 (x3 - 0.5)^2,
/// x4 -> 1 - (x4 - 0.8)^2 (x2 is kept); then with A = 0.9 + 0.1 s and B = 0.1 (1 - s)
///   park1 = A (T1 + T2 - B) / 22 - 0.8,
///     T1 = (x1 + 0.001 (1 - s)) / 2 sqrt(1 + (x2 + x3^2) x4 / (x1^2 + 1e-4)),
///     T2 = (x1 + 3 x4) exp(1 + sin x3);
///   park2 = A (5 - 2/3 exp(x1 + x2) + A x4 sin x3 - x3 + B) / 4 - 0.7.
/// Its hypervolume reference point is (0, 0). Epochs take 1 s each. No noise.
class ParkBenchmark : public BiObjectiveBenchmark {
  public:
    explicit ParkBenchmark(double max_t) : max_t_(max_t) {}
    std::string name() const override { return "park"; }
    std::vector<std::string> parameters() const override { return {"x1", "x2", "x3", "x4"}; }

    double metric(const Config& c, double epochs, std::uint64_t) const override {
        const Point p = bent(c, epochs);
        const double t1 = (p.x1 + 1e-3 * (1 - p.s)) / 2 *
                          std::sqrt(1 + (p.x2 + p.x3 * p.x3) * p.x4 / (p.x1 * p.x1 + 1e-4));
        const double t2 = (p.x1 + 3 * p.x4) * std::exp(1 + std::sin(p.x3));
        return p.a * (t1 + t2 - p.b) / 22 - 0.8;
    }

    double step_seconds(const Config&, double, std::uint64_t) const override { return 1; }

  protected:
    std::string partner_name() const override { return "park2"; }
    double partner(const Config& c, double epochs) const override {
        const Point p = bent(c, epochs);
        const double inner =
            5 - 2.0 / 3 * std::exp(p.x1 + p.x2) + p.a * p.x4 * std::sin(p.x3) - p.x3 + p.b;
        return p.a * inner / 4 - 0.7;
    }

  private:
    struct Point {
        double x1, x2, x3, x4, s, a, b;
    };
    Point bent(const Config& c, double epochs) const {
        const auto x = [&](const char* key) {
            return std::clamp(number_or(c, key, 0.5), 0.0, 1.0);
        };
        const double s = fidelity(epochs, max_t_);
        return {1 - 2 * std::pow(x("x1") - 0.6, 2),
                x("x2"),
                1 - 3 * std::pow(x("x3") - 0.5, 2),
                1 - std::pow(x("x4") - 0.8, 2),
                s,
                0.9 + 0.1 * s,
                0.1 * (1 - s)};
    }
    double max_t_;
};

}  // namespace

double Benchmark::extra(const std::string& name, const Config& config, double resource,
                        std::uint64_t noise) const {
    if (name == "epoch_seconds") return step_seconds(config, resource, noise);
    return std::numeric_limits<double>::quiet_NaN();
}

std::vector<std::string> benchmark_names() {
    return {"lenet", "hard", "mf-hartmann6", "branin", "park"};
}

std::unique_ptr<Benchmark> make_benchmark(const std::string& name, double max_t) {
    if (name == "lenet") return std::make_unique<LenetBenchmark>();
    if (name == "hard") return std::make_unique<HardBenchmark>();
    if (name == "mf-hartmann6") return std::make_unique<MfHartmannBenchmark>(max_t);
    if (name == "branin") return std::make_unique<BraninBenchmark>(max_t);
    if (name == "park") return std::make_unique<ParkBenchmark>(max_t);
    std::string hint = closest_match(name, benchmark_names());
    throw ConfigError("unknown simulator benchmark \"" + name +
                      "\": expected one of lenet, hard, mf-hartmann6, branin, park" +
                      (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
}

}  // namespace asha
