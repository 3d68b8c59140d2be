#pragma once
// One exception type for everything a user can get wrong (files, models,
// configs): its message is a single line meant to be printed as it is.
#include <stdexcept>
#include <string>

namespace tactus {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace tactus
