// What a local leg's supervisor costs beyond its trial, measured leg by leg without a tuner:
//
//   build/bench/supervisor_cost [--legs 600] [--block 50] [--trial /bin/true]
//                               [--supervisor build/asha-supervise]
//                               [--ways bare,supervised,kept] [--baseline OTHER/asha-supervise]
//
// Three ways of running the same trial (a program that exits at once), one leg at a time, in
// interleaved blocks so that all see the same machine:
//   bare        posix_spawn of the trial and waitpid: the trial's own cost (what a bare spawn
//               loop pays);
//   supervised  what the local launcher does: asha-supervise started for the leg with its go
//               pipe and the leg's logs, the go sent, its end waited for; it runs the trial,
//               records the leg (trials/<id>/leg-<N>.jsonl) and ends (a supervisor per
//               leg: what a run does where no keeper answers);
//   kept        what the local launcher does by default: the leg handed to the run's keeper
//               (one asha-supervise --keeper for all legs) with its go pipe, its logs and its
//               end pipe, the go sent, the end pipe waited for; the keeper runs the trial and
//               records the leg. Its CPU is read from /proc (the keeper is reaped only at the
//               end; its children's CPU counts once it has reaped them).
// With --baseline, a third way, "baseline": the same as supervised with another build's
// asha-supervise (interleaved, so that the two builds see the same machine).
// Per way: CPU per leg (user + system of this process and of every descendant reaped), the
// wall time of one leg from its start to the end of its supervisor, and how long the start
// itself blocks the launcher (the tuner's loop). "supervisor CPU per leg" is a way's CPU less
// the bare one: issue 25's target is 1 ms. Medians over the blocks.
#include "backends/keeper_link.hpp"
#include "backends/process.hpp"
#include "supervisor/supervisor.hpp"
#include "sys/leg_records.hpp"
#include "sys/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace asha;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
    double total = 0;
    for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
        rusage r{};
        ::getrusage(who, &r);
        total += static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
                 static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
    }
    return total;
}

