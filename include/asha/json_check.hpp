#pragma once
/// Helpers to read a JSON document with errors that name the file, the JSON path, what was
/// expected and what was found, e.g.
///   configs/x.json: $.config_space.learning_rate.lower: expected a number, found "abc"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace asha {

/// Ordered: config spaces, reports and files keep the order their authors wrote.
using json = nlohmann::ordered_json;

/// A position in a JSON document: file name plus `$.a.b[2]` path.
class JsonPath {
  public:
    explicit JsonPath(std::string file, std::string path = "$")
        : file_(std::move(file)), path_(std::move(path)) {}

    JsonPath operator/(const std::string& key) const { return JsonPath(file_, path_ + "." + key); }
    JsonPath operator[](std::size_t index) const {
        return JsonPath(file_, path_ + "[" + std::to_string(index) + "]");
    }
    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }

    /// Throws ConfigError "FILE: PATH: MESSAGE".
    [[noreturn]] void fail(const std::string& message) const;
    /// Throws ConfigError "FILE: PATH: expected EXPECTED, found <value>".
    [[noreturn]] void fail_expected(const std::string& expected, const json& found) const;

    /// Rejects keys of `object` not in `allowed`, suggesting the closest allowed key.
    void check_keys(const json& object, const std::vector<std::string>& allowed) const;

    double number(const json& value) const;
    std::int64_t integer(const json& value) const;
    std::string string(const json& value) const;
    bool boolean(const json& value) const;
    const json& object(const json& value) const;
    const json& array(const json& value) const;

  private:
    std::string file_;
    std::string path_;
};

/// A finite number > 0, and an integer > 0, at `where`; anything else is a ConfigError.
double positive_number(const JsonPath& where, const json& value);
std::int64_t positive_integer(const JsonPath& where, const json& value);

/// A short rendering of a JSON value for error messages (long values are cut).
std::string brief(const json& value);

}  // namespace asha
