// libFuzzer target: journal replay. The input is the body of a journal (its records) after a
// fixed header of a small simulated experiment; it is parsed, replayed through a fresh tuner
// and scheduler (asha-tune resume), and the run is then carried on to its end. Any input must
// resume or give an Error naming the journal line; nothing else may happen.
#include "asha/errors.hpp"
#include "asha/rng.hpp"
#include "asha/scheduler.hpp"
#include "asha/tuner.hpp"
#include "backends/sim_backend.hpp"
#include "backends/synthetic_benchmarks.hpp"
#include "run/journal.hpp"

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const char* kHeader = R"({"event":"run","journal_version":1,"backend":"simulate","config":{
  "name": "fuzz",
  "config_space": {"learning_rate": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
                   "batch_size": {"type": "randint", "lower": 32, "upper": 256}, "max_epochs": 9},
  "metric": "validation_error", "resource_attr": "epoch", "max_resource_attr": "max_epochs",
  "scheduler": {"type": "asha", "variant": "promotion", "grace_period": 1, "reduction_factor": 3,
                "brackets": 2},
  "stop": {"max_num_trials_started": 12}, "workers": 3, "max_retries": 1,
  "trial_timeout": 50, "seed": 1}})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    spdlog::set_level(spdlog::level::off);
    std::string header = kHeader;
    std::erase(header, '\n');
    std::string text = header + "\n" + std::string(reinterpret_cast<const char*>(data), size);
    try {
        asha::JournalContents journal = asha::parse_journal(text, "journal.jsonl");
        asha::ExperimentConfig config =
            asha::parse_experiment(journal.header.config, "journal.jsonl");
        auto benchmark = asha::make_benchmark("lenet");
        asha::Rng rng(config.seed);
        auto scheduler = asha::make_scheduler(config, rng);
        asha::SimBackend backend(*benchmark, config.metric, config.resource_attr, config.seed);
        asha::Tuner tuner(config, *scheduler, backend);
        asha::ReplayResult replay = tuner.restore(journal);
        if (!replay.finished) tuner.run();
    } catch (const asha::Error&) {
    }
    return 0;
}
