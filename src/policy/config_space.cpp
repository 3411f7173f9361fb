#include "asha/config_space.hpp"

#include "asha/errors.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace asha {

const char* to_string(DomainType type) {
    switch (type) {
        case DomainType::uniform:
            return "uniform";
        case DomainType::loguniform:
            return "loguniform";
        case DomainType::randint:
            return "randint";
        case DomainType::lograndint:
            return "lograndint";
        case DomainType::choice:
            return "choice";
        case DomainType::finrange:
            return "finrange";
        case DomainType::logfinrange:
            return "logfinrange";
        case DomainType::constant:
            return "constant";
    }
    return "?";
}

namespace {

const std::vector<std::string> kDomainTypes = {"uniform", "loguniform", "randint",     "lograndint",
                                               "choice",  "finrange",   "logfinrange", "constant"};

json integral(double x) {
    return json(static_cast<std::int64_t>(std::llround(x)));
}

}  // namespace

bool Domain::is_log() const {
    return type == DomainType::loguniform || type == DomainType::lograndint ||
           type == DomainType::logfinrange;
}

bool Domain::is_integer() const {
    return type == DomainType::randint || type == DomainType::lograndint ||
           ((type == DomainType::finrange || type == DomainType::logfinrange) && cast_int);
}

json Domain::grid_value(std::int64_t index) const {
    double t = size == 1 ? 0.0 : static_cast<double>(index) / static_cast<double>(size - 1);
    double x = type == DomainType::logfinrange
                   ? std::exp(std::log(lower) + t * (std::log(upper) - std::log(lower)))
                   : lower + t * (upper - lower);
    if (index == size - 1) x = upper;  // no rounding drift at the end of the grid
    return cast_int ? integral(x) : json(x);
}

json Domain::sample(Rng& rng) const {
    switch (type) {
        case DomainType::uniform:
            return json(lower + rng.uniform01() * (upper - lower));
        case DomainType::loguniform:
            return json(
                std::exp(std::log(lower) + rng.uniform01() * (std::log(upper) - std::log(lower))));
        case DomainType::randint: {
            auto lo = static_cast<std::int64_t>(lower);
            auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(upper) - lo) + 1;
            return json(lo + static_cast<std::int64_t>(rng.below(span)));
        }
        case DomainType::lograndint: {
            // Log-uniform over [lower, upper + 1), floored: every integer in [lower, upper] is
            // possible and each has probability proportional to log((k + 1) / k).
            double u = std::log(lower) + rng.uniform01() * (std::log(upper + 1) - std::log(lower));
            double x = std::floor(std::exp(u));
            return integral(std::clamp(x, lower, upper));
        }
        case DomainType::choice:
            return choices[rng.below(choices.size())];
        case DomainType::finrange:
        case DomainType::logfinrange:
            return grid_value(
                static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(size))));
        case DomainType::constant:
            return value;
    }
    return value;
}

json Domain::midpoint() const {
    switch (type) {
        case DomainType::uniform:
            return json((lower + upper) / 2);
        case DomainType::loguniform:
            return json(std::sqrt(lower * upper));
        case DomainType::randint:
            return integral(std::floor((lower + upper) / 2));
        case DomainType::lograndint:
            return integral(std::floor(std::sqrt(lower * upper)));
        case DomainType::choice:
            return choices[(choices.size() - 1) / 2];
        case DomainType::finrange:
        case DomainType::logfinrange:
            return grid_value((size - 1) / 2);
        case DomainType::constant:
            return value;
    }
    return value;
}

bool Domain::contains(const json& v) const {
    switch (type) {
        case DomainType::uniform:
        case DomainType::loguniform:
            return v.is_number() && v.get<double>() >= lower && v.get<double>() <= upper;
        case DomainType::randint:
        case DomainType::lograndint:
            return v.is_number_integer() && v.get<double>() >= lower && v.get<double>() <= upper;
        case DomainType::choice:
            for (const auto& c : choices)
                if (c == v) return true;
            return false;
        case DomainType::finrange:
        case DomainType::logfinrange:
            if (!v.is_number()) return false;
            for (std::int64_t i = 0; i < size; ++i) {
                double g = grid_value(i).get<double>();
                if (std::fabs(g - v.get<double>()) <= 1e-9 * std::max(1.0, std::fabs(g)))
                    return true;
            }
            return false;
        case DomainType::constant:
            return v == value;
    }
    return false;
}

