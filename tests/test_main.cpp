// The tests' main. Tests that run experiments inside this process (run_experiment with the
// local launcher) start each leg's supervisor from this process's own executable, as asha-tune
// does from its own where no asha-supervise lies beside it: so this binary also serves
// asha-tune's supervisor mode.

#include "supervisor/supervisor.hpp"

#include <gtest/gtest.h>

#include <string_view>

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == asha::kSuperviseMode)
        return asha::supervise_main(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
