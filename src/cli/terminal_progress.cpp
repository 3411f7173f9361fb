#include "cli/terminal_progress.hpp"

#include "report/table.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace asha {

bool TerminalProgress::is_smart_terminal(std::FILE* out) {
    const char* term = std::getenv("TERM");
    return ::isatty(fileno(out)) && term && std::strcmp(term, "dumb") != 0;
}

TerminalProgress::TerminalProgress(std::FILE* out, double print_update_interval, bool quiet)
    : out_(out), interval_(print_update_interval), quiet_(quiet), smart_(is_smart_terminal(out)) {
    if (smart_) interval_ = std::min(interval_, 1.0);
}

double TerminalProgress::next_update(double) const {
    return quiet_ ? 1e300 : last_ + interval_;
}

void TerminalProgress::update(const Tuner& tuner, double now, bool final) {
    if (quiet_ || final || now < last_ + interval_) return;
    last_ = now;
    std::string text = render_table(tuner.trials(), tuner.config(), smart_ ? 20 : 50, now) +
                       render_progress_line(tuner.summary()) + "\n";
    if (smart_ && lines_drawn_ > 0)
        std::fprintf(out_, "\x1b[%dA\x1b[J", lines_drawn_);
    else if (!smart_)
        std::fputs("tuning status (last metric is reported)\n", out_);
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
    lines_drawn_ = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace asha
