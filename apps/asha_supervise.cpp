// asha-supervise: the supervisor of one local trial leg (src/supervisor/supervisor.hpp).
// asha-tune starts it, one per leg; it is small so that a leg costs little more than its trial.
#include "supervisor/supervisor.hpp"

int main(int argc, char** argv) {
    return asha::supervise_main(argc, argv);
}
