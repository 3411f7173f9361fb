#pragma once
// Shared helpers for the tests: exact-message checks and small configs.

#include "asha/errors.hpp"
#include "asha/experiment.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

/// Expects `statement` to throw `type` with exactly `message` as what().
#define EXPECT_THROW_MSG(statement, type, message)                             \
    do {                                                                       \
        try {                                                                  \
            statement;                                                         \
            ADD_FAILURE() << "expected " #type " with message: " << (message); \
        } catch (const type& e) {                                              \
            EXPECT_EQ(std::string(e.what()), std::string(message));            \
        }                                                                      \
    } while (0)

namespace asha::test {

/// Waits until process `pid` (any process, not only a child) has exited, up to `timeout_ms`;
/// returns whether it did. A pidfd becomes readable when the process exits, so this waits on an
/// event rather than polling /proc.
inline bool wait_for_exit(pid_t pid, int timeout_ms) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return errno == ESRCH;  // already gone (and reaped)
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    ::close(fd);
    return ready == 1;
}

/// A valid experiment document (the book's LeNet experiment) to modify in tests.
inline json lenet_document() {
    return json::parse(R"({
      "name": "lenet-asha",
      "command": ["/usr/bin/python3", "examples/lenet/train.py"],
      "config_space": {
        "learning_rate": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
        "batch_size": {"type": "randint", "lower": 32, "upper": 256},
        "max_epochs": 10
      },
      "points_to_evaluate": [{"learning_rate": 0.1, "batch_size": 128}],
      "metric": "validation_error", "mode": "min",
      "resource_attr": "epoch", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "asha", "variant": "stopping", "grace_period": 2, "reduction_factor": 2, "brackets": 1},
      "stop": {"max_wallclock_time": 300},
      "workers": 2,
      "seed": 0
    })");
}

inline ExperimentConfig lenet_config() {
    return parse_experiment(lenet_document(), "lenet.json");
}

}  // namespace asha::test
