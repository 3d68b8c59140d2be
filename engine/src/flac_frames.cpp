#include "flac_frames.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#if defined(__AVX2__) || (defined(__PCLMUL__) && defined(__SSSE3__))
#include <immintrin.h>
#endif

#include "tactus/error.hpp"

namespace tactus {
namespace {

// libFLAC's reasons, as AudioFile reports them
const char* const kBrokenOff = "the FLAC stream breaks off (truncated or corrupt)";
const char* const kBadHeader = "a corrupt FLAC frame header";
const char* const kBadCrc = "a FLAC frame fails its checksum (corrupt)";
const char* const kUnreadable = "an unreadable FLAC stream";
const char* const kFormatChange = "the stream changes its format";

[[noreturn]] void fail(const char* why) { throw Error(why); }

// The bytes at hand end inside the frame: more are read, or at the end of
// the stream it breaks off.
struct OutOfBytes {};
[[noreturn]] void out_of_bytes() { throw OutOfBytes{}; }

// A frame, however corrupt, is never read from further than this: the
// largest valid one (65535 samples, 8 channels of 33 bits, verbatim) is
// about 2.2 MB.
constexpr std::size_t kMaxFrameBytes = 8u << 20;

constexpr std::array<std::uint8_t, 256> crc8_table() {
    std::array<std::uint8_t, 256> t{};
    for (int i = 0; i < 256; ++i) {
        unsigned c = unsigned(i);
        for (int b = 0; b < 8; ++b) c = (c & 0x80) ? ((c << 1) ^ 0x07) : (c << 1);
        t[std::size_t(i)] = std::uint8_t(c);
    }
    return t;
}
constexpr auto kCrc8 = crc8_table();

// CRC-16 (polynomial 0x8005, MSB first), eight bytes a step ("slicing by
// 8"): a frame is checked whole, a byte-at-a-time loop would be a tenth of
// the decoding time.
using Crc16Tables = std::array<std::array<std::uint16_t, 256>, 8>;
constexpr Crc16Tables crc16_tables() {
    Crc16Tables t{};
    for (int i = 0; i < 256; ++i) {
        unsigned c = unsigned(i) << 8;
        for (int b = 0; b < 8; ++b) c = (c & 0x8000) ? ((c << 1) ^ 0x8005) : (c << 1);
        t[0][std::size_t(i)] = std::uint16_t(c);
    }
    for (int k = 1; k < 8; ++k)
        for (int i = 0; i < 256; ++i) {
            const unsigned prev = t[std::size_t(k - 1)][std::size_t(i)];
            t[std::size_t(k)][std::size_t(i)] = std::uint16_t((prev << 8) ^ t[0][(prev >> 8) & 0xff]);
        }
    return t;
}
constexpr Crc16Tables kCrc16 = crc16_tables();

unsigned crc16_bytes(unsigned c, const std::uint8_t* p, std::size_t n) {
    for (; n >= 8; n -= 8, p += 8) {
        c = kCrc16[7][((c >> 8) ^ p[0]) & 0xff] ^ kCrc16[6][(c ^ p[1]) & 0xff] ^ kCrc16[5][p[2]] ^ kCrc16[4][p[3]] ^
            kCrc16[3][p[4]] ^ kCrc16[2][p[5]] ^ kCrc16[1][p[6]] ^ kCrc16[0][p[7]];
    }
    for (; n > 0; --n, ++p) c = ((c << 8) ^ kCrc16[0][((c >> 8) ^ *p) & 0xff]) & 0xffff;
    return c;
}

#if defined(__PCLMUL__) && defined(__SSSE3__)
// x^n mod P(x), P = x^16 + x^15 + x^2 + 1
constexpr std::uint64_t x_pow_mod(int n) {
    std::uint32_t r = 1;
    for (int i = 0; i < n; ++i) {
        r <<= 1;
        if (r & 0x10000) r ^= 0x18005;
    }
    return r;
}

// With carry-less multiplies, 16 bytes a step (about a tenth of the
// tables' time): the bytes so far, as a 128-bit polynomial X = H x^64 + L
// (first byte highest), are only needed modulo P, so the next 16 bytes
// fold in as X x^128 + B = H (x^192 mod P) + L (x^128 mod P) + B. The
// folded X, as 16 bytes, then the bytes left over go through the tables:
// their CRC is that of the whole.
std::uint16_t crc16(const std::uint8_t* p, std::size_t n) {
    if (n < 32) return std::uint16_t(crc16_bytes(0, p, n));
    const __m128i reverse = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m128i k = _mm_set_epi64x(std::int64_t(x_pow_mod(192)), std::int64_t(x_pow_mod(128)));
    auto load = [&](const std::uint8_t* q) {
        return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)), reverse);
    };
    const std::size_t blocks = n / 16;
    __m128i x = load(p);
    for (std::size_t b = 1; b < blocks; ++b) {
        const __m128i h = _mm_clmulepi64_si128(x, k, 0x11), l = _mm_clmulepi64_si128(x, k, 0x00);
        x = _mm_xor_si128(_mm_xor_si128(h, l), load(p + 16 * b));
    }
    alignas(16) std::uint8_t folded[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(folded), _mm_shuffle_epi8(x, reverse));
    return std::uint16_t(crc16_bytes(crc16_bytes(0, folded, 16), p + 16 * blocks, n % 16));
}
#else
std::uint16_t crc16(const std::uint8_t* p, std::size_t n) { return std::uint16_t(crc16_bytes(0, p, n)); }
#endif

