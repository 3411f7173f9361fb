#pragma once
/// One running leg as the process engine holds it (ninja's passive Subprocess): the process it
/// waits for (the leg's supervisor, or srun), the leg's two outputs, and where a stop stands.
/// It does nothing by itself: the engine (process_backend) reads and waits, the launcher
/// decides how to start, stop and describe it, and keeps what only it needs of the leg (GPUs,
/// a supervisor's start time, a Slurm id) itself, by trial.

#include "asha/trial.hpp"
#include "backends/process.hpp"
#include "backends/report_parser.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace asha {

/// One of a leg's outputs: a pipe whose bytes the engine copies into the trial's log (srun
/// streams the job's output), or the log file itself, which the trial writes and the engine
/// follows from an offset (supervised local legs: nothing is lost while no tuner reads).
struct OutputSource {
    Fd fd;                         ///< the pipe's read end, or the log opened for reading
    bool follow_file = false;      ///< read the file with pread from `offset`
    std::uint64_t offset = 0;      ///< follow_file: the next byte to read
    std::FILE* copy_to = nullptr;  ///< pipe: the log its bytes are appended to
    int watch = -1;                ///< follow_file: its inotify watch
    bool unread = false;           ///< follow_file: may hold bytes not read yet
    OutputSource() = default;
    OutputSource(const OutputSource&) = delete;
    OutputSource& operator=(const OutputSource&) = delete;
    ~OutputSource() {
        if (copy_to) std::fclose(copy_to);
    }
    bool open() const { return fd.valid(); }
};

struct TrialProcess {
    TrialId trial = 0;
    int leg = 0;
    std::filesystem::path trial_dir;

    pid_t pid = -1;          ///< the process whose end is the leg's end (supervisor, srun)
    Fd pidfd;                ///< readable when it has ended; invalid once it has
    Fd go;                   ///< its stdin, until the engine has sent it the go (a supervisor)
    bool child = true;       ///< ours to reap (a re-attached supervisor is not)
    bool ended = false;      ///< the process is gone; its output is read to the end
    bool described = false;  ///< all of it is read and its exit described
    int wait_status = 0;     ///< waitpid's status, when `child`

    OutputSource out, err;
    LineSplitter lines;
    std::string stderr_tail;

    bool stopping = false;  ///< stop() was called
    bool killed = false;    ///< killed, or asked to be
    double kill_at = 0;     ///< when the engine kills it (launchers without their own timer)
    bool running = true;    ///< out of the queue (false while a Slurm leg waits for resources)

    explicit TrialProcess(std::size_t max_line) : lines(max_line) {}
};

}  // namespace asha
