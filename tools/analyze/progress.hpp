#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#include <cstdint>
#include <string>

namespace tactus::cli {

class Progress {
public:
    Progress(std::string label, std::int64_t total);
    ~Progress();
    // `detail` (e.g. "3/40 files") is printed after the percentage.
    void update(std::int64_t done, const std::string& detail = {});
    // Clears the bar so a message can be printed; the next update redraws it.
    void clear();

private:
    std::string label_;
    std::int64_t total_;
    bool enabled_;
    int last_percent_ = -1;
    std::string last_detail_;
};

}  // namespace tactus::cli
