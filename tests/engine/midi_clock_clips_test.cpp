// The MIDI clock on real clips, run as tactus-jack and the plugin run it:
// the engine fed block by block, the clock fed the engine's snapshot. Its
// quarter notes must land on the beats the engine predicts, at fast tempi
// between whole frames too (freedoom-e1m1: 187 BPM, 16.04 frames a beat).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "paths.hpp"
#include "tactus/audio_file.hpp"
#include "tactus/engine.hpp"
#include "tactus/midi_clock.hpp"

using namespace tactus;

namespace {

struct Predictions final : EventSink {
    std::vector<double> times;
    void on_event(const BeatEvent& e) override {
        if (e.predicted) times.push_back(e.time);
    }
};

}  // namespace

TEST_CASE("on real clips the clock's quarter notes land on the predicted beats", "[midi_clock][shared]") {
    for (const std::string clip : {"freedoom-e1m1", "lmms-dirty-love", "stress-click-128", "mma-bossa"}) {
        INFO(clip);
        double rate = 0;
        const auto audio = read_mono(tactus::test::eval_dev() / (clip + ".flac"), &rate);
        EngineConfig c;
        c.sample_rate = rate;
        c.model_files = {tactus::test::model_path(1), tactus::test::model_path(2), tactus::test::model_path(3)};
        Engine engine(c);
        Predictions beats;
        engine.set_listener(&beats);
        MidiClock clock(rate);
        MidiMessage msg[64];
        std::vector<double> quarters;  // every 24th tick from the Start
        std::int64_t ticks = 0;
        constexpr std::uint32_t kBlock = 256;
        for (std::size_t at = 0; at < audio.size(); at += kBlock) {
            const auto n = std::uint32_t(std::min<std::size_t>(kBlock, audio.size() - at));
            const float* ch[1] = {audio.data() + at};
            engine.push_rt(ch, 1, n);
            engine.process();
            TempoSnapshot s;
            engine.snapshot_rt(&s);  // synchronous: always readable
            const std::size_t got = clock.process_rt(std::int64_t(at), n, s, msg, 64);
            for (std::size_t i = 0; i < got; ++i) {
                if (msg[i].bytes[0] == kMidiStart) ticks = 0;
                if (msg[i].bytes[0] != kMidiClock) continue;
                if (ticks++ % 24 == 0) quarters.push_back((double(at) + msg[i].offset) / rate);
            }
        }
        REQUIRE(beats.times.size() > 20);
        int n = 0, on = 0;
        for (double q : quarters) {
            if (q < 10) continue;
            ++n;
            const auto it = std::lower_bound(beats.times.begin(), beats.times.end(), q);
            double d = 1e9;
            if (it != beats.times.end()) d = *it - q;
            if (it != beats.times.begin()) d = std::min(std::abs(d), q - *(it - 1));
            on += std::abs(d) < 0.025 ? 1 : 0;
        }
        INFO(on << " of " << n << " quarter notes within 25 ms of a predicted beat");
        CHECK(n > 20);
        CHECK(on >= 0.95 * n);
    }
}
