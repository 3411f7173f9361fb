// Prints the stderr of every tuner a test started (cli_util.hpp keeps it) when that test fails,
// and removes the test's temporary paths when it passes.

#include "cli_util.hpp"

#include <cstdio>

namespace {

class PrintTunerOutputOnFailure : public ::testing::EmptyTestEventListener {
    void OnTestStart(const ::testing::TestInfo&) override {
        asha::test::kept_tuner_output().clear();
    }
    void OnTestEnd(const ::testing::TestInfo& info) override {
        auto& kept = asha::test::kept_tuner_output();
        if (info.result()->Failed() && !kept.empty()) {
            std::fprintf(stderr, "%s.%s failed; the %zu tuner(s) it ran said:\n",
                         info.test_suite_name(), info.name(), kept.size());
            for (const auto& entry : kept) std::fputs(entry.c_str(), stderr);
        }
        kept.clear();
        auto& paths = asha::test::test_temp_paths();
        if (!info.result()->Failed())
            for (const auto& path : paths) {
                std::error_code ec;
                std::filesystem::remove_all(path, ec);
            }
        paths.clear();
    }
};

// Registered before main (test_main.cpp) runs the tests; gtest owns and deletes the listener.
const bool registered = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new PrintTunerOutputOnFailure);
    return true;
}();

}  // namespace
