#include "backends/report_parser.hpp"

#include <cmath>
#include <limits>

namespace asha {

void LineSplitter::feed(std::string_view bytes, const LineHandler& on_line) {
    while (!bytes.empty()) {
        std::size_t newline = bytes.find('\n');
        std::string_view piece = bytes.substr(0, newline);
        line_end_ = position_ + (newline == std::string_view::npos ? bytes.size() : newline + 1);
        if (discarding_) {
            if (newline == std::string_view::npos) return;
            discarding_ = false;
        } else if (partial_.size() + piece.size() > max_line_) {
            partial_.append(piece.substr(0, max_line_ - partial_.size()));
            on_line(partial_, true);
            partial_.clear();
            partial_.shrink_to_fit();  // do not keep a megabyte per trial after one long line
            discarding_ = newline == std::string_view::npos;
        } else if (newline != std::string_view::npos && partial_.empty()) {
            on_line(piece, false);  // the common case: no copy
        } else {
            partial_.append(piece);
            if (newline != std::string_view::npos) {
                on_line(partial_, false);
                partial_.clear();
            }
        }
        if (newline == std::string_view::npos) {
            position_ += bytes.size();
            return;
        }
        position_ += newline + 1;
        bytes.remove_prefix(newline + 1);
    }
}

void LineSplitter::finish(const LineHandler& on_line) {
    line_end_ = position_;
    if (!partial_.empty() && !discarding_) on_line(partial_, false);
    partial_.clear();
    discarding_ = false;
}

namespace {

/// Python's json.dumps writes NaN / Infinity / -Infinity; standard JSON has no such tokens.
/// Rewrites them (outside strings) as strings that read_number() understands, and checks
/// the nesting depth so that the recursive JSON parser cannot be driven into a stack overflow.
bool normalise(std::string_view in, std::string& out, int max_depth) {
    out.clear();
    out.reserve(in.size() + 16);
    bool in_string = false;
    int depth = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        char ch = in[i];
        if (in_string) {
            out += ch;
            if (ch == '\\' && i + 1 < in.size())
                out += in[++i];
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"') in_string = true;
        if (ch == '{' || ch == '[') {
            if (++depth > max_depth) return false;
        }
        if (ch == '}' || ch == ']') --depth;
        if (in.substr(i, 3) == "NaN") {
            out += "\"NaN\"";
            i += 2;
        } else if (in.substr(i, 8) == "Infinity") {
            out += "\"Infinity\"";
            i += 7;
        } else if (in.substr(i, 9) == "-Infinity") {
            out += "\"-Infinity\"";
            i += 8;
        } else {
            out += ch;
        }
    }
    return true;
}

std::optional<double> read_number(const json& v) {
    if (v.is_number()) return v.get<double>();
    if (!v.is_string()) return std::nullopt;
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN" || s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf") return -std::numeric_limits<double>::infinity();
    return std::nullopt;
}

ParsedLine invalid(std::string kind, std::string problem) {
    ParsedLine p;
    p.kind = ParsedLine::Kind::invalid;
    p.problem_kind = std::move(kind);
    p.problem = std::move(problem);
    return p;
}

}  // namespace

ParsedLine ReportParser::parse(std::string_view line) const {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return format_ == ReportFormat::tune_metric ? parse_json(line) : parse_key_value(line);
}

ParsedLine ReportParser::parse_json(std::string_view line) const {
    std::size_t at = line.find(kPrefix);
    if (at == std::string_view::npos) return {};
    std::string_view body = line.substr(at + kPrefix.size());
    std::string text;
    if (!normalise(body, text, kMaxDepth))
        return invalid("json",
                       "report nested deeper than " + std::to_string(kMaxDepth) + " levels");
    json fields = json::parse(text, nullptr, false);
    if (fields.is_discarded())
        return invalid("json", "report is not valid JSON: " + std::string(body.substr(0, 200)));
    if (!fields.is_object())
        return invalid("json", "report is not a JSON object: " + std::string(body.substr(0, 200)));
    return finish(std::move(fields));
}

namespace {
std::string valid_utf8(std::string_view text) {
    return json::parse(json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace))
        .get<std::string>();
}
}  // namespace

ParsedLine ReportParser::parse_key_value(std::string_view line) const {
    json fields = json::object();
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t end = i;
        while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
        std::string_view token = line.substr(i, end - i);
        std::size_t eq = token.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            // Raw bytes from a trial: invalid UTF-8 becomes U+FFFD here, once, so that every
            // later writer (journal, CSV, messages) sees the same valid text.
            std::string key = valid_utf8(token.substr(0, eq));
            std::string value = valid_utf8(token.substr(eq + 1));
            char* parsed_end = nullptr;
            double number = std::strtod(value.c_str(), &parsed_end);
            if (!value.empty() && parsed_end == value.c_str() + value.size())
                fields[key] = number;
            else
                fields[key] = value;
        }
        i = end;
    }
    if (!fields.contains(metric_)) return {};
    return finish(std::move(fields));
}

ParsedLine ReportParser::finish(json fields) const {
    if (!fields.contains(metric_))
        return invalid("metric", "report without \"" + metric_ + "\": " + brief(fields));
    if (!fields.contains(resource_attr_))
        return invalid("resource", "report without \"" + resource_attr_ + "\": " + brief(fields));
    auto metric = read_number(fields[metric_]);
    if (!metric)
        return invalid("metric", "\"" + metric_ + "\" is not a number: " + brief(fields[metric_]));
    auto resource = read_number(fields[resource_attr_]);
    if (!resource || !std::isfinite(*resource) || *resource <= 0)
        return invalid("resource", "\"" + resource_attr_ + "\" is not a positive number: " +
                                       brief(fields[resource_attr_]));
    ParsedLine p;
    p.kind = ParsedLine::Kind::report;
    p.report.resource = *resource;
    p.report.metric = *metric;
    p.report.fields = std::move(fields);
    return p;
}

}  // namespace asha
