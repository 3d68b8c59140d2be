#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#include <cstdint>
#include <string>

namespace tactus::cli {

class Progress {
public:
    Progress(std::string label, std::int64_t total);
    ~Progress();
    void update(std::int64_t done);

private:
    std::string label_;
    std::int64_t total_;
    bool enabled_;
    int last_percent_ = -1;
};

}  // namespace tactus::cli