// s[i] += (sum_j c[j] s[i - 1 - j]) >> shift for i >= N, in 64 bits (a
// corrupt stream must not overflow: it fails its CRC; a valid one never
// needs more than 45 bits). One sample waits on the one before: the chain
// is one multiply, two adds and a shift, the rest is throughput.
//
// Orders up to 7: the loop unrolls into scalar multiply-adds, the sum of
// the older samples off the chain. Vectorising that sum (GCC does, by
// default) made it half as fast: a horizontal sum a sample.
template <int N>
__attribute__((optimize("no-tree-vectorize"))) void lpc_scalar(std::int32_t* s, unsigned from, unsigned block,
                                                                const std::int64_t* c, int shift) {
    std::int64_t k[N];
    for (int j = 0; j < N; ++j) k[j] = c[j];
    for (unsigned i = from; i < block; ++i) {
        std::int64_t older = 0;
#pragma GCC unroll 32
        for (int j = 1; j < N; ++j) older += k[j] * s[i - 1 - j];
        s[i] = std::int32_t(std::uint32_t(s[i] + ((older + k[0] * s[i - 1]) >> shift)));
    }
}

template <int N>
void lpc_unblocked(std::int32_t* s, unsigned block, const std::int64_t* c, int shift) {
    lpc_scalar<N>(s, N, block, c, shift);
}

#if defined(__AVX2__)
// Orders 8 and up (flac -8 uses 12): one multiply a coefficient a sample
// made the integer multiplier the bound (12 cycles a sample). Four samples
// at a time, the taps on samples at least five back (j >= 7, known before
// the four start) are summed for all four in 64-bit vector lanes; the
// seven newest taps stay scalar, their samples in registers (a load of
// one just stored would wait on store forwarding).
template <int N>
__attribute__((optimize("no-tree-vectorize"))) void lpc_blocked(std::int32_t* s, unsigned block,
                                                                 const std::int64_t* c, int shift) {
    static_assert(N >= 8);
    __m256i cv[N - 7];
    for (int j = 7; j < N; ++j) cv[j - 7] = _mm256_set1_epi64x(c[j]);
    const std::int64_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6];
    std::int64_t h0 = s[N - 1], h1 = s[N - 2], h2 = s[N - 3], h3 = s[N - 4], h4 = s[N - 5], h5 = s[N - 6],
                 h6 = s[N - 7];  // s[i - 1], s[i - 2], ...
    unsigned i = N;
    for (; i + 4 <= block; i += 4) {
        __m256i acc = _mm256_setzero_si256();
#pragma GCC unroll 32
        for (int j = 7; j < N; ++j)  // lanes t = 0..3: c[j] s[i + t - 1 - j], all before s[i - 4]
            acc = _mm256_add_epi64(
                acc, _mm256_mul_epi32(_mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i - 1 - j))),
                                      cv[j - 7]));
        alignas(32) std::int64_t v[4];
        _mm256_store_si256(reinterpret_cast<__m256i*>(v), acc);
