// asha-supervise: with --keeper, the run's keeper, which supervises every local trial leg a tuner
// starts (src/supervisor/keeper.hpp); without, the supervisor of one leg, where no keeper
// answers (src/supervisor/supervisor.hpp). It is small and static: it starts fast.
#include "supervisor/supervisor.hpp"

int main(int argc, char** argv) {
    return asha::supervise_main(argc, argv);
}
