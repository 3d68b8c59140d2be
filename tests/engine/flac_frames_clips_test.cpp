// The FLAC frame decoder on every evaluation clip (as their encoder wrote
// them: LPC up to order 12): libFLAC's samples, bit for bit.
#include <catch2/catch.hpp>

#include "flac_bytes.hpp"
#include "flac_frames.hpp"
#include "paths.hpp"

TEST_CASE("every eval-dev clip's FLAC frames decode to libFLAC's samples bit for bit", "[flac][shared]") {
    int clips = 0;
    for (const auto& e : std::filesystem::directory_iterator(tactus::test::eval_dev())) {
        if (e.path().extension() != ".flac") continue;
        INFO(e.path().filename().string());
        const auto f = tactus::test::read_flac_bytes(e.path());
        REQUIRE(tactus::FlacFrames::supports(f.channels, f.bits));
        tactus::FlacFrames d(f.bytes.data() + f.first_frame, f.bytes.size() - f.first_frame, f.channels, f.bits);
        std::vector<float> got, frame;
        while (d.next(frame) > 0) got.insert(got.end(), frame.begin(), frame.end());
        const auto want = tactus::test::sndfile_samples(e.path());
        REQUIRE(got.size() == want.size());
        CHECK(got == want);
        ++clips;
    }
    CHECK(clips == 24);
}