#pragma GCC unroll 4
        for (int t = 0; t < 4; ++t) {
            const std::int64_t older = v[t] + c1 * h1 + c2 * h2 + c3 * h3 + c4 * h4 + c5 * h5 + c6 * h6;
            const auto y = std::int32_t(std::uint32_t(s[i + unsigned(t)] + ((older + c0 * h0) >> shift)));
            s[i + unsigned(t)] = y;
            h6 = h5;
            h5 = h4;
            h4 = h3;
            h3 = h2;
            h2 = h1;
            h1 = h0;
            h0 = y;
        }
    }
    lpc_scalar<N>(s, i, block, c, shift);
}
#endif

using LpcRestore = void (*)(std::int32_t*, unsigned, const std::int64_t*, int);
template <int... N>
constexpr std::array<LpcRestore, sizeof...(N)> lpc_table(std::integer_sequence<int, N...>) {
#if defined(__AVX2__)
    // (lpc_blocked<8> stands in the untaken branch for the orders below 8)
    return {(N + 1 >= 8 ? &lpc_blocked<(N + 1 >= 8 ? N + 1 : 8)> : &lpc_unblocked<N + 1>)...};
#else
    return {&lpc_unblocked<N + 1>...};
#endif
}
constexpr auto kLpcRestore = lpc_table(std::make_integer_sequence<int, 32>{});

void lpc_restore(std::int32_t* s, unsigned block, const std::int64_t* c, unsigned order, int shift) {
    kLpcRestore[order - 1](s, block, c, shift);
}

}  // namespace

// Bits MSB first from a 64-bit window: its top `avail` bits are the next
// ones; the bits below them, where a refill left any, are the stream's
// following bits, so a later refill ORs the same values over them.
struct FlacFrames::Reader {
    const std::uint8_t *start, *p, *end;
    std::uint64_t buf = 0;
    int avail = 0;

    Reader(const std::uint8_t* s, const std::uint8_t* e) : start(s), p(s), end(e) {}

    // The window b (av <= 63 bits) topped up to 56-63 bits from 8 bytes at q
    static void refill8(std::uint64_t& b, int& av, const std::uint8_t*& q) {
        std::uint64_t w;
        std::memcpy(&w, q, 8);
        b |= __builtin_bswap64(w) >> av;
        const int bytes = (63 - av) >> 3;
        q += bytes;
        av += bytes * 8;
    }
    void refill() {
        if (end - p >= 8) {
            refill8(buf, avail, p);
        } else {
            while (avail <= 55 && p < end) {  // at most 63: a refill shifts by it
                buf |= std::uint64_t(*p++) << (56 - avail);
                avail += 8;
            }
        }
    }
    std::size_t byte_pos() const { return std::size_t(p - start) - std::size_t(avail / 8); }
    void align() {
        const int drop = avail % 8;
        buf <<= drop;
        avail -= drop;
    }
    std::uint32_t bits(int n) {  // 0 <= n <= 32
        if (n == 0) return 0;
        if (avail < n) {
            refill();
            if (avail < n) out_of_bytes();
        }
        const auto v = std::uint32_t(buf >> (64 - n));
        buf <<= n;
        avail -= n;
        return v;
    }
    std::int32_t sbits(int n) {  // two's complement, 0 <= n <= 32
        if (n == 0) return 0;
        return std::int32_t(bits(n) << (32 - n)) >> (32 - n);
    }
    std::uint32_t unary() {  // zeros before the next 1
        std::uint32_t q = 0;
        for (;;) {
            const int lz = buf ? __builtin_clzll(buf) : 64;
            if (lz < avail) {
                buf <<= lz;
                buf <<= 1;
                avail -= lz + 1;
                return q + std::uint32_t(lz);
            }
            q += std::uint32_t(avail);
            buf = 0;
            avail = 0;
            refill();
            if (avail == 0) out_of_bytes();
        }
    }
    // One residual the slow way (a group's last codes, the stream's last
    // bytes, a group that did not fit): quotient in unary, k low bits,
    // zigzag; 32-bit wraparound as in libFLAC (a corrupt value fails the
    // frame's CRC later)
    std::int32_t rice(int k) {
        const std::uint32_t v = (unary() << k) | bits(k);
        return std::int32_t(v >> 1) ^ -std::int32_t(v & 1);
    }
    // n residuals with parameter k. Four codes at a time from a window
    // refilled to at least 56 bits, checked once for all four: a check and
    // a refill per code were branches the predictor could not learn (the
    // codes' lengths vary), which cost more than the decoding. A group
    // that does not fit (a long quotient, garbage) is read again code by
    // code. The window is kept in locals: in the members, every store of a
    // residual (an int32) might alias `avail` and would make the compiler
    // reload the window.
    void rice_block(std::int32_t* o, unsigned n, int k) {
        std::uint64_t b = buf;
        int av = avail;  // <= 63
        const std::uint8_t* q = p;
        unsigned i = 0;
        for (; i + 4 <= n && end - q >= 8; i += 4) {
            refill8(b, av, q);
            const std::uint64_t b0 = b;
            const int av0 = av;
            std::uint32_t v[4];
            for (int t = 0; t < 4; ++t) {
                const int lz = __builtin_clzll(b | 1);  // 63 for an empty window: too long, below
                const int len = lz + 1 + k;
                // the remainder off the window's chain; k = 0 gives 0
                v[t] = (std::uint32_t(lz) << k) | std::uint32_t(((b << lz << 1) >> 1) >> (63 - k));
                b <<= len & 63;
                av -= len;
            }
            if (av < 0) {  // one of the four ran past the window: again, one by one
                buf = b0;
                avail = av0;
                p = q;
                for (int t = 0; t < 4; ++t) o[i + unsigned(t)] = rice(k);
                b = buf;
                av = avail;
                q = p;
                continue;
            }
            for (int t = 0; t < 4; ++t) o[i + unsigned(t)] = std::int32_t(v[t] >> 1) ^ -std::int32_t(v[t] & 1);
        }
        buf = b;
        avail = av;
        p = q;
        for (; i < n; ++i) o[i] = rice(k);
    }
};

