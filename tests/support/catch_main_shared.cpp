// Entry point of the tests that read ../shared (golden arrays, clips).
// Without ../shared they skip (exit 77, which CTest reports as skipped),
// unless TACTUS_REQUIRE_SHARED=1 (set by .ci/run), where a skip is a failure.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "paths.hpp"

int main(int argc, char** argv) {
    if (tactus::test::shared_dir().empty()) {
        const char* req = std::getenv("TACTUS_REQUIRE_SHARED");
        if (req && std::string(req) == "1") {
            std::fprintf(stderr, "FAILED: ../shared is required (TACTUS_REQUIRE_SHARED=1) but %s does not exist\n",
                         (tactus::test::source_dir().parent_path() / "shared").c_str());
            return 1;
        }
        std::fprintf(stderr, "SKIPPED: ../shared (golden arrays and evaluation clips) is not beside this checkout\n");
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
