// madmom's logarithmic filterbank, rebuilt in C++, equals the golden one.
#include <catch2/catch.hpp>

#include "npy.hpp"
#include "paths.hpp"
#include "tactus/features.hpp"
#include "tactus/filterbank.hpp"

using namespace tactus;
using tactus::test::load_npy;
using tactus::test::reference;

TEST_CASE("bin frequencies are k * 22050 / 1410 (madmom's fft_frequencies)", "[filterbank]") {
    const auto ref = load_npy(reference("filterbank_bin_frequencies.npy"));
    const auto got = fft_bin_frequencies(kFftBins, kFeatureRate);
    REQUIRE(got.size() == ref.data.size());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == Approx(ref.data[i]).epsilon(1e-12));
}

TEST_CASE("the 24-band log filterbank has 136 unique triangular filters equal to madmom's", "[filterbank]") {
    const LogFilterbank fb(fft_bin_frequencies(kFftBins, kFeatureRate), LogFilterbankSpec{});
    REQUIRE(fb.num_bands() == 136);
    REQUIRE(fb.num_bins() == 705);
    const auto ref = load_npy(reference("filterbank_log24_fmin30_fmax17000_norm.npy"));
    REQUIRE(ref.shape == std::vector<std::size_t>{705, 136});
    const auto got = fb.dense();
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - ref.data[i]));
    CHECK(worst <= 1e-7);
    SECTION("centre and corner frequencies") {
        const auto centers = load_npy(reference("filterbank_center_frequencies.npy"));
        const auto corners = load_npy(reference("filterbank_corner_frequencies.npy"));
        const auto gc = fb.center_frequencies();
        const auto gk = fb.corner_frequencies();
        REQUIRE(gc.size() == centers.data.size());
        REQUIRE(gk.size() == corners.data.size());
        for (std::size_t i = 0; i < gc.size(); ++i) CHECK(gc[i] == Approx(centers.data[i]).epsilon(1e-12));
        for (std::size_t i = 0; i < gk.size(); ++i) CHECK(gk[i] == Approx(corners.data[i]).epsilon(1e-12));
    }
}

TEST_CASE("every filter is normalised to area 1", "[filterbank]") {
    const LogFilterbank fb(fft_bin_frequencies(kFftBins, kFeatureRate), LogFilterbankSpec{});
    const auto m = fb.dense();
    for (int band = 0; band < fb.num_bands(); ++band) {
        double s = 0;
        for (int bin = 0; bin < fb.num_bins(); ++bin) s += m[std::size_t(bin * fb.num_bands() + band)];
        CHECK(s == Approx(1.0).epsilon(1e-5));
    }
}
