#include "crnn_service.hpp"

namespace tactus::cuda {

namespace {
std::vector<CrnnWeights> copy_weights(const std::vector<const CrnnWeights*>& ensemble) {
    std::vector<CrnnWeights> out;
    for (const CrnnWeights* w : ensemble) out.push_back(*w);
    return out;
}
}  // namespace

CrnnService::CrnnService(const std::vector<const CrnnWeights*>& ensemble, const CudaCrnn::Options& options,
                         std::chrono::microseconds linger)
    : host_weights_(copy_weights(ensemble)),
      crnn_(ensemble, options),
      linger_(linger),
      used_(std::size_t(crnn_.options().slots), 0),
      reset_(used_.size(), 0) {}

int CrnnService::acquire() {
    std::lock_guard lock(m_);
    for (std::size_t s = 0; s < used_.size(); ++s)
        if (!used_[s]) {
            used_[s] = 1;
            reset_[s] = 1;
            ++active_;
            return int(s);
        }
    return -1;
}

void CrnnService::release(int slot) {
    std::lock_guard lock(m_);
    if (slot < 0 || std::size_t(slot) >= used_.size() || !used_[std::size_t(slot)]) return;
    used_[std::size_t(slot)] = 0;
    --active_;
    cv_.notify_all();  // a gathering leader may be waiting for this stream
}

int CrnnService::active() const {
    std::lock_guard lock(m_);
    return active_;
}

void CrnnService::reset(int slot) {
    std::lock_guard lock(m_);
    if (slot >= 0 && std::size_t(slot) < reset_.size()) reset_[std::size_t(slot)] = 1;
}

std::vector<const CrnnWeights*> CrnnService::weights() const {
    std::vector<const CrnnWeights*> out;
    for (const auto& w : host_weights_) out.push_back(&w);
    return out;
}

void CrnnService::run(int slot, const float* features, int frames, float* probabilities) {
    std::unique_lock lock(m_);
    Pending me{{slot, frames, features, probabilities}, false, nullptr};
    pending_.push_back(&me);
    cv_.notify_all();
    while (!me.done) {
        if (busy_) {
            cv_.wait(lock);
            continue;
        }
        // This thread leads the next round: it waits a little for the other
        // active streams, then runs everything that is waiting.
        busy_ = true;
        cv_.wait_for(lock, linger_, [&] { return int(pending_.size()) >= active_; });
        std::vector<Pending*> round;
        round.swap(pending_);
        batch_.clear();
        for (const Pending* p : round) batch_.push_back(p->request);
        // crnn_ is touched by one leader at a time, outside the lock
        for (std::size_t s = 0; s < reset_.size(); ++s)
            if (reset_[s]) {
                crnn_.reset(int(s));
                reset_[s] = 0;
            }
        lock.unlock();
        std::exception_ptr error;
        try {
            crnn_.run(batch_);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        for (Pending* p : round) {
            p->done = true;
            p->error = error;
        }
        busy_ = false;
        cv_.notify_all();
    }
    if (me.error) std::rethrow_exception(me.error);
}

}  // namespace tactus::cuda
