#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace tactus::cli {

Progress::Progress(std::string label, std::int64_t total)
    : label_(std::move(label)), total_(total), enabled_(total > 0 && ::isatty(STDERR_FILENO)) {}

Progress::~Progress() {
    if (enabled_ && last_percent_ >= 0) std::fprintf(stderr, "\r\033[K");
}

void Progress::clear() {
    if (!enabled_ || last_percent_ < 0) return;
    std::fprintf(stderr, "\r\033[K");
    last_percent_ = -1;
}

void Progress::update(std::int64_t done, const std::string& detail) {
    if (!enabled_) return;
    const int percent = int(std::clamp<std::int64_t>(done * 100 / total_, 0, 100));
    if (percent == last_percent_ && detail == last_detail_) return;
    last_percent_ = percent;
    last_detail_ = detail;
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %s\033[K", label_.c_str(), filled, "##############################",
                 kWidth - filled, "", percent, detail.c_str());
    std::fflush(stderr);
}

}  // namespace tactus::cli
