#include "sys/proc.hpp"

#include "sys/read_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace asha {

std::optional<std::string> read_proc_file(pid_t pid, const char* name) {
    return read_whole_file("/proc/" + std::to_string(pid) + "/" + name);
}

std::optional<ProcStat> proc_stat(pid_t pid) {
    const auto text = read_proc_file(pid, "stat");
    if (!text) return std::nullopt;
    // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice threads itrealvalue starttime ...": comm may hold spaces
    // and parentheses, so the fields are counted from the last ')'.
    const std::size_t close = text->rfind(')');
    if (close == std::string::npos || close + 2 >= text->size()) return std::nullopt;
    const char* p = text->c_str() + close + 2;  // the state
    if (*p == 'Z') return std::nullopt;
    ProcStat st;
    // Fields 4.. after the state: ppid (4), pgrp (5), session (6), ..., starttime (22).
    for (int field = 4; field <= 22; ++field) {
        p = std::strchr(p, ' ');
        if (!p) return std::nullopt;
        char* end = nullptr;
        const unsigned long long value = std::strtoull(++p, &end, 10);
        if (end == p) return std::nullopt;
        if (field == 5) st.pgrp = static_cast<pid_t>(value);
        if (field == 6) st.session = static_cast<pid_t>(value);
        if (field == 22) st.start_ticks = value;
    }
    return st;
}

unsigned long long process_start_ticks(pid_t pid) {
    const auto st = proc_stat(pid);
    return st ? st->start_ticks : 0;
}

std::vector<pid_t> parse_pid_list(const std::string& text) {
    std::vector<pid_t> pids;
    const char* p = text.c_str();
    for (char* end = nullptr;; p = end) {
        const long pid = std::strtol(p, &end, 10);
        if (end == p) break;
        if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
    }
    return pids;
}

void become_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

void kill_and_reap_group(pid_t pgid) {
    if (::kill(-pgid, SIGKILL) != 0) return;  // nothing left in the group
    siginfo_t info;
    // Blocks only while SIGKILLed members die; ends with ECHILD when none of them is ours.
    while (::waitid(P_PGID, static_cast<id_t>(pgid), &info, WEXITED) == 0 || errno == EINTR) {
    }
}

void kill_and_reap_descendants() {
    const pid_t self = ::getpid();
    const std::string children = "task/" + std::to_string(self) + "/children";
    for (;;) {
        // Our children (zombies included): kill them all, then reap one; the deaths re-parent
        // their own children to us, and the next turn finds those.
        if (auto list = read_proc_file(self, children.c_str()))
            for (pid_t pid : parse_pid_list(*list)) ::kill(pid, SIGKILL);
        int status = 0;
        if (::waitpid(-1, &status, 0) < 0 && errno != EINTR) return;  // ECHILD: none left
    }
}

}  // namespace asha