std::uint16_t flac_crc16(const std::uint8_t* p, std::size_t n) { return crc16(p, n); }

FlacFrames::FlacFrames(const std::uint8_t* data, std::size_t size, unsigned channels, unsigned bits)
    : data_(data), size_(size), end_(true), channels_(channels), bits_(bits) {}

FlacFrames::FlacFrames(Source source, unsigned channels, unsigned bits, std::size_t read_ahead)
    : source_(std::move(source)), read_ahead_(std::max<std::size_t>(read_ahead, 64)), channels_(channels), bits_(bits) {}

void FlacFrames::fill(std::size_t want) {
    if (end_) return;
    const std::size_t have = size_ - at_;
    if (buffer_.size() < want) buffer_.resize(want);
    if (at_ > 0 && have > 0) std::memmove(buffer_.data(), buffer_.data() + at_, have);
    at_ = 0;
    size_ = have;
    while (size_ < want) {
        const std::size_t got = source_(buffer_.data() + size_, want - size_);
        if (got == 0) {
            end_ = true;
            break;
        }
        size_ += got;
    }
    data_ = buffer_.data();
}

std::size_t FlacFrames::next(std::vector<float>& out) {
    // read on when a quarter of the read-ahead is left (a frame of 16-bit
    // stereo at flac's default block is about 10 KB)
    if (size_ - at_ < read_ahead_ / 4) fill(read_ahead_);
    for (;;) {
        if (at_ >= size_) return 0;
        try {
            return frame(out);
        } catch (const OutOfBytes&) {
            // a frame longer than the bytes at hand: read more, up to the
            // largest a frame can be
            const std::size_t have = size_ - at_;
            if (end_ || have >= kMaxFrameBytes) fail(kBrokenOff);
            fill(std::min(kMaxFrameBytes, 2 * std::max(have, read_ahead_)));
        }
    }
}

void FlacFrames::residual(Reader& r, std::int32_t* out, unsigned block, unsigned order) {
    const std::uint32_t method = r.bits(2);
    if (method > 1) fail(kUnreadable);
    const int param_bits = method == 0 ? 4 : 5;
    const std::uint32_t escape = method == 0 ? 15 : 31;
    const unsigned porder = r.bits(4);
    const unsigned parts = 1u << porder;
    if (block % parts != 0 || (block >> porder) < order) fail(kUnreadable);
    std::int32_t* o = out + order;
    for (unsigned part = 0; part < parts; ++part) {
        const unsigned n = (block >> porder) - (part == 0 ? order : 0);
        const std::uint32_t k = r.bits(param_bits);
        if (k == escape) {
            const int raw = int(r.bits(5));
            for (unsigned i = 0; i < n; ++i) o[i] = r.sbits(raw);
        } else {
            r.rice_block(o, n, int(k));
        }
        o += n;
    }
}

