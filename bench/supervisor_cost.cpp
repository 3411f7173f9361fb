// What a local leg's supervisor costs beyond its trial, measured leg by leg without a tuner:
//
//   build/bench/supervisor_cost [--legs 600] [--block 50] [--trial /bin/true]
//                               [--supervisor build/asha-supervise] [--ways bare,supervised]
//                               [--baseline OTHER/asha-supervise]
//
// Two ways of running the same trial (a program that exits at once), one leg at a time, in
// interleaved blocks so that both see the same machine:
//   bare        posix_spawn of the trial and waitpid: the trial's own cost (what a bare spawn
//               loop pays);
//   supervised  what the local launcher does: asha-supervise started for the leg with its go
//               pipe and the leg's logs, the go sent, its end waited for; it runs the trial,
//               records the leg (trials/<id>/leg-<N>.jsonl) and ends.
// With --baseline, a third way, "baseline": the same as supervised with another build's
// asha-supervise (interleaved, so that the two builds see the same machine).
// Per way: CPU per leg (user + system of this process and of every descendant reaped), the
// wall time of one leg from its start to the end of its supervisor, and how long the start
// itself blocks the launcher (the tuner's loop). "supervisor CPU per leg" is the supervised
// CPU less the bare one: issue 25's target is 1 ms. Medians over the blocks.
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

    SpawnSpec supervised_spec(const std::string& program) {
        SupervisorSpec s;
        s.run_dir = dir.string();
        s.trial_dir = (dir / "trial").string();
        s.leg = leg++;
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
        // A supervisor that did not run its trial to a recorded end measured nothing.
        const auto end = read_leg_end((dir / "trial").string(), leg - 1);
        if (!end || end->exit_code != 0 || end->signal != 0) {
            std::fprintf(stderr, "leg %d under %s: no recorded clean end\n", leg - 1,
                         program.c_str());
            std::exit(1);
        }
    }

    void block(const std::string& way, int legs, Samples& s) {
        const double cpu0 = cpu_seconds();
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
        } else {
            for (int i = 0; i < legs; ++i)
                supervised_leg(way == "baseline" ? baseline : supervisor, s);
        }
        s.cpu_ms.push_back((cpu_seconds() - cpu0) * 1000 / legs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    int legs = 600, block = 50;
    Bench b;
    std::vector<std::string> ways = {"bare", "supervised"};
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
    std::map<std::string, Samples> samples;
    for (int done = 0; done < legs; done += block)
        for (const std::string& way : ways) {
            b.block(way, block, samples[way]);
            // Each leg leaves two records: removed as it goes, so that every block creates
            // its files in the same directory state.
            for (const auto& entry : fs::directory_iterator(b.dir / "trial")) fs::remove(entry);
        }
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
