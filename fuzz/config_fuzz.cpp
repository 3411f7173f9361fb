// libFuzzer target: the experiment config parser. Any input must give a config or a
// ConfigError (a message naming the JSON path); anything else (another exception, a crash,
// undefined behaviour) is a finding.
#include "asha/errors.hpp"
#include "asha/experiment.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    asha::json doc = asha::json::parse(text, nullptr, false);
    if (doc.is_discarded()) return 0;
    try {
        asha::ExperimentConfig config = asha::parse_experiment(doc, "fuzz.json");
        (void)config;
    } catch (const asha::ConfigError&) {
    }
    return 0;
}
