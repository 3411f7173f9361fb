#pragma once
/// Hands GPU ids to trials: each trial gets `per_trial` distinct GPUs; a GPU is shared by at most
/// `trials_per_gpu` trials at once (1 = never shared). Least-loaded, then lowest id, first.

#include <string>
#include <vector>

namespace asha {

class GpuPool {
  public:
    GpuPool(std::vector<int> ids, int per_trial, int trials_per_gpu);

    bool empty() const { return ids_.empty(); }
    /// How many trials can hold GPUs at once.
    int capacity() const;
    /// GPUs for one trial; empty if the pool has no GPUs or not enough are free.
    std::vector<int> acquire();
    void release(const std::vector<int>& ids);
    /// Counts `ids` as held (a leg a resume took over holds the GPUs it was given).
    void take(const std::vector<int>& ids);
    /// "0,1" -> {0, 1}; ids that are not numbers are left out.
    static std::vector<int> parse(const std::string& text);

    /// "0,1" for CUDA_VISIBLE_DEVICES.
    static std::string format(const std::vector<int>& ids);
    /// GPU indices from `nvidia-smi --query-gpu=index --format=csv,noheader`; empty when
    /// nvidia-smi is missing or fails.
    static std::vector<int> detect();

  private:
    std::vector<int> ids_;
    std::vector<int> load_;
    int per_trial_;
    int trials_per_gpu_;
};

}  // namespace asha
