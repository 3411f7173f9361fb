#include "asha/json_check.hpp"

#include "asha/errors.hpp"

#include <cmath>

namespace asha {

std::string brief(const json& value) {
    std::string text =
        value.is_null() ? "null" : value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

void JsonPath::fail(const std::string& message) const {
    throw ConfigError(file_ + ": " + path_ + ": " + message);
}

void JsonPath::fail_expected(const std::string& expected, const json& found) const {
    fail("expected " + expected + ", found " + brief(found));
}

void JsonPath::check_keys(const json& object, const std::vector<std::string>& allowed) const {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (const auto& key : allowed) known = known || key == it.key();
        if (known) continue;
        std::string hint = closest_match(it.key(), allowed);
        (*this / it.key())
            .fail("unknown key" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
}

double JsonPath::number(const json& value) const {
    if (!value.is_number()) fail_expected("a number", value);
    double x = value.get<double>();
    if (!std::isfinite(x)) fail_expected("a finite number", value);
    return x;
}

std::int64_t JsonPath::integer(const json& value) const {
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_number_float()) {
        double x = value.get<double>();
        if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9e15)
            return static_cast<std::int64_t>(x);
    }
    fail_expected("an integer", value);
}

double positive_number(const JsonPath& where, const json& value) {
    const double x = where.number(value);
    if (x <= 0) where.fail_expected("a number > 0", value);
    return x;
}

std::int64_t positive_integer(const JsonPath& where, const json& value) {
    const std::int64_t x = where.integer(value);
    if (x <= 0) where.fail_expected("an integer > 0", value);
    return x;
}

std::string JsonPath::string(const json& value) const {
    if (!value.is_string()) fail_expected("a string", value);
    return value.get<std::string>();
}

bool JsonPath::boolean(const json& value) const {
    if (!value.is_boolean()) fail_expected("true or false", value);
    return value.get<bool>();
}

const json& JsonPath::object(const json& value) const {
    if (!value.is_object()) fail_expected("an object", value);
    return value;
}

const json& JsonPath::array(const json& value) const {
    if (!value.is_array()) fail_expected("an array", value);
    return value;
}

}  // namespace asha
