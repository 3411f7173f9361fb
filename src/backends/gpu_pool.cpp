#include "backends/gpu_pool.hpp"

#include "backends/process.hpp"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace asha {

GpuPool::GpuPool(std::vector<int> ids, int per_trial, int trials_per_gpu)
    : ids_(std::move(ids)),
      load_(ids_.size(), 0),
      per_trial_(per_trial),
      trials_per_gpu_(trials_per_gpu) {}

int GpuPool::capacity() const {
    if (ids_.empty() || per_trial_ > static_cast<int>(ids_.size())) return 0;
    return static_cast<int>(ids_.size()) * trials_per_gpu_ / per_trial_;
}

std::vector<int> GpuPool::acquire() {
    std::vector<std::size_t> order(ids_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return load_[a] < load_[b]; });
    std::vector<std::size_t> chosen;
    for (std::size_t i : order)
        if (load_[i] < trials_per_gpu_ && static_cast<int>(chosen.size()) < per_trial_)
            chosen.push_back(i);
    if (static_cast<int>(chosen.size()) < per_trial_) return {};
    std::sort(chosen.begin(), chosen.end());
    std::vector<int> out;
    for (std::size_t i : chosen) {
        ++load_[i];
        out.push_back(ids_[i]);
    }
    return out;
}

void GpuPool::release(const std::vector<int>& ids) {
    for (int id : ids) {
        auto it = std::find(ids_.begin(), ids_.end(), id);
        if (it != ids_.end()) --load_[static_cast<std::size_t>(it - ids_.begin())];
    }
}

void GpuPool::take(const std::vector<int>& ids) {
    for (int id : ids) {
        auto it = std::find(ids_.begin(), ids_.end(), id);
        if (it != ids_.end()) ++load_[static_cast<std::size_t>(it - ids_.begin())];
    }
}

std::vector<int> GpuPool::parse(const std::string& text) {
    std::vector<int> ids;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string::npos) end = text.size();
        const std::string item = text.substr(start, end - start);
        if (!item.empty() && item.find_first_not_of("0123456789") == std::string::npos)
            ids.push_back(std::stoi(item));
        start = end + 1;
    }
    return ids;
}

std::string GpuPool::format(const std::vector<int>& ids) {
    std::string out;
    for (int id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
    return out;
}

std::vector<int> GpuPool::detect() {
    std::vector<int> ids;
    std::string listing;  // one index per line; a failure (127: not installed) means none
    if (run_command({"nvidia-smi", "--query-gpu=index", "--format=csv,noheader"}, &listing) != 0)
        return ids;
    for (const char* p = listing.c_str(); *p;) {
        char* end = nullptr;
        const long id = std::strtol(p, &end, 10);
        if (end == p) break;
        ids.push_back(static_cast<int>(id));
        p = end;
    }
    return ids;
}

}  // namespace asha
