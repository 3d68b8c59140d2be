#include "tactus/audio_file.hpp"

#include <FLAC/stream_decoder.h>
#include <dlfcn.h>
#include <sndfile.h>

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <type_traits>

#include "flac_frames.hpp"
#include "tactus/error.hpp"
#include "tactus/resampler.hpp"

namespace tactus {

struct AudioFile::Flac {
    FLAC__StreamDecoder* decoder = FLAC__stream_decoder_new();
    unsigned channels = 0, bits = 0, rate = 0;
    std::uint64_t total = 0;  // frames, 0 if the stream does not say
    std::vector<float> frame;  // the last decoded FLAC frame, interleaved
    std::size_t used = 0;      // of it, frames already read
    bool failed = false;
    std::string error;
    // the frames, decoded by FlacFrames where it supports the format, read
    // from a second handle on the file (libFLAC has read the metadata)
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in{nullptr, &std::fclose};
    std::unique_ptr<FlacFrames> frames;
    bool mono = false;  // frames gives mono (read_mono)

    ~Flac() {
        if (decoder) FLAC__stream_decoder_delete(decoder);
    }

    static FLAC__StreamDecoderWriteStatus on_frame(const FLAC__StreamDecoder*, const FLAC__Frame* f,
                                                   const FLAC__int32* const buffer[], void* self) {
        Flac& d = *static_cast<Flac*>(self);
        const unsigned n = f->header.blocksize, ch = f->header.channels;
        if (ch != d.channels || f->header.bits_per_sample != d.bits) {
            d.failed = true;
            d.error = "the stream changes its format";
            return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
        }
        // as libsndfile scales: a sample over 2^(bits - 1), exact in float
        const float scale = 1.f / float(1u << (d.bits - 1));
        d.frame.resize(std::size_t(n) * ch);
        for (unsigned c = 0; c < ch; ++c) {
            const FLAC__int32* in = buffer[c];
            float* out = d.frame.data() + c;
            for (unsigned i = 0; i < n; ++i) out[std::size_t(i) * ch] = float(in[i]) * scale;
        }
        d.used = 0;
        return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
    }
    static void on_metadata(const FLAC__StreamDecoder*, const FLAC__StreamMetadata* m, void* self) {
        Flac& d = *static_cast<Flac*>(self);
        if (m->type != FLAC__METADATA_TYPE_STREAMINFO) return;
        d.channels = m->data.stream_info.channels;
        d.bits = m->data.stream_info.bits_per_sample;
        d.rate = m->data.stream_info.sample_rate;
        d.total = m->data.stream_info.total_samples;
    }
    static void on_error(const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus status, void* self) {
        Flac& d = *static_cast<Flac*>(self);
        d.failed = true;
        switch (status) {
        case FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC: d.error = "the FLAC stream breaks off (truncated or corrupt)"; break;
        case FLAC__STREAM_DECODER_ERROR_STATUS_BAD_HEADER: d.error = "a corrupt FLAC frame header"; break;
        case FLAC__STREAM_DECODER_ERROR_STATUS_FRAME_CRC_MISMATCH: d.error = "a FLAC frame fails its checksum (corrupt)"; break;
        default: d.error = "an unreadable FLAC stream"; break;
        }
    }
};

namespace {

// A native FLAC stream ("fLaC" first; FLAC in Ogg goes to libsndfile).
// libsndfile, loaded with the first file that is not FLAC: FLAC files
// (and the plugin and tactus-jack, which read none) never need it, and
// linking it loaded it with its codecs (Vorbis, Opus, MPEG, LAME) at every
// start: 0.5 ms of each tactus-analyze run, and their memory in every
// plugin host.
struct Sndfile {
    decltype(&::sf_open) open = nullptr;
    decltype(&::sf_close) close = nullptr;
    decltype(&::sf_readf_float) readf_float = nullptr;
    decltype(&::sf_strerror) strerror = nullptr;
    decltype(&::sf_error) error = nullptr;
    std::string why;  // why it could not be loaded
};

const Sndfile& sndfile() {
    static const Sndfile api = [] {
        Sndfile s;
        void* lib = ::dlopen("libsndfile.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            const char* e = ::dlerror();
            s.why = e ? e : "libsndfile.so.1 not found";
            return s;
        }
        auto get = [&](auto& fn, const char* name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
            if (!fn && s.why.empty()) s.why = std::string("libsndfile.so.1 has no ") + name;
        };
        get(s.open, "sf_open");
        get(s.close, "sf_close");
        get(s.readf_float, "sf_readf_float");
        get(s.strerror, "sf_strerror");
        get(s.error, "sf_error");
        if (!s.why.empty()) s.open = nullptr;
        return s;
    }();
    return api;
}

bool is_native_flac(const std::filesystem::path& path) {
    char magic[4] = {};
    std::ifstream in(path, std::ios::binary);
    return in.read(magic, 4) && std::memcmp(magic, "fLaC", 4) == 0;
}

}  // namespace

AudioFile::AudioFile(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error("cannot open " + path.string() + ": no such file");
    if (std::filesystem::is_directory(path, ec)) throw Error("cannot open " + path.string() + ": is a directory");
    if (is_native_flac(path) && open_flac()) return;
    const Sndfile& sf = sndfile();
    if (!sf.open) throw Error("cannot read " + path.string() + ": libsndfile cannot be loaded (" + sf.why + ")");
    SF_INFO info{};
    file_ = sf.open(path.c_str(), SFM_READ, &info);
    if (!file_)
        throw Error("cannot read " + path.string() + ": " + sf.strerror(nullptr) +
                    " (not an audio file libsndfile can decode, or corrupt)");
    channels_ = info.channels;
    rate_ = double(info.samplerate);
    frames_ = info.frames;
    if (channels_ < 1 || channels_ > 64) {
        sf.close(file_);
        throw Error("cannot read " + path.string() + ": unsupported channel count " + std::to_string(channels_));
    }
    if (!(rate_ >= kMinSampleRate && rate_ <= kMaxSampleRate)) {
        sf.close(file_);
        throw Error("cannot read " + path.string() + ": sample rate " + std::to_string(info.samplerate) +
                    " Hz is outside 8000-192000 Hz");
    }
    if (frames_ <= 0) {
        sf.close(file_);
        throw Error(path.string() + " holds no audio (0 frames)");
    }
}

bool AudioFile::open_flac() {
    auto d = std::make_unique<Flac>();
    if (!d->decoder) return false;
    if (FLAC__stream_decoder_init_file(d->decoder, path_.c_str(), Flac::on_frame, Flac::on_metadata, Flac::on_error,
                                       d.get()) != FLAC__STREAM_DECODER_INIT_STATUS_OK ||
        !FLAC__stream_decoder_process_until_end_of_metadata(d->decoder) || d->failed || d->channels == 0 ||
        d->total == 0)
        return false;  // libsndfile tries it (a stream of unknown length too), and says what is wrong
    if (d->bits < 4 || d->bits > 32)
        throw Error("cannot read " + path_.string() + ": unsupported FLAC sample size " + std::to_string(d->bits));
    channels_ = int(d->channels);
    rate_ = double(d->rate);
    frames_ = std::int64_t(d->total);
    FLAC__uint64 first_frame = 0;
    if (FlacFrames::supports(d->channels, d->bits) &&
        FLAC__stream_decoder_get_decode_position(d->decoder, &first_frame)) {
        d->in.reset(std::fopen(path_.c_str(), "rb"));
        if (d->in && std::setvbuf(d->in.get(), nullptr, _IONBF, 0) == 0 &&
            fseeko(d->in.get(), off_t(first_frame), SEEK_SET) == 0) {
            std::FILE* in = d->in.get();
            d->frames = std::make_unique<FlacFrames>(
                [in](std::uint8_t* dst, std::size_t max) { return std::fread(dst, 1, max, in); }, d->channels,
                d->bits);
        }  // else libFLAC decodes the frames too
    }
    flac_ = std::move(d);
    check_format();
    return true;
}

void AudioFile::check_format() {
    if (channels_ < 1 || channels_ > 64)
        throw Error("cannot read " + path_.string() + ": unsupported channel count " + std::to_string(channels_));
    if (!(rate_ >= kMinSampleRate && rate_ <= kMaxSampleRate))
        throw Error("cannot read " + path_.string() + ": sample rate " + std::to_string(std::llround(rate_)) +
                    " Hz is outside 8000-192000 Hz");
    if (frames_ <= 0) throw Error(path_.string() + " holds no audio (0 frames)");
}

AudioFile::~AudioFile() {
    if (file_) sndfile().close(file_);
}

std::size_t AudioFile::read_flac(float* interleaved, std::size_t frames) {
    Flac& d = *flac_;
    const std::size_t ch = d.mono ? 1 : d.channels;
    std::size_t got = 0;
    while (got < frames) {
        const std::size_t have = d.frame.size() / ch - d.used;
        if (have == 0 && d.frames) {
            std::size_t n;
            try {
                n = d.frames->next(d.frame);
            } catch (const Error& e) {
                throw Error("error while reading " + path_.string() + ": " + e.what());
            }
            if (n == 0) break;
            d.used = 0;
            continue;
        }
        if (have == 0) {
            if (FLAC__stream_decoder_get_state(d.decoder) == FLAC__STREAM_DECODER_END_OF_STREAM) break;
            if (!FLAC__stream_decoder_process_single(d.decoder) || d.failed)
                throw Error("error while reading " + path_.string() + ": " +
                            (d.error.empty() ? FLAC__StreamDecoderStateString[FLAC__stream_decoder_get_state(d.decoder)]
                                             : d.error));
            continue;
        }
        const std::size_t k = std::min(have, frames - got);
        std::memcpy(interleaved + got * ch, d.frame.data() + d.used * ch, k * ch * sizeof(float));
        d.used += k;
        got += k;
    }
    return got;
}

std::size_t AudioFile::read_mono(float* mono, std::size_t frames) {
    if (channels_ == 1) return read(mono, frames);
    if (flac_ && flac_->frames && (flac_->mono || flac_->frame.empty())) {
        flac_->frames->set_mono(true);
        flac_->mono = true;
        return read_flac(mono, frames);
    }
    mix_.resize(frames * std::size_t(channels_));
    const std::size_t n = read(mix_.data(), frames);
    mix_to_mono(mix_.data(), n, channels_, mono);
    return n;
}

std::size_t AudioFile::read(float* interleaved, std::size_t frames) {
    if (flac_ && flac_->mono) throw Error("AudioFile: read() after read_mono() on " + path_.string());
    if (flac_) return read_flac(interleaved, frames);
    const Sndfile& sf = sndfile();
    const sf_count_t got = sf.readf_float(file_, interleaved, sf_count_t(frames));
    if (got < 0) throw Error("error while reading " + path_.string() + ": " + sf.strerror(file_));
    if (got == 0 && sf.error(file_) != SF_ERR_NO_ERROR)
        throw Error("error while reading " + path_.string() + ": " + sf.strerror(file_));
    return std::size_t(got);
}

void mix_to_mono(const float* interleaved, std::size_t frames, int channels, float* mono) {
    if (channels == 1) {
        for (std::size_t i = 0; i < frames; ++i) mono[i] = interleaved[i];
        return;
    }
    if (channels == 2) {  // the same sums, in a loop the compiler vectorises (a halving is exact)
        for (std::size_t i = 0; i < frames; ++i) {
            float s = 0.f;
            s += interleaved[2 * i];
            s += interleaved[2 * i + 1];
            mono[i] = s / 2.f;
        }
        return;
    }
    for (std::size_t i = 0; i < frames; ++i) {
        float s = 0.f;
        for (int c = 0; c < channels; ++c) s += interleaved[i * std::size_t(channels) + std::size_t(c)];
        mono[i] = s / float(channels);
    }
}

std::vector<float> read_mono(const std::filesystem::path& path, double* sample_rate) {
    AudioFile f(path);
    if (sample_rate) *sample_rate = f.sample_rate();
    std::vector<float> out;
    std::size_t n;
    do {
        const std::size_t at = out.size();
        out.resize(at + 4096);
        n = f.read_mono(out.data() + at, 4096);
        out.resize(at + n);
    } while (n > 0);
    return out;
}

}  // namespace tactus