void FlacFrames::subframe(Reader& r, int ch, unsigned block, unsigned bits) {
    std::int32_t* s = samples_.data() + std::size_t(ch) * block;
    if (r.bits(1) != 0) fail(kUnreadable);
    const std::uint32_t type = r.bits(6);
    unsigned wasted = 0;
    if (r.bits(1)) wasted = r.unary() + 1;
    if (wasted >= bits) fail(kUnreadable);
    bits -= wasted;
    if (type == 0) {  // constant
        const std::int32_t v = r.sbits(int(bits));
        for (unsigned i = 0; i < block; ++i) s[i] = v;
    } else if (type == 1) {  // verbatim
        for (unsigned i = 0; i < block; ++i) s[i] = r.sbits(int(bits));
    } else if (type >= 8 && type <= 12) {  // fixed polynomial predictor
        const unsigned order = type - 8;
        if (order > block) fail(kUnreadable);
        for (unsigned i = 0; i < order; ++i) s[i] = r.sbits(int(bits));
        residual(r, s, block, order);
        // 64-bit sums: a corrupt residual must not overflow (UB), only fail the CRC
        auto put = [&](unsigned i, std::int64_t v) { s[i] = std::int32_t(std::uint32_t(v)); };
        switch (order) {
        case 1:
            for (unsigned i = 1; i < block; ++i) put(i, std::int64_t(s[i]) + s[i - 1]);
            break;
        case 2:
            for (unsigned i = 2; i < block; ++i) put(i, std::int64_t(s[i]) + 2 * std::int64_t(s[i - 1]) - s[i - 2]);
            break;
        case 3:
            for (unsigned i = 3; i < block; ++i)
                put(i, std::int64_t(s[i]) + 3 * (std::int64_t(s[i - 1]) - s[i - 2]) + s[i - 3]);
            break;
        case 4:
            for (unsigned i = 4; i < block; ++i)
                put(i, std::int64_t(s[i]) + 4 * (std::int64_t(s[i - 1]) + s[i - 3]) - 6 * std::int64_t(s[i - 2]) -
                           s[i - 4]);
            break;
        default: break;
        }
    } else if (type >= 32) {  // LPC
        const unsigned order = (type & 31) + 1;
        if (order > block) fail(kUnreadable);
        for (unsigned i = 0; i < order; ++i) s[i] = r.sbits(int(bits));
        const unsigned precision = r.bits(4) + 1;
        if (precision == 16) fail(kUnreadable);
        const int shift = r.sbits(5);
        if (shift < 0) fail(kUnreadable);
        std::int64_t c[32];
        for (unsigned j = 0; j < order; ++j) c[j] = r.sbits(int(precision));
        residual(r, s, block, order);
        lpc_restore(s, block, c, order, shift);
    } else {
        fail(kUnreadable);
    }
    if (wasted)
        for (unsigned i = 0; i < block; ++i) s[i] = std::int32_t(std::uint32_t(s[i]) << wasted);
}

