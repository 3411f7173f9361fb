#pragma once
/// The search space: one domain per hyperparameter, sampling, midpoints and JSON parsing.
/// Pure code: randomness comes in through `Rng`.

#include "asha/json_check.hpp"
#include "asha/rng.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace asha {

/// One configuration: hyperparameter name -> value, in the order of the config space.
using Config = json;

enum class DomainType {
    uniform,
    loguniform,
    randint,
    lograndint,
    choice,
    finrange,
    logfinrange,
    constant
};

const char* to_string(DomainType type);

/// The set of values one hyperparameter can take.
struct Domain {
    DomainType type = DomainType::constant;
    double lower = 0;
    double upper = 0;
    std::int64_t size = 0;      ///< finrange / logfinrange: number of grid points
    bool cast_int = false;      ///< finrange / logfinrange: values are integers
    std::vector<json> choices;  ///< choice
    json value;                 ///< constant

    /// A random value of this domain.
    json sample(Rng& rng) const;
    /// The value used to complete a partial point: midpoint of the range (geometric midpoint
    /// for log domains), the middle grid point or choice, or the constant.
    json midpoint() const;
    /// Whether `v` is a value of this domain (used to check points_to_evaluate).
    bool contains(const json& v) const;
    bool is_log() const;
    bool is_integer() const;
    /// Grid point `index` of a finrange / logfinrange domain.
    json grid_value(std::int64_t index) const;

    static Domain parse(const json& spec, const JsonPath& where);
};

class ConfigSpace {
  public:
    ConfigSpace() = default;

    static ConfigSpace parse(const json& spec, const JsonPath& where);

    void add(std::string name, Domain domain) {
        params_.emplace_back(std::move(name), std::move(domain));
    }
    const std::vector<std::pair<std::string, Domain>>& params() const { return params_; }
    const Domain* find(const std::string& name) const;
    std::vector<std::string> names() const;

    Config sample(Rng& rng) const;
    /// Completes a partial point with midpoints; every given value must lie in its domain.
    Config complete(const json& partial, const JsonPath& where) const;

  private:
    std::vector<std::pair<std::string, Domain>> params_;
};

/// Writes a value for argv, CSV or a table: integers without a decimal point, floats as the
/// shortest text that reads back to the same double, strings unquoted.
std::string format_value(const json& value);

}  // namespace asha
