#pragma once
// BeatNet's CRNN on the CPU, one frame at a time with the LSTM state carried
// over: conv1d(1->2, k=10) -> ReLU -> max-pool(2) -> linear(262->150) ->
// LSTM(150) x 2 -> linear(150->3) -> softmax [beat, downbeat, no beat].
// Weights are repacked at construction (padded to the vector width, gates
// interleaved for the cell update; for the fast arithmetic quantised to 7
// bits a row, see CrnnArithmetic); step() does not allocate.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tactus/crnn_backend.hpp"
#include "tactus/model.hpp"

namespace tactus {

// The buffers a batch's intermediates go through (about 180 KB). Networks
// that run one after another on one thread, as an ensemble's do, share one
// set: three sets beside three networks' weights (1.35 MB of int8), the
// features and the tracker overflowed a 2 MB L2 (a 30 s file: about 1 ms
// and 0.5 MB of RSS less with one set, Sapphire Rapids).
class CrnnScratch;
std::shared_ptr<CrnnScratch> make_crnn_scratch();

class CrnnCpu {
public:
    // The weights are packed (copied) here: the view may go afterwards.
    // Without a scratch the network has its own; with one, no other
    // network may run with it at the same time.
    CrnnCpu(const CrnnWeightsView& weights, CrnnArithmetic arithmetic, std::shared_ptr<CrnnScratch> scratch = nullptr);
    CrnnCpu(const CrnnWeights& weights, CrnnArithmetic arithmetic);
    // A network read from an image (image(); a packed model file holds
    // one): the int8 weights in place, so the image (64-byte aligned,
    // image_bytes() long) must outlive the network; the LSTM state the
    // image's.
    explicit CrnnCpu(const std::uint8_t* image, std::shared_ptr<CrnnScratch> scratch = nullptr);
    ~CrnnCpu();
    CrnnCpu(const CrnnCpu&) = delete;
    CrnnCpu& operator=(const CrnnCpu&) = delete;

    // Zero LSTM state, as at the start of a file.
    void reset();
    // features[272] -> probabilities[3]
    void step(const float* features, float* probabilities);
    // `frames` consecutive frames at once: features[frames][272] ->
    // probabilities[frames][3]. Bitwise the same as step() frame by frame,
    // and faster for files (the input weights are read once per batch).
    void run(const float* features, int frames, float* probabilities);
    static constexpr int kMaxBatch = 32;

    // The fast arithmetic's network as one image: its packed weights and
    // its LSTM state now. Throws tactus::Error for the exact arithmetic.
    std::vector<std::uint8_t> image() const;
    static std::size_t image_bytes();
    // What the image's arrays depend on besides the model: vector widths
    // and the int8 kernel.
    static std::string image_layout();
    // Back to the state of the image it was read from; false (and nothing
    // changed) for a network packed from weights.
    bool restore_image_state();

    // Intermediates of the last step() (for tests against the golden arrays;
    // with a shared scratch, until another network runs).
    const float* linear0_out() const;  // [150]
    const float* lstm_out() const;     // [150], second layer's h
    const float* logits() const;       // [3]

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tactus
