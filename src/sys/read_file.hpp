#pragma once
/// Reading a small file whole with read(2) (no iostreams: /proc files and the supervisor's
/// records, which can vanish or fail mid-read).

#include <optional>
#include <string>

namespace asha {

/// The whole of `path`, or nullopt when it cannot be opened or read.
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace asha
