#include "sys/atomic_file.hpp"

#include "sys/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace asha {

std::string write_atomically(const std::string& path, std::string_view content, bool durable) {
    const std::string tmp = path + ".tmp";
    auto failed = [](const std::string& what, const std::string& file) {
        return "cannot " + what + " " + file + ": " + std::strerror(errno);
    };
    {
        Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!out.valid()) return failed("write", tmp);
        if (!write_all(out.get(), content.data(), content.size())) {
            std::string error = failed("write", tmp);
            ::unlink(tmp.c_str());
            return error;
        }
        if (durable && ::fsync(out.get()) != 0) return failed("sync", tmp);
        if (::close(out.release()) != 0) return failed("write", tmp);  // NFS reports late
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string error = "cannot rename " + tmp + " to " + path + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return error;
    }
    return "";
}

}  // namespace asha
