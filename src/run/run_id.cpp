#include "run/run_id.hpp"

#include "asha/errors.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace asha {

std::string new_run_id() {
    unsigned char bytes[6];
    std::size_t got = 0;
    while (got < sizeof bytes) {
        const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            throw Error(ExitCode::cannot_start,
                        std::string("cannot draw a run id (getrandom): ") + std::strerror(errno));
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (unsigned char b : bytes) {
        id += kHex[b >> 4];
        id += kHex[b & 15];
    }
    return id;
}

bool valid_run_id(const std::string& id) {
    return id.size() == 12 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace asha
