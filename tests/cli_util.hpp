#pragma once
// Running the asha-tune executable from tests: its exit code and output (the temporary paths
// and files are test_util.hpp's).

#include "asha/config_space.hpp"
#include "backends/process.hpp"
#include "test_util.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
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
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            return text;
        else if (errno == EAGAIN) {
            pollfd p{fd, POLLIN, 0};
            ::poll(&p, 1, -1);
        }
    }
}

/// What the tuners a test started wrote on stderr, with their command lines and exit codes:
/// printed when the test fails (tuner_output.cpp), so that no failure loses the tuner's own
/// account of it (a sanitizer report, an error message, a warning).
inline std::vector<std::string>& kept_tuner_output() {
    static std::vector<std::string> kept;
    return kept;
}

inline void keep_tuner_output(const std::vector<std::string>& args, const std::string& how,
                              const std::string& err) {
    std::string line = "asha-tune";
    for (const auto& a : args) line += " " + a;
    kept_tuner_output().push_back("--- " + line + " (" + how + "), its stderr:\n" + err +
                                  (err.empty() || err.back() == '\n' ? "" : "\n") + "---\n");
}

/// asha-tune started in the background from the source directory. A thread drains its stdout
/// and stderr (so it never blocks on a full pipe and never writes into a closed one); wait()
/// returns its exit code (128 + N when killed by signal N, as a shell reports it). Its stderr is
/// kept for the test's failure message. One not waited for is SIGKILLed when destroyed.
class BackgroundTuner {
  public:
    /// `env`: "KEY=value" entries added to (or replacing those of) the test's environment.
    explicit BackgroundTuner(std::vector<std::string> args,
                             const std::vector<std::string>& env = {})
        : args_(std::move(args)) {
        SpawnSpec spec;
        spec.argv = {ASHA_TUNE_EXE};
        spec.argv.insert(spec.argv.end(), args_.begin(), args_.end());
        spec.env = current_environment();
        for (const auto& entry : env) {
            const std::string key = entry.substr(0, entry.find('=') + 1);
            std::erase_if(spec.env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
            spec.env.push_back(entry);
        }
        spec.cwd = ASHA_SOURCE_DIR;
        child_ = spawn_child(spec);
        drain_ = std::thread([this] {
            std::thread err_reader([this] { err_ = read_all(child_.stderr_fd.get()); });
            out_ = read_all(child_.stdout_fd.get());
            err_reader.join();
        });
    }
    ~BackgroundTuner() {
        if (exit_code_ < 0) {
            ::kill(child_.pid, SIGKILL);
            wait();
        }
    }
    BackgroundTuner(const BackgroundTuner&) = delete;
    BackgroundTuner& operator=(const BackgroundTuner&) = delete;

    pid_t pid() const { return child_.pid; }
    /// Readable once the tuner has exited.
    int pidfd() const { return child_.pidfd.get(); }
    void signal(int sig) const { ::kill(child_.pid, sig); }

    /// Waits for the exit; returns the exit code (128 + N for signal N).
    int wait() {
        if (exit_code_ >= 0) return exit_code_;
        int status = 0;
        while (::waitpid(child_.pid, &status, 0) < 0 && errno == EINTR) {
        }
        drain_.join();
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        keep_tuner_output(args_,
                          WIFEXITED(status)
                              ? "exit " + std::to_string(exit_code_)
                              : "killed by signal " + std::to_string(WTERMSIG(status)),
                          err_);
        return exit_code_;
    }
    /// After wait(): what it wrote.
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

  private:
    std::vector<std::string> args_;
    Child child_;
    std::thread drain_;
    std::string out_, err_;
    int exit_code_ = -1;
};

/// Runs asha-tune with `args` (and `env`, as BackgroundTuner) from the source directory to its
/// end.
inline Outcome asha_tune(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    BackgroundTuner tuner(std::move(args), env);
    Outcome o;
    o.exit_code = tuner.wait();
    o.out = tuner.out();
    o.err = tuner.err();
    return o;
}

/// Records of the run's progress in a journal: trials started, reports, legs ended (a resume's
/// own records do not count, so that kills land while trials run, not only right after a
/// resume).
inline std::size_t progress_records(const std::string& text) {
    std::size_t n = 0;
    for (const char* event : {"\"event\":\"start\"", "\"event\":\"report\"", "\"event\":\"exit\""})
        for (auto at = text.find(event); at != std::string::npos; at = text.find(event, at + 1))
            ++n;
    return n;
}

/// Waits until the text of `journal` satisfies `done` or the tuner (`pidfd`) exits, whichever
/// comes first, woken by inotify as the tuner writes (no sleeping); gives up after 30 s
/// without any change. Returns whether `done` came true.
inline bool wait_for_journal(const fs::path& journal,
                             const std::function<bool(const std::string&)>& done, int pidfd) {
    Fd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    const fs::path dir = journal.parent_path();
    bool watching_dir = false;
    ::inotify_add_watch(watch.get(), dir.parent_path().c_str(), IN_CREATE);
    for (;;) {
        if (!watching_dir && fs::exists(dir))
            watching_dir =
                ::inotify_add_watch(watch.get(), dir.c_str(), IN_MODIFY | IN_CREATE) >= 0;
        if (done(read_file(journal))) return true;
        pollfd fds[2] = {{watch.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
        int n = ::poll(fds, 2, 30000);
        if (n <= 0) return false;
        if (fds[1].revents) return done(read_file(journal));  // exited: its last word
        char buf[4096];
        while (::read(watch.get(), buf, sizeof buf) > 0) {
        }
    }
}

/// Waits until the text of `path` satisfies `done`, woken by inotify; false after 30 s
/// without any change.
inline bool wait_for_change(const fs::path& path,
                            const std::function<bool(const std::string&)>& done) {
    return wait_for_journal(path, done, -1);
}

/// Waits until `journal` holds at least `records` progress records (see above).
inline bool wait_for_journal(const fs::path& journal, std::size_t records, int pidfd) {
    return wait_for_journal(
        journal, [&](const std::string& text) { return progress_records(text) >= records; }, pidfd);
}

/// A FIFO from which trials (tests/trials/gated.sh) take one token per new epoch. The test holds it
/// open for reading and writing, so trials never block opening it and tokens outlive tuners.
class Gate {
  public:
    explicit Gate(const fs::path& path) : path_(path) {
        fs::remove(path_);
        if (::mkfifo(path_.c_str(), 0600) != 0)
            throw std::runtime_error("mkfifo " + path_.string());
        fd_ = Fd(::open(path_.c_str(), O_RDWR | O_CLOEXEC | O_NONBLOCK));
    }
    ~Gate() { fs::remove(path_); }
    const fs::path& path() const { return path_; }
    /// Tokens no trial has taken yet.
    int waiting() const {
        int n = 0;
        ::ioctl(fd_.get(), FIONREAD, &n);
        return n;
    }
    void give(char token) const { ASSERT_EQ(::write(fd_.get(), &token, 1), 1); }

  private:
    fs::path path_;
    Fd fd_;
};

/// Drives a run of gated.sh trials: keeps one token in the gate (a trial takes it, prints one
/// new epoch, and the tuner journals it) until `done` holds for the journal. Returns false if
/// the tuner exited first (or nothing happened for 30 s).
inline bool drive(const Gate& gate, char token, const fs::path& journal,
                  const BackgroundTuner& tuner,
                  const std::function<bool(const std::string&)>& done) {
    return wait_for_journal(
        journal,
        [&](const std::string& text) {
            if (done(text)) return true;
            if (gate.waiting() == 0) gate.give(token);
            return false;
        },
        tuner.pidfd());
}

}  // namespace asha::test