Domain Domain::parse(const json& spec, const JsonPath& where) {
    Domain d;
    if (!spec.is_object()) {
        if (spec.is_null()) where.fail_expected("a domain object or a constant value", spec);
        d.value = spec;
        return d;
    }
    if (!spec.contains("type"))
        where.fail(
            "expected a domain with a \"type\" (one of uniform, loguniform, "
            "randint, lograndint, choice, finrange, logfinrange, constant)");
    std::string type = (where / "type").string(spec["type"]);
    bool found = false;
    for (std::size_t i = 0; i < kDomainTypes.size(); ++i) {
        if (kDomainTypes[i] == type) {
            d.type = static_cast<DomainType>(i);
            found = true;
        }
    }
    if (!found) {
        std::string hint = closest_match(type, kDomainTypes);
        (where / "type")
            .fail(
                "expected one of uniform, loguniform, randint, lograndint, choice, finrange, "
                "logfinrange, constant, found \"" +
                type + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    switch (d.type) {
        case DomainType::constant:
            where.check_keys(spec, {"type", "value"});
            if (!spec.contains("value")) where.fail("a constant needs a \"value\"");
            d.value = spec["value"];
            return d;
        case DomainType::choice: {
            where.check_keys(spec, {"type", "categories"});
            if (!spec.contains("categories"))
                where.fail("a choice needs \"categories\": [values...]");
            const json& cats = (where / "categories").array(spec["categories"]);
            if (cats.empty())
                (where / "categories").fail("expected a non-empty array of values, found []");
            for (std::size_t i = 0; i < cats.size(); ++i) {
                if (!cats[i].is_number() && !cats[i].is_string() && !cats[i].is_boolean())
                    (where / "categories")[i].fail_expected("a number, string or boolean", cats[i]);
                d.choices.push_back(cats[i]);
            }
            return d;
        }
        default:
            break;
    }
    bool grid = d.type == DomainType::finrange || d.type == DomainType::logfinrange;
    if (grid)
        where.check_keys(spec, {"type", "lower", "upper", "size", "cast_int"});
    else
        where.check_keys(spec, {"type", "lower", "upper"});
    for (const char* key : {"lower", "upper"})
        if (!spec.contains(key))
            where.fail(std::string("a ") + type + " domain needs \"" + key + "\"");
    bool integer = d.type == DomainType::randint || d.type == DomainType::lograndint;
    if (integer) {
        d.lower = static_cast<double>((where / "lower").integer(spec["lower"]));
        d.upper = static_cast<double>((where / "upper").integer(spec["upper"]));
    } else {
        d.lower = (where / "lower").number(spec["lower"]);
        d.upper = (where / "upper").number(spec["upper"]);
    }
    if (d.is_log() && d.lower <= 0)
        (where / "lower").fail_expected("a number > 0 for a log domain", spec["lower"]);
    if (integer ? d.lower > d.upper : d.lower >= d.upper)
        (where / "lower")
            .fail_expected(std::string(integer ? "a value <= upper (" : "a value < upper (") +
                               brief(spec["upper"]) + ")",
                           spec["lower"]);
    if (grid) {
        if (!spec.contains("size")) where.fail(std::string("a ") + type + " domain needs \"size\"");
        d.size = (where / "size").integer(spec["size"]);
        if (d.size < 2) (where / "size").fail_expected("an integer >= 2", spec["size"]);
        if (spec.contains("cast_int")) d.cast_int = (where / "cast_int").boolean(spec["cast_int"]);
    }
    return d;
}

ConfigSpace ConfigSpace::parse(const json& spec, const JsonPath& where) {
    where.object(spec);
    if (spec.empty()) where.fail("expected at least one hyperparameter, found {}");
    ConfigSpace space;
    for (auto it = spec.begin(); it != spec.end(); ++it)
        space.add(it.key(), Domain::parse(it.value(), where / it.key()));
    return space;
}

const Domain* ConfigSpace::find(const std::string& name) const {
    for (const auto& [n, d] : params_)
        if (n == name) return &d;
    return nullptr;
}

std::vector<std::string> ConfigSpace::names() const {
    std::vector<std::string> out;
    for (const auto& p : params_) out.push_back(p.first);
    return out;
}

Config ConfigSpace::sample(Rng& rng) const {
    Config config = Config::object();
    for (const auto& [name, domain] : params_) config[name] = domain.sample(rng);
    return config;
}

Config ConfigSpace::complete(const json& partial, const JsonPath& where) const {
    where.object(partial);
    where.check_keys(partial, names());
    Config config = Config::object();
    for (const auto& [name, domain] : params_) {
        if (!partial.contains(name)) {
            config[name] = domain.midpoint();
            continue;
        }
        const json& v = partial[name];
        if (!domain.contains(v))
            (where / name)
                .fail_expected(std::string("a value in the ") + to_string(domain.type) +
                                   " domain of \"" + name + "\"",
                               v);
        config[name] = v;
    }
    return config;
}

std::string format_value(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_integer()) return value.dump();
    if (value.is_number_float()) {
        double x = value.get<double>();
        if (std::isnan(x)) return "nan";
        if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
        // Whole numbers as such: epoch 300000, not the shorter 3e+05.
        if (x == std::trunc(x) && std::abs(x) < 1e15)
            return std::to_string(static_cast<std::int64_t>(x));
        char buf[64];
        auto result = std::to_chars(buf, buf + sizeof buf, x);
        return std::string(buf, result.ptr);
    }
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace asha
