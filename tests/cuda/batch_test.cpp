// tactus-analyze over many files: several files, a folder searched
// recursively, --out-dir, a bad file among good ones. Every file's output
// must equal its single-file run, whatever the number of jobs.
#include <catch2/catch.hpp>


#include <fstream>
#include <sstream>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "run.hpp"
#include "sound_file.hpp"

using namespace tactus::test;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
    const auto p = fs::temp_directory_path() / ("tactus-batch-test-" + name);
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// "# <file>\n", the line before each file's output (built with append:
// GCC 12 warns falsely about "literal" + std::string here).
std::string header(const fs::path& f) { return std::string("# ").append(f.string()).append("\n"); }

std::string analyze() { return quote(bin_dir() / "tactus-analyze") + " --device cpu"; }

// Four files of different tempi, rates and formats; returns them in order.
std::vector<fs::path> make_set(const fs::path& dir) {
    std::vector<fs::path> files = {dir / "a-groove-100.wav", dir / "b-clicks-132.flac", dir / "sub" / "c-groove-87.wav",
                                   dir / "sub" / "deeper" / "d-groove-141.ogg"};
    write_sound_file(files[0], groove(44100, 100, 9.0), 44100, 1, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    write_sound_file(files[1], clicks(48000, 132, 7.0), 48000, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    write_sound_file(files[2], groove(22050, 87, 10.0, 0.4, 3), 22050, 1, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    write_sound_file(files[3], groove(32000, 141, 8.0, 0.1, 5), 32000, 1, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
    return files;
}

std::string single(const fs::path& file, const std::string& flags = "") {
    const auto r = run(analyze() + " " + flags + quote(file));
    REQUIRE(r.status == 0);
    return r.out;
}

}  // namespace

TEST_CASE("several files print '# <file>' and each file's single-file output, in order", "[cuda][batch]") {
    const auto dir = scratch("files");
    const auto files = make_set(dir);
    std::string args, expect;
    for (const auto& f : files) {
        args.append(" ").append(quote(f));
        expect += header(f) + single(f);
    }
    for (const char* jobs : {"", " --jobs 1", " --jobs 3"}) {
        INFO(jobs);
        const auto r = run(analyze() + jobs + args);
        CHECK(r.status == 0);
        CHECK(r.err.empty());
        CHECK(r.out == expect);
    }
    // the other output modes too
    for (const std::string mode : {"--json ", "--activations ", "--inference beatnet "}) {
        INFO(mode);
        std::string want;
        for (const auto& f : files) want += header(f) + single(f, mode);
        CHECK(run(analyze() + " " + mode + args).out == want);
    }
}

TEST_CASE("a folder is searched recursively for audio files, other files are ignored", "[cuda][batch]") {
    const auto dir = scratch("folder");
    auto files = make_set(dir);
    std::ofstream(dir / "notes.txt") << "not audio\n";
    std::ofstream(dir / "sub" / "cover.jpg") << "not audio either\n";
    std::sort(files.begin(), files.end());
    std::string expect;
    for (const auto& f : files) expect += header(f) + single(f);
    const auto r = run(analyze() + " " + quote(dir));
    CHECK(r.status == 0);
    CHECK(r.out == expect);
    // an empty folder is an error, not silence
    const auto empty = scratch("empty");
    const auto e = run(analyze() + " " + quote(empty));
    CHECK(e.status == 1);
    CHECK(e.err.find("no audio files") != std::string::npos);
}

TEST_CASE("tactus-analyze --out-dir writes <name>.beats per file, keeping the folder structure", "[cuda][batch]") {
    const auto dir = scratch("outdir-in");
    const auto out = scratch("outdir-out");
    const auto files = make_set(dir);
    const auto r = run(analyze() + " --out-dir " + quote(out) + " " + quote(dir));
    CHECK(r.status == 0);
    CHECK(r.out.empty());
    for (const auto& f : files) {
        const auto beats = out / fs::path(f.lexically_relative(dir)).replace_extension(".beats");
        INFO(beats);
        REQUIRE(fs::exists(beats));
        CHECK(slurp(beats) == single(f));
    }
    // single files given by name land directly in the folder; --json writes .json
    const auto out2 = scratch("outdir-out2");
    const auto r2 = run(analyze() + " --json --out-dir " + quote(out2) + " " + quote(files[2]));
    CHECK(r2.status == 0);
    CHECK(slurp(out2 / "c-groove-87.json") == single(files[2], "--json "));
    // two inputs that would write the same file: the second is an error
    const auto out3 = scratch("outdir-out3");
    const auto clash = dir / "sub" / "a-groove-100.wav";
    fs::copy_file(files[0], clash);
    const auto r3 = run(analyze() + " --out-dir " + quote(out3) + " " + quote(files[0]) + " " + quote(clash));
    CHECK(r3.status == 1);
    CHECK(r3.err.find("clashes") != std::string::npos);
    CHECK(slurp(out3 / "a-groove-100.beats") == single(files[0]));
}

TEST_CASE("a bad file among good ones is reported in one line and the others go on", "[cuda][batch]") {
    const auto dir = scratch("bad");
    const auto files = make_set(dir);
    std::ofstream(dir / "broken.wav") << "RIFF but not really";
    const auto missing = dir / "missing.flac";
    const auto r = run(analyze() + " " + quote(files[0]) + " " + quote(dir / "broken.wav") + " " + quote(missing) +
                       " " + quote(files[1]));
    CHECK(r.status == 1);
    CHECK(r.out == header(files[0]) + single(files[0]) + header(files[1]) + single(files[1]));
    std::istringstream err(r.err);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(err, line)) lines.push_back(line);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find("tactus-analyze: ") == 0);
    CHECK(lines[0].find("broken.wav") != std::string::npos);
    CHECK(lines[1].find("missing.flac") != std::string::npos);
    // with --out-dir a failed file leaves nothing behind
    const auto out = scratch("bad-out");
    const auto r2 = run(analyze() + " --out-dir " + quote(out) + " " + quote(dir / "broken.wav") + " " + quote(files[3]));
    CHECK(r2.status == 1);
    CHECK_FALSE(fs::exists(out / "broken.beats"));
    CHECK_FALSE(fs::exists(out / "broken.beats.part"));
    CHECK(fs::exists(out / "d-groove-141.beats"));
}
