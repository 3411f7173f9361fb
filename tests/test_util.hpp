#pragma once
// Shared helpers for the tests: exact-message checks, temporary paths and files, small configs.

#include "asha/errors.hpp"
#include "asha/experiment.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

namespace fs = std::filesystem;

/// Paths temp_path() handed out during the current test: removed when it passes (the flood
/// test alone writes 200 MB), kept for a look when it fails (tuner_output.cpp).
inline std::vector<fs::path>& test_temp_paths() {
    static std::vector<fs::path> paths;
    return paths;
}

inline fs::path temp_path(const std::string& name) {
    fs::path p =
        fs::path(::testing::TempDir()) / ("asha-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    test_temp_paths().push_back(p);
    return p;
}

inline std::string write_config(const std::string& name, const json& doc) {
    fs::path p = temp_path(name + ".json");
    std::ofstream(p) << doc.dump(2);
    return p.string();
}

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

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