/// CPU seconds of process `pid` and of the children it has reaped (/proc/PID/stat).
double process_tree_cpu_seconds(pid_t pid) {
    const std::optional<std::string> stat = read_proc_file(pid, "stat");
    if (!stat) return 0;
    // Fields 14-17 (utime stime cutime cstime); the command, in parentheses, is field 2, and
    // field 3 is a letter (the state).
    const char* p = stat->c_str() + stat->rfind(')') + 4;
    double ticks = 0;
    for (int field = 4; field <= 17; ++field) {
        char* end = nullptr;
        const double value = std::strtod(p, &end);
        if (field >= 14) ticks += value;
        p = end;
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

void wait_pidfd(const Fd& pidfd) {
    pollfd p{pidfd.get(), POLLIN, 0};
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

struct Samples {
    std::vector<double> cpu_ms, leg_ms, start_ms;
};

struct Bench {
    std::string trial, supervisor, baseline;
    fs::path dir;
    Fd out, err;
    int leg = 0;
    std::unique_ptr<KeeperLink> keeper;

    /// A leg handed to the keeper, given its go, waited for until its end is recorded.
    void kept_leg(Samples& s) {
        const auto t0 = Clock::now();
        auto started = keeper->start_leg(0, leg, (dir / "trial").string(), "/", {trial},
                                         {"PATH=/usr/bin:/bin"}, out.get(), err.get());
        if (!started) std::abort();
        s.start_ms.push_back(ms_since(t0));
        if (::write(started->go.get(), "g", 1) != 1) std::abort();
        wait_pidfd(started->end);
        s.leg_ms.push_back(ms_since(t0));
        check_end("the keeper");
    }

    /// A leg not run to a recorded clean end measured nothing.
    void check_end(const std::string& under) {
        const auto end = read_leg_end((dir / "trial").string(), leg++);
        if (!end || end->exit_code != 0 || end->signal != 0) {
            std::fprintf(stderr, "leg %d under %s: no recorded clean end\n", leg - 1,
                         under.c_str());
            std::exit(1);
        }
    }

    SpawnSpec supervised_spec(const std::string& program) {
        SupervisorSpec s;
        s.run_dir = dir.string();
        s.trial_dir = (dir / "trial").string();
        s.leg = leg;
        s.orphan_timeout = 3600;
        s.argv = {trial};
        SpawnSpec spec;
        spec.argv = supervisor_command(program, s);
        spec.env = {"PATH=/usr/bin:/bin"};
        spec.stdout_fd = out.get();
        spec.stderr_fd = err.get();
        spec.stdin_pipe = true;
        spec.blocked_signals = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
        return spec;
    }

    /// One leg's supervisor, given its go, waited for.
    void supervised_leg(const std::string& program, Samples& s) {
        const auto t0 = Clock::now();
        Child child = spawn_child(supervised_spec(program));
        s.start_ms.push_back(ms_since(t0));
        if (::write(child.stdin_fd.get(), "g", 1) != 1) std::abort();
        wait_pidfd(child.pidfd);
        ::waitpid(child.pid, nullptr, 0);
        s.leg_ms.push_back(ms_since(t0));
        check_end(program);
    }

    void block(const std::string& way, int legs, Samples& s) {
        const pid_t kept = way == "kept" ? keeper->pid() : 0;
        const double cpu0 = cpu_seconds() + (kept ? process_tree_cpu_seconds(kept) : 0);
        if (way == "bare") {
            for (int i = 0; i < legs; ++i) {
                const auto t0 = Clock::now();
                SpawnRequest r;
                r.argv = {trial};
                const pid_t pid = spawn_process(r);
                s.start_ms.push_back(ms_since(t0));
                ::waitpid(pid, nullptr, 0);
                s.leg_ms.push_back(ms_since(t0));
            }
        } else if (way == "kept") {
            for (int i = 0; i < legs; ++i) kept_leg(s);
        } else {
            for (int i = 0; i < legs; ++i)
                supervised_leg(way == "baseline" ? baseline : supervisor, s);
        }
        const double cpu1 = cpu_seconds() + (kept ? process_tree_cpu_seconds(kept) : 0);
        s.cpu_ms.push_back((cpu1 - cpu0) * 1000 / legs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    int legs = 600, block = 50;
    Bench b;
    std::vector<std::string> ways = {"bare", "supervised", "kept"};
    b.trial = "/bin/true";
    b.supervisor =
        (fs::absolute(argv[0]).parent_path() / ".." / "asha-supervise").lexically_normal();
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--legs")
            legs = std::atoi(value.c_str());
        else if (flag == "--block")
            block = std::atoi(value.c_str());
        else if (flag == "--trial")
            b.trial = value;
        else if (flag == "--supervisor")
            b.supervisor = value;
        else if (flag == "--baseline")
            b.baseline = value;
        else if (flag == "--ways") {
            ways.clear();
            for (std::size_t at = 0; at <= value.size();) {
                const std::size_t comma = std::min(value.find(',', at), value.size());
                ways.push_back(value.substr(at, comma - at));
                at = comma + 1;
            }
        } else {
            std::fprintf(stderr, "unknown option %s\n", flag.c_str());
            return 2;
        }
    }
    if (!b.baseline.empty()) ways.push_back("baseline");
    ::signal(SIGPIPE, SIG_IGN);
    b.dir = fs::temp_directory_path() / ("supervisor-cost-" + std::to_string(::getpid()));
    fs::create_directories(b.dir / "trial");
    b.out = Fd(::open((b.dir / "out").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    b.err = Fd(::open((b.dir / "err").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (std::find(ways.begin(), ways.end(), "kept") != ways.end()) {
        std::string problem;
        b.keeper =
            KeeperLink::start(keeper_command(b.supervisor, b.dir.string(), 5, 3600), problem);
        if (!b.keeper) {
            std::fprintf(stderr, "cannot start a keeper: %s\n", problem.c_str());
            return 1;
        }
    }
    std::map<std::string, Samples> samples;
    for (int done = 0; done < legs; done += block)
        for (const std::string& way : ways) {
            b.block(way, block, samples[way]);
            // Each leg leaves two records: removed as it goes, so that every block creates
            // its files in the same directory state.
            for (const auto& entry : fs::directory_iterator(b.dir / "trial")) fs::remove(entry);
        }
    b.keeper.reset();
    fs::remove_all(b.dir);
    const double bare_cpu = median(samples["bare"].cpu_ms);
    std::printf("%d legs of %s per way, blocks of %d, supervisor %s\n\n", legs, b.trial.c_str(),
                block, b.supervisor.c_str());
    std::printf(
        "| way | CPU ms/leg | supervisor CPU ms/leg | leg wall ms (median) | start() blocks ms "
        "(median) |\n|---|---|---|---|---|\n");
    for (const std::string& way : ways) {
        const Samples& s = samples[way];
        std::printf("| %s | %.3f | %.3f | %.3f | %.3f |\n", way.c_str(), median(s.cpu_ms),
                    median(s.cpu_ms) - bare_cpu, median(s.leg_ms), median(s.start_ms));
    }
}
