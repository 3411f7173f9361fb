#include "policy/space_encoding.hpp"

#include <algorithm>
#include <cmath>

namespace asha {

namespace {

double clamp01(double u) {
    return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5;
}

/// The cell (0 .. cells-1) of u in [0, 1].
std::int64_t cell_of(double u, std::int64_t cells) {
    return std::clamp(
        static_cast<std::int64_t>(std::floor(clamp01(u) * static_cast<double>(cells))),
        std::int64_t{0}, cells - 1);
}

double number(const json& v) {
    return v.is_number() ? v.get<double>() : 0.0;
}

/// Grid index of value `v` of a finrange / logfinrange domain (the nearest grid point).
std::int64_t grid_index(const Domain& d, double v) {
    if (d.size <= 1) return 0;
    const bool log = d.type == DomainType::logfinrange;
    const double lo = log ? std::log(d.lower) : d.lower, hi = log ? std::log(d.upper) : d.upper;
    const double x = log ? std::log(std::max(v, 1e-300)) : v;
    const double t = hi == lo ? 0.0 : (x - lo) / (hi - lo);
    return std::clamp(static_cast<std::int64_t>(std::llround(t * static_cast<double>(d.size - 1))),
                      std::int64_t{0}, d.size - 1);
}

}  // namespace

SpaceEncoding::SpaceEncoding(const ConfigSpace& space) : space_(space) {
    for (std::size_t i = 0; i < space_.params().size(); ++i) {
        const Domain& d = space_.params()[i].second;
        if (d.type == DomainType::constant) continue;
        dims_.push_back({i, d.type == DomainType::choice ? static_cast<int>(d.choices.size()) : 0});
    }
}

std::vector<double> SpaceEncoding::encode(const Config& config) const {
    std::vector<double> x;
    x.reserve(dims_.size());
    for (const Dim& dim : dims_) {
        const auto& [name, d] = space_.params()[dim.param];
        const json& v = config.contains(name) ? config[name] : d.midpoint();
        switch (d.type) {
            case DomainType::uniform:
                x.push_back(d.upper == d.lower ? 0.5 : (number(v) - d.lower) / (d.upper - d.lower));
                break;
            case DomainType::loguniform:
                x.push_back(d.upper == d.lower
                                ? 0.5
                                : std::log(number(v) / d.lower) / std::log(d.upper / d.lower));
                break;
            case DomainType::randint: {
                const double cells = d.upper - d.lower + 1;
                x.push_back((number(v) - d.lower + 0.5) / cells);
                break;
            }
            case DomainType::lograndint: {
                // Integer k owns [log k, log(k + 1)) of [log lower, log(upper + 1)).
                const double k = number(v);
                const double centre = (std::log(k) + std::log(k + 1)) / 2;
                x.push_back((centre - std::log(d.lower)) /
                            (std::log(d.upper + 1) - std::log(d.lower)));
                break;
            }
            case DomainType::finrange:
            case DomainType::logfinrange:
                x.push_back((static_cast<double>(grid_index(d, number(v))) + 0.5) /
                            static_cast<double>(d.size));
                break;
            case DomainType::choice: {
                auto it = std::find(d.choices.begin(), d.choices.end(), v);
                x.push_back(
                    static_cast<double>(it == d.choices.end() ? 0 : it - d.choices.begin()));
                break;
            }
            case DomainType::constant:
                break;
        }
        if (!categorical(x.size() - 1)) x.back() = clamp01(x.back());
    }
    return x;
}

Config SpaceEncoding::decode(const std::vector<double>& x) const {
    Config config = Config::object();
    std::size_t next = 0;
    for (std::size_t i = 0; i < space_.params().size(); ++i) {
        const auto& [name, d] = space_.params()[i];
        if (d.type == DomainType::constant) {
            config[name] = d.value;
            continue;
        }
        const double u = x.at(next++);
        switch (d.type) {
            case DomainType::uniform:
                config[name] =
                    std::clamp(d.lower + clamp01(u) * (d.upper - d.lower), d.lower, d.upper);
                break;
            case DomainType::loguniform:
                config[name] = std::clamp(
                    std::exp(std::log(d.lower) + clamp01(u) * std::log(d.upper / d.lower)), d.lower,
                    d.upper);
                break;
            case DomainType::randint: {
                const auto cells = static_cast<std::int64_t>(d.upper - d.lower) + 1;
                config[name] = static_cast<std::int64_t>(d.lower) + cell_of(u, cells);
                break;
            }
            case DomainType::lograndint: {
                const double k = std::floor(std::exp(
                    std::log(d.lower) + clamp01(u) * (std::log(d.upper + 1) - std::log(d.lower))));
                config[name] = static_cast<std::int64_t>(std::clamp(k, d.lower, d.upper));
                break;
            }
            case DomainType::finrange:
            case DomainType::logfinrange:
                config[name] = d.grid_value(cell_of(u, d.size));
                break;
            case DomainType::choice: {
                const auto k =
                    std::clamp(static_cast<std::int64_t>(std::llround(u)), std::int64_t{0},
                               static_cast<std::int64_t>(d.choices.size()) - 1);
                config[name] = d.choices[static_cast<std::size_t>(k)];
                break;
            }
            case DomainType::constant:
                break;
        }
    }
    return config;
}

}  // namespace asha
