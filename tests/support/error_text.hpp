#pragma once
// The one-line message of the tactus::Error a call throws, for tests of
// bad input: "" when it throws none.
#include <string>

#include "tactus/error.hpp"

namespace tactus::test {

template <class F>
std::string error_text(F&& call) {
    try {
        call();
    } catch (const tactus::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace tactus::test
