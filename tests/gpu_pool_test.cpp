// GpuPool: which GPUs each trial gets (exact, as a table of acquisitions), and GPU detection
// through nvidia-smi, faked by a script on PATH (no GPU here or in CI).

#include "backends/gpu_pool.hpp"

#include "test_util.hpp"

#include <cstdlib>

using namespace asha;
using namespace asha::test;

TEST(GpuPool, OneTrialPerGpuLowestFirst) {
    GpuPool pool({0, 1, 2, 3}, 1, 1);
    EXPECT_EQ(pool.capacity(), 4);
    EXPECT_EQ(pool.acquire(), std::vector<int>{0});
    EXPECT_EQ(pool.acquire(), std::vector<int>{1});
    pool.release({0});
    EXPECT_EQ(pool.acquire(), std::vector<int>{0});
    EXPECT_EQ(pool.acquire(), std::vector<int>{2});
    EXPECT_EQ(pool.acquire(), std::vector<int>{3});
    EXPECT_EQ(pool.acquire(), std::vector<int>{});  // all taken
}

TEST(GpuPool, SeveralPerTrialAndShared) {
    GpuPool pairs({4, 5, 6, 7}, 2, 1);
    EXPECT_EQ(pairs.capacity(), 2);
    EXPECT_EQ(pairs.acquire(), (std::vector<int>{4, 5}));
    EXPECT_EQ(pairs.acquire(), (std::vector<int>{6, 7}));
    EXPECT_EQ(pairs.acquire(), std::vector<int>{});
    GpuPool shared({0, 1}, 1, 2);  // least loaded first
    EXPECT_EQ(shared.capacity(), 4);
    EXPECT_EQ(shared.acquire(), std::vector<int>{0});
    EXPECT_EQ(shared.acquire(), std::vector<int>{1});
    EXPECT_EQ(shared.acquire(), std::vector<int>{0});
    shared.take({1});  // a resumed leg's GPU
    EXPECT_EQ(shared.acquire(), std::vector<int>{});
}

TEST(GpuPool, ParsesAndFormats) {
    EXPECT_EQ(GpuPool::parse("0,1"), (std::vector<int>{0, 1}));
    EXPECT_EQ(GpuPool::parse(""), std::vector<int>{});
    EXPECT_EQ(GpuPool::parse("2,x,3"), (std::vector<int>{2, 3}));
    EXPECT_EQ(GpuPool::format({0, 3}), "0,3");
    EXPECT_EQ(GpuPool::format({}), "");
}

namespace {
/// Puts a fake nvidia-smi (a shell script with `body`) first on PATH while it lives.
class FakeNvidiaSmi {
  public:
    explicit FakeNvidiaSmi(const std::string& body) : dir_(temp_path("fake-nvidia-smi")) {
        fs::create_directories(dir_);
        std::ofstream(dir_ / "nvidia-smi") << "#!/bin/sh\n" << body << "\n";
        fs::permissions(dir_ / "nvidia-smi", fs::perms::owner_all);
        const char* path = std::getenv("PATH");
        old_ = path ? path : "";
        ::setenv("PATH", (dir_.string() + ":" + old_).c_str(), 1);
    }
    ~FakeNvidiaSmi() { ::setenv("PATH", old_.c_str(), 1); }
    FakeNvidiaSmi(const FakeNvidiaSmi&) = delete;
    FakeNvidiaSmi& operator=(const FakeNvidiaSmi&) = delete;

  private:
    fs::path dir_;
    std::string old_;
};
}  // namespace

TEST(GpuPool, DetectsWhatNvidiaSmiLists) {
    {
        FakeNvidiaSmi smi(
            "[ \"$*\" = '--query-gpu=index --format=csv,noheader' ] || exit 9\nprintf "
            "'0\\n1\\n3\\n'");
        EXPECT_EQ(GpuPool::detect(), (std::vector<int>{0, 1, 3}));
    }
    {
        FakeNvidiaSmi failing("echo 'NVIDIA-SMI has failed' ; exit 9");
        EXPECT_EQ(GpuPool::detect(), std::vector<int>{});
    }
}
