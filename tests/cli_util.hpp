#pragma once
// Running the asha-tune executable from tests: its exit code and output, temporary paths.

#include "asha/config_space.hpp"
#include "asha/process.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asha::test {

namespace fs = std::filesystem;

struct Outcome {
    int exit_code = -1;
    std::string out, err;
};

inline std::string read_all(int fd) {
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0)
            text.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EAGAIN)
            return text;
        else {
            pollfd p{fd, POLLIN, 0};
            ::poll(&p, 1, -1);
        }
    }
}

/// Starts asha-tune with `args` in the source directory, in the background.
inline Child spawn_asha_tune(const std::vector<std::string>& args) {
    SpawnSpec spec;
    spec.argv = {ASHA_TUNE_EXE};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = current_environment();
    spec.cwd = ASHA_SOURCE_DIR;
    return spawn_child(spec);
}

/// Runs asha-tune with `args` from the source directory; both pipes are drained by threads.
inline Outcome asha_tune(std::vector<std::string> args) {
    Child child = spawn_asha_tune(args);
    Outcome o;
    std::thread err_reader([&] { o.err = read_all(child.stderr_fd.get()); });
    o.out = read_all(child.stdout_fd.get());
    err_reader.join();
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return o;
}

inline fs::path temp_path(const std::string& name) {
    fs::path p =
        fs::path(::testing::TempDir()) / ("asha-cli-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
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

}  // namespace asha::test
