#pragma once
// The audio frames of a native FLAC stream, decoded here rather than by
// libFLAC, which still reads the stream's metadata and anything this does
// not take (more than 24 bits a sample). Why: after the networks, decoding
// was the largest part of tactus-analyze's CPU time (libFLAC 11.7 of 73 ms
// on a 30 s mono clip, 13.7 ms with the conversions), split between its
// bit reader (branches on every code that the predictor cannot learn) and
// its predictor (one multiply a coefficient a sample: twelve cycles a
// sample at flac -8's order 12). Here the residuals are read four codes at
// a time from a 64-bit window with one check for the four, the older
// predictor taps of four samples are summed in vector lanes, and the
// samples come out as floats (int / 2^(bits - 1), as libFLAC's path and
// libsndfile give them): 9.1 ms for that clip (Sapphire Rapids), the
// same samples bit for bit (tests/engine/flac_frames_test.cpp holds them
// to libFLAC's at every setting libsndfile writes, and every eval-dev clip).
//
// Every frame is checked as libFLAC checks it: its header's CRC-8 and the
// whole frame's CRC-16, the format the stream declared, reserved codes,
// partitions that do not fit the block. A frame that fails raises
// tactus::Error with libFLAC's reason; bytes that end inside a frame are a
// stream that breaks off. Never reads outside [data, data + size).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tactus {

// FLAC's frame CRC-16 (polynomial 0x8005, MSB first, from 0) of n bytes.
std::uint16_t flac_crc16(const std::uint8_t* p, std::size_t n);

class FlacFrames {
public:
    // Reads up to `max` of the stream's next bytes into dst; 0 at its end.
    using Source = std::function<std::size_t(std::uint8_t* dst, std::size_t max)>;

    // The stream from its first frame (after the metadata), read as the
    // frames need it, `read_ahead` bytes at a time, into a buffer that
    // grows for a frame larger than that (a mapping of the file would grow
    // the RSS with the file, and fault if the file shrank); channels and
    // bits as STREAMINFO declares them (1-8 channels, 4-24 bits).
    static constexpr std::size_t kReadAhead = 256u << 10;
    FlacFrames(Source source, unsigned channels, unsigned bits, std::size_t read_ahead = kReadAhead);
    // The same from bytes in memory, which must outlive this.
    FlacFrames(const std::uint8_t* data, std::size_t size, unsigned channels, unsigned bits);

    // Supported by this decoder (otherwise libFLAC decodes the stream).
    static bool supports(unsigned channels, unsigned bits) {
        return channels >= 1 && channels <= 8 && bits >= 4 && bits <= 24;
    }

    // The next frame, interleaved, into `out` (resized to its samples);
    // returns its frames, 0 at the end of the stream.
    std::size_t next(std::vector<float>& out);
    // From now on next() gives the frames mixed to mono instead, the mean
    // of the channels as mix_to_mono (audio_file.hpp) takes it, bit for
    // bit: no interleaved copy to write and read again.
    void set_mono(bool on) { mono_ = on; }

private:
    struct Reader;
    std::size_t frame(std::vector<float>& out);  // the frame at at_; throws OutOfBytes past size_
    void fill(std::size_t want);                 // at least `want` bytes from at_ at hand, or the end
    void subframe(Reader& r, int ch, unsigned block, unsigned bits);
    void residual(Reader& r, std::int32_t* out, unsigned block, unsigned order);
    Source source_;
    std::size_t read_ahead_ = 0;
    std::vector<std::uint8_t> buffer_;  // with a source: bytes [at_, size_) are the stream's next
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0, at_ = 0;
    bool end_ = false;  // no bytes beyond size_
    unsigned channels_, bits_;
    bool mono_ = false;
    std::vector<std::int32_t> samples_;  // the frame's channels, one block after the other
};

}  // namespace tactus
