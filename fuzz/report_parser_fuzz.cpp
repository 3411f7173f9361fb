// libFuzzer target: a trial's stdout, cut into lines and parsed into reports in both formats.
// The first byte picks the chunk size the bytes arrive in, as reads from a pipe would split them.
#include "backends/report_parser.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    asha::LineSplitter splitter(256);
    asha::ReportParser json_parser(asha::ReportFormat::tune_metric, "loss", "epoch");
    asha::ReportParser kv_parser(asha::ReportFormat::key_value, "loss", "epoch");
    auto on_line = [&](std::string_view line, bool) {
        if (line.size() > 256) std::abort();  // the splitter bounds memory per line
        for (const auto* parser : {&json_parser, &kv_parser}) {
            asha::ParsedLine parsed = parser->parse(line);
            if (parsed.kind == asha::ParsedLine::Kind::report &&
                (!parsed.report.fields.contains("epoch") || !parsed.report.fields.contains("loss")))
                std::abort();  // a report always carries its resource and metric
        }
    };
    for (std::size_t at = 0; at < bytes.size(); at += chunk)
        splitter.feed(bytes.substr(at, chunk), on_line);
    splitter.finish(on_line);
    return 0;
}