std::size_t FlacFrames::frame(std::vector<float>& out) {
    const std::uint8_t* f = data_ + at_;
    const std::size_t left = size_ - at_;
    if (left < 6) out_of_bytes();
    if (f[0] != 0xff || (f[1] & 0xfe) != 0xf8) fail(kBrokenOff);  // lost sync (libFLAC's word for it)
    Reader r(f, f + left);
    r.bits(16);
    const std::uint32_t bs_code = r.bits(4), sr_code = r.bits(4), assignment = r.bits(4), size_code = r.bits(3);
    if (r.bits(1) != 0 || bs_code == 0 || sr_code == 15 || size_code == 3 || assignment > 10) fail(kBadHeader);
    // frame or sample number, UTF-8 style: its length only
    const std::uint32_t lead = r.bits(8);
    int more = 0;
    if (lead & 0x80) {
        if ((lead & 0xc0) == 0x80 || lead == 0xff) fail(kBadHeader);
        for (std::uint32_t m = lead << 1; m & 0x80; m <<= 1) ++more;
    }
    for (int i = 0; i < more; ++i)
        if ((r.bits(8) & 0xc0) != 0x80) fail(kBadHeader);
    unsigned block;
    if (bs_code == 1) block = 192;
    else if (bs_code <= 5) block = 576u << (bs_code - 2);
    else if (bs_code == 6) block = r.bits(8) + 1;
    else if (bs_code == 7) block = r.bits(16) + 1;
    else block = 256u << (bs_code - 8);
    if (sr_code == 12) r.bits(8);
    else if (sr_code == 13 || sr_code == 14) r.bits(16);
    const std::size_t header_len = r.byte_pos();
    const std::uint32_t crc8 = r.bits(8);
    std::uint32_t c = 0;
    for (std::size_t i = 0; i < header_len; ++i) c = kCrc8[(c ^ f[i]) & 0xff];
    if (c != crc8) fail(kBadHeader);

    static constexpr unsigned kSizes[8] = {0, 8, 12, 0, 16, 20, 24, 32};
    const unsigned bits = size_code == 0 ? bits_ : kSizes[size_code];
    const unsigned channels = assignment <= 7 ? assignment + 1 : 2;
    if (bits != bits_ || channels != channels_) fail(kFormatChange);
    if (samples_.size() < std::size_t(channels) * block) samples_.resize(std::size_t(channels) * block);

    for (unsigned ch = 0; ch < channels; ++ch) {
        // the side channel has a bit more
        const bool side = (assignment == 8 && ch == 1) || (assignment == 9 && ch == 0) || (assignment == 10 && ch == 1);
        subframe(r, int(ch), block, bits + (side ? 1 : 0));
    }
    r.align();
    const std::size_t body = r.byte_pos();
    const std::uint32_t crc = r.bits(16);
    if (crc16(f, body) != crc) fail(kBadCrc);
    at_ += body + 2;

    std::int32_t* a = samples_.data();
    std::int32_t* b = samples_.data() + block;
    switch (assignment) {
    case 8:  // left, side
        for (unsigned i = 0; i < block; ++i) b[i] = std::int32_t(std::uint32_t(a[i]) - std::uint32_t(b[i]));
        break;
    case 9:  // side, right
        for (unsigned i = 0; i < block; ++i) a[i] = std::int32_t(std::uint32_t(a[i]) + std::uint32_t(b[i]));
        break;
    case 10:  // mid, side
        for (unsigned i = 0; i < block; ++i) {
            const std::int64_t side = b[i];
            const std::int64_t mid = (std::int64_t(a[i]) * 2) | (side & 1);
            a[i] = std::int32_t((mid + side) >> 1);
            b[i] = std::int32_t((mid - side) >> 1);
        }
        break;
    default: break;
    }
    const float scale = 1.f / float(1u << (bits - 1));
    if (mono_ && channels > 1) {
        // mix_to_mono's sums over the converted samples (a sample times
        // 2^-(bits-1) is exact, so a multiply-add rounds as the add alone)
        out.resize(block);
        float* o = out.data();
        if (channels == 2) {  // a and b: the two channels, as the stereo decorrelation left them
            for (unsigned i = 0; i < block; ++i) {
                float sum = 0.f;
                sum += float(a[i]) * scale;
                sum += float(b[i]) * scale;
                o[i] = sum / 2.f;
            }
        } else {
            const std::int32_t* s = samples_.data();
            for (unsigned i = 0; i < block; ++i) {
                float sum = 0.f;
                for (unsigned ch = 0; ch < channels; ++ch) sum += float(s[std::size_t(ch) * block + i]) * scale;
                o[i] = sum / float(channels);
            }
        }
        return block;
    }
    out.resize(std::size_t(block) * channels);
    if (channels == 1) {  // contiguous: vectorised
        const std::int32_t* s = samples_.data();
        float* o = out.data();
        for (unsigned i = 0; i < block; ++i) o[i] = float(s[i]) * scale;
    } else {
        for (unsigned ch = 0; ch < channels; ++ch) {
            const std::int32_t* s = samples_.data() + std::size_t(ch) * block;
            float* o = out.data() + ch;
            for (unsigned i = 0; i < block; ++i) o[std::size_t(i) * channels] = float(s[i]) * scale;
        }
    }
    return block;
}

}  // namespace tactus
