#pragma once
/// The only code that touches the terminal while a run goes: on a smart terminal (isatty and
/// TERM != dumb) the status table is redrawn in place once a second; otherwise it is printed as
/// plain lines every `print_update_interval` seconds. It writes to stderr, so stdout stays free
/// for the final summary (or --json).

#include "asha/tuner.hpp"

#include <cstdio>

namespace asha {

class TerminalProgress : public ProgressSink {
  public:
    TerminalProgress(std::FILE* out, double print_update_interval, bool quiet);

    void update(const Tuner& tuner, double now, bool final) override;
    double next_update(double now) const override;

    /// Whether `out` is a terminal that understands cursor movement.
    static bool is_smart_terminal(std::FILE* out);

  private:
    std::FILE* out_;
    double interval_;
    bool quiet_;
    bool smart_;
    double last_ = 0;
    int lines_drawn_ = 0;
};

}  // namespace asha
