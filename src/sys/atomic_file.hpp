#pragma once
/// Replacing a file so that a reader sees the old contents or the new, never a part: written to
/// `<path>.tmp`, then renamed over `path`.

#include <string>
#include <string_view>

namespace asha {

/// Writes `content` to `path` atomically. `durable`: fsync the file before the rename (what a
/// crash of the machine must not lose); without it, a crash of a process never leaves a torn
/// file, which is all its readers need. Returns "" or what failed ("cannot write X: reason").
std::string write_atomically(const std::string& path, std::string_view content,
                             bool durable = false);

}  // namespace asha
