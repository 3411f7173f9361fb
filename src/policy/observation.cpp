#include "policy/observation.hpp"

#include <cmath>
#include <limits>

namespace asha {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// A reported value as a double: NaN unless it is a JSON number (a key_value report's words
/// are strings).
double value_of(const json& fields, const std::string& name) {
    const auto it = fields.find(name);
    if (it == fields.end() || !it->is_number()) return std::numeric_limits<double>::quiet_NaN();
    return it->get<double>();
}

double beyond(double distance, double bound) {
    return distance / (bound != 0 ? std::fabs(bound) : 1.0);
}

}  // namespace

double constraint_violation(const json& fields, const std::vector<Constraint>& constraints) {
    double sum = 0;
    for (const Constraint& c : constraints) {
        const double v = value_of(fields, c.name);
        if (!std::isfinite(v)) return kInfinity;
        if (c.max && v > *c.max) sum += beyond(v - *c.max, *c.max);
        if (c.min && v < *c.min) sum += beyond(*c.min - v, *c.min);
    }
    return sum;
}

Observation observe(const Report& report, const ExperimentConfig& config) {
    Observation seen;
    seen.values.reserve(config.objectives.size());
    seen.values.push_back(report.metric);
    for (std::size_t k = 1; k < config.objectives.size(); ++k)
        seen.values.push_back(value_of(report.fields, config.objectives[k].name));
    seen.violation = constraint_violation(report.fields, config.constraints);
    return seen;
}

}  // namespace asha
