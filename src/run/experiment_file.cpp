// load_experiment: the config file read from disk (parse_experiment, in policy/, is pure).
#include "asha/errors.hpp"
#include "asha/experiment.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace asha {

namespace {

/// `${config_dir}` in `command`, `working_dir` and `env` values becomes the absolute directory
/// of the config file, so that a config can name the script beside it and work from any
/// directory (an installed config in /usr/share/asha-tune/configs, a copy of the repository).
/// Expanded once, as the file is read: the journal keeps absolute paths, so a resume from
/// anywhere runs the same script. simulator.curves gets the same, and a relative path there is
/// made absolute from the config file's directory.
void expand_config_dir(json& doc, const std::string& path) {
    namespace fs = std::filesystem;
    static const std::string kPlaceholder = "${config_dir}";
    const fs::path dir = fs::absolute(fs::path(path)).lexically_normal().parent_path();
    auto expand = [&](json& value) {
        if (!value.is_string()) return;
        std::string text = value.get<std::string>();
        bool leading = text.starts_with(kPlaceholder);
        bool changed = false;
        for (auto pos = text.find(kPlaceholder); pos != std::string::npos;
             pos = text.find(kPlaceholder, pos + dir.native().size())) {
            text.replace(pos, kPlaceholder.size(), dir.native());
            changed = true;
        }
        // "${config_dir}/../examples/x.py" reads better in metadata.json and error messages as
        // the path it names.
        if (leading) text = fs::path(text).lexically_normal().string();
        if (changed) value = text;
    };
    if (!doc.is_object()) return;
    if (doc.contains("command")) {
        if (doc["command"].is_array())
            for (auto& arg : doc["command"]) expand(arg);
        else
            expand(doc["command"]);
    }
    if (doc.contains("working_dir")) expand(doc["working_dir"]);
    if (doc.contains("env") && doc["env"].is_object())
        for (auto& [name, value] : doc["env"].items()) expand(value);
    // Recorded curves are data beside the config: a relative path is relative to its directory.
    if (doc.contains("simulator") && doc["simulator"].is_object() &&
        doc["simulator"].contains("curves")) {
        auto resolve = [&](json& value) {
            expand(value);
            if (value.is_string() && !value.get<std::string>().empty() &&
                fs::path(value.get<std::string>()).is_relative())
                value = (dir / value.get<std::string>()).lexically_normal().string();
        };
        json& curves = doc["simulator"]["curves"];
        if (curves.is_array())
            for (auto& source : curves) resolve(source);
        else
            resolve(curves);
    }
}

}  // namespace

ExperimentConfig load_experiment(const std::string& path, const json& overrides) {
    std::ifstream in(path);
    if (!in) throw ConfigError(path + ": cannot read the config file: " + std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    json doc;
    try {
        doc = json::parse(buffer.str());
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        auto pos = what.find("parse error");
        throw ConfigError(
            path + ": not valid JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
    }
    if (!overrides.empty()) merge_json(doc, overrides);
    expand_config_dir(doc, path);
    return parse_experiment(doc, path);
}

}  // namespace asha
