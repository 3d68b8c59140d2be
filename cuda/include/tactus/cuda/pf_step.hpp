#pragma once
// BeatNet's cascade particle filter, one frame of one stream, written as a
// sequence of phases for a block of kThreads threads. Each phase is a
// function (thread, threads); a barrier separates phases and no phase reads
// what another thread writes in the same phase. The kernel runs a phase on
// all threads of a block at once (one block per stream); the host runs it
// thread by thread (PfEmulator), which gives exactly the same result, so CPU
// tests check the kernel's logic and the GPU test checks it bitwise.
//
// The logic is BeatNetParticleFilter's (beatnet_pf.cpp, with its fixes);
// what differs is how it is parallel:
//  - random numbers come from Philox, one counter per particle and purpose
//    (philox.hpp), instead of one sequential generator;
//  - the particle-order shuffle of the motion (non-jumping particles first,
//    as BeatNet does) and the weight CDF are prefix sums over fixed chunks
//    of the particle array, one chunk per thread, whose order is the same
//    on the host and the device;
//  - each stratified sample finds its particle by binary search on the CDF
//    (the sequential merge finds the same one: the samples increase);
//  - the median comes from a histogram of the states.
#include <stdint.h>

#include "tactus/cuda/hd.hpp"
#include "tactus/cuda/pf_tables.hpp"
#include "tactus/cuda/philox.hpp"

namespace tactus::cuda {

// A stream's persistent state (global memory on the device).
struct PfStreamState {
    uint64_t seed;
    int64_t counter;          // frame of the last step; -1 before the first
    int64_t last_beat_frame;
    int32_t last_label;
    int32_t down_max;         // most populated meter state
    int32_t particles[PfTables::kMaxParticles];
    int32_t down_particles[PfTables::kMaxDownParticles];
};

// What one frame gives.
struct PfFrameOut {
    int8_t label;       // 0 none, 1 downbeat, 2 beat (BeatNet's labels), about frame - 1
    int8_t down_max;    // meter state after the step
    int16_t interval;   // beat interval (frames) of the cloud's median after the step
};

inline constexpr int kPfThreads = 256;
inline constexpr int kPfExtra = 32;  // room for injected particles

// The working set of one stream (shared memory on the device).
struct PfWork {
    int32_t part[PfTables::kMaxParticles + kPfExtra];
    int32_t tmp[PfTables::kMaxParticles + kPfExtra];
    union {
        double cdf[PfTables::kMaxParticles + kPfExtra];
        int32_t hist[PfTables::kMaxStates];
    };
    int32_t dpart[PfTables::kMaxDownParticles + kPfExtra];
    int32_t dtmp[PfTables::kMaxDownParticles + kPfExtra];
    double dcdf[PfTables::kMaxDownParticles + kPfExtra];
    int32_t dhist[PfTables::kMaxDownStates];
    double chunk_d[kPfThreads];
    int32_t chunk_i[kPfThreads];
    int32_t removed[kPfExtra];
    // scalars
    uint64_t seed;
    int64_t counter, last_beat_frame;
    int32_t last_label, down_max;
    int32_t n, dn, total_i, removed_n;
    int32_t lo_state, hi_state, median, upper;
    int32_t cond, label;
    float act;
};

TACTUS_HD inline void pf_atomic_add(int32_t* p, int32_t v) {
#ifdef __CUDA_ARCH__
    atomicAdd(p, v);
#else
    *p += v;
#endif
}

// Index drawn from a cumulative distribution (BeatNet's choice with p):
// the first entry above u * total, at most the last.
TACTUS_HD inline int draw_index(const double* cdf, int n, double u) {
    u *= cdf[n - 1];
    int lo = 0, hi = n;  // upper_bound
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (cdf[mid] <= u) lo = mid + 1;
        else hi = mid;
    }
    return lo < n - 1 ? lo : n - 1;
}

// The particle a stratified sample u picks: the first with cdf >= u, at
// most the last (what BeatNet's sequential merge finds).
TACTUS_HD inline int resample_search(const double* cdf, int n, double u) {
    int lo = 0, hi = n;  // lower_bound
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (cdf[mid] < u) lo = mid + 1;
        else hi = mid;
    }
    return lo < n - 1 ? lo : n - 1;
}

// Removing elements one at a time at positions `at` of the shrinking array
// is removing these original indices. removed[0..count) is sorted; returns
// the original index of position `at` and inserts it.
TACTUS_HD inline int erase_position(int at, int32_t* removed, int count) {
    int orig = at, k = 0;
    for (; k < count && removed[k] <= orig; ++k) ++orig;
    for (int m = count; m > k; --m) removed[m] = removed[m - 1];
    removed[k] = orig;
    return orig;
}

// [begin, end) of thread `tid`'s chunk of n items.
TACTUS_HD inline void pf_chunk(int n, int tid, int& begin, int& end) {
    const int size = (n + kPfThreads - 1) / kPfThreads;
    begin = tid * size < n ? tid * size : n;
    end = begin + size < n ? begin + size : n;
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
// The two middle order statistics of the particles -> median (BeatNet's
// int(np.median)) and upper median (the tempo estimate).
template <class Run>
TACTUS_HD void pf_median(Run& run, PfWork& w, const PfTables& t) {
    const int ns = t.num_states;
    run([&](int tid, int nt) {
        for (int s = tid; s < ns; s += nt) w.hist[s] = 0;
    });
    run([&](int tid, int nt) {
        for (int i = tid; i < w.n; i += nt) pf_atomic_add(&w.hist[w.part[i]], 1);
    });
    run([&](int tid, int) {
        int b, e, sum = 0;
        pf_chunk(ns, tid, b, e);
        for (int s = b; s < e; ++s) sum += w.hist[s];
        w.chunk_i[tid] = sum;
    });
    run([&](int tid, int) {
        if (tid != 0) return;
        int acc = 0;
        for (int k = 0; k < kPfThreads; ++k) {
            const int v = w.chunk_i[k];
            w.chunk_i[k] = acc;
            acc += v;
        }
    });
    run([&](int tid, int) {
        const int hi = w.n / 2, lo = w.n % 2 ? hi : hi - 1;
        int b, e, cum = w.chunk_i[tid];
        pf_chunk(ns, tid, b, e);
        for (int s = b; s < e; ++s) {
            const int c = w.hist[s];
            if (c > 0 && cum <= lo && lo < cum + c) w.lo_state = s;
            if (c > 0 && cum <= hi && hi < cum + c) w.hi_state = s;
            cum += c;
        }
    });
    run([&](int tid, int) {
        if (tid != 0) return;
        w.median = w.n % 2 ? w.hi_state : int((double(w.lo_state) + double(w.hi_state)) / 2.0);
        w.upper = w.hi_state;
    });
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
// Motion: particles inside a beat (bar) advance one state; those at the
// last state jump to a first state drawn by `dest(j, i)` (j: the tempo or
// meter they leave, i: their index) and go to the end, in order.
template <class Run, class Dest>
TACTUS_HD void pf_move(Run& run, PfWork& w, int32_t* part, int32_t* tmp, const int& n, const int8_t* last_index,
                       Dest dest) {
    run([&](int tid, int) {
        int b, e, stay = 0;
        pf_chunk(n, tid, b, e);
        for (int i = b; i < e; ++i) stay += last_index[part[i]] < 0;
        w.chunk_i[tid] = stay;
    });
    run([&](int tid, int) {
        if (tid != 0) return;
        int acc = 0;
        for (int k = 0; k < kPfThreads; ++k) {
            const int v = w.chunk_i[k];
            w.chunk_i[k] = acc;
            acc += v;
        }
        w.total_i = acc;
    });
    run([&](int tid, int) {
        int b, e;
        pf_chunk(n, tid, b, e);
        int stay = w.chunk_i[tid], jump = w.total_i + (b - w.chunk_i[tid]);
        for (int i = b; i < e; ++i) {
            const int p = part[i], j = last_index[p];
            if (j < 0) tmp[stay++] = p + 1;
            else tmp[jump++] = dest(j, i);
        }
    });
    run([&](int tid, int nt) {
        for (int i = tid; i < n; i += nt) part[i] = tmp[i];
    });
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
// BeatNet's universal_resample (stratified, over the particles in array
// order, weights `weight(state)`), then FIX 1: as many particles as were
// injected (n - keep) are removed at random positions among the first ones.
template <class Run, class Weight>
TACTUS_HD void pf_resample(Run& run, PfWork& w, int32_t* part, int32_t* tmp, double* cdf, int32_t& n, int keep,
                           Weight weight, Draw sample, Draw erase) {
    run([&](int tid, int) {
        int b, e;
        pf_chunk(n, tid, b, e);
        double sum = 0;
        for (int i = b; i < e; ++i) sum += weight(part[i]);
        w.chunk_d[tid] = sum;
    });
    run([&](int tid, int) {
        if (tid != 0) return;
        double acc = 0;
        for (int k = 0; k < kPfThreads; ++k) {
            const double v = w.chunk_d[k];
            w.chunk_d[k] = acc;
            acc += v;
        }
    });
    run([&](int tid, int) {
        int b, e;
        pf_chunk(n, tid, b, e);
        double acc = w.chunk_d[tid];
        for (int i = b; i < e; ++i) cdf[i] = acc += weight(part[i]);
    });
    run([&](int tid, int nt) {
        const double total = cdf[n - 1], dn = double(n);
        for (int j = tid; j < n; j += nt) {
            const double u = (philox_uniform(philox_draw(w.seed, w.counter, sample, uint32_t(j))) / dn + double(j) / dn) * total;
            tmp[j] = part[resample_search(cdf, n, u)];
        }
    });
    run([&](int tid, int) {
        if (tid != 0) return;
        const int k = n - keep;
        for (int q = 0; q < k; ++q)
            erase_position(int(philox_below(w.seed, w.counter, erase, uint32_t(q), uint32_t(keep - q))), w.removed, q);
        w.removed_n = k;
    });
    run([&](int tid, int nt) {
        for (int j = tid; j < n; j += nt) {
            int below = 0;
            bool gone = false;
            for (int q = 0; q < w.removed_n; ++q) {
                below += w.removed[q] < j;
                gone |= w.removed[q] == j;
            }
            if (!gone) part[j - below] = tmp[j];
        }
    });
    run([&](int tid, int) {
        if (tid == 0) n = keep;
    });
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
// Loads a stream into the working set and finds its median.
template <class Run>
TACTUS_HD void pf_load(Run& run, PfWork& w, const PfTables& t, const PfStreamState& s) {
    run([&](int tid, int nt) {
        for (int i = tid; i < t.particles; i += nt) w.part[i] = s.particles[i];
        for (int i = tid; i < t.down_particles; i += nt) w.dpart[i] = s.down_particles[i];
        if (tid == 0) {
            w.seed = s.seed;
            w.counter = s.counter;
            w.last_beat_frame = s.last_beat_frame;
            w.last_label = s.last_label;
            w.down_max = s.down_max;
            w.n = t.particles;
            w.dn = t.down_particles;
        }
    });
    pf_median(run, w, t);
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
template <class Run>
TACTUS_HD void pf_store(Run& run, const PfWork& w, const PfTables& t, PfStreamState& s) {
    run([&](int tid, int nt) {
        for (int i = tid; i < t.particles; i += nt) s.particles[i] = w.part[i];
        for (int i = tid; i < t.down_particles; i += nt) s.down_particles[i] = w.dpart[i];
        if (tid == 0) {
            s.counter = w.counter;
            s.last_beat_frame = w.last_beat_frame;
            s.last_label = w.last_label;
            s.down_max = w.down_max;
        }
    });
}

#ifdef __CUDACC__
#pragma nv_exec_check_disable
#endif
// One frame (BeatNetParticleFilter::step). The working set must hold the
// median of its particles (pf_load, or the previous frame).
template <class Run>
TACTUS_HD void pf_frame(Run& run, PfWork& w, const PfTables& t, float beat, float downbeat, PfFrameOut& out) {
    run([&](int tid, int) {
        if (tid != 0) return;
        ++w.counter;
        // information gate: weak frames carry no information
        float act = beat > downbeat ? beat : downbeat;
        if (act < t.ig_threshold) act = 0.03f;
        w.act = act;
        // a beat when the cloud sits at the start of a beat and the last
        // beat is more than 0.4 beat periods ago
        const int gathering = w.median;
        const int interval = t.interval[gathering];
        const double since = double(w.counter - w.last_beat_frame);
        w.cond = gathering - t.tempo_first[gathering] < t.near_frames && since > 0.4 * interval;
        w.label = 0;
    });
    if (w.cond) {
        pf_move(run, w, w.dpart, w.dtmp, w.dn, t.down_last_index, [&](int j, int i) {
            const double u = philox_uniform(philox_draw(w.seed, w.counter, Draw::move_meter, uint32_t(i)));
            return int32_t(t.down_first[draw_index(t.down_cdf[j], t.meters, u)]);
        });
        run([&](int tid, int) {
            if (tid != 0 || !(downbeat > 0.7f)) return;
            for (int j = 0; j < t.meters; ++j) w.dpart[w.dn++] = t.down_first[j];
        });
        pf_resample(
            run, w, w.dpart, w.dtmp, w.dcdf, w.dn, t.down_particles,
            [&](int s) { return double(t.down_is_first[s] ? downbeat : beat); }, Draw::resample_meter,
            Draw::erase_meter);
        run([&](int tid, int nt) {
            for (int s = tid; s < t.down_num_states; s += nt) w.dhist[s] = 0;
        });
        run([&](int tid, int nt) {
            for (int i = tid; i < w.dn; i += nt) pf_atomic_add(&w.dhist[w.dpart[i]], 1);
        });
        run([&](int tid, int) {
            if (tid != 0) return;
            int best = 0;
            for (int s = 1; s < t.down_num_states; ++s)
                if (w.dhist[s] > w.dhist[best]) best = s;
            w.down_max = best;
            if (t.down_is_first[best] && w.last_label != 1 && downbeat > 0.4f) w.label = 1;
            else if (w.act > 0.4f) w.label = 2;
            if (w.label != 0) {
                w.last_beat_frame = w.counter;
                w.last_label = w.label;
            }
        });
    }
    // beat particles: motion, then correction with this frame's activation
    pf_move(run, w, w.part, w.tmp, w.n, t.last_index, [&](int j, int i) {
        const double u = philox_uniform(philox_draw(w.seed, w.counter, Draw::move_beat, uint32_t(i)));
        return int32_t(t.next_state[j][draw_index(t.next_cdf[j], t.next_count[j], u)]);
    });
    if (w.act > 0.1f) {
        run([&](int tid, int) {
            if (tid != 0 || !(w.act > 0.8f)) return;
            for (int k = int(philox_below(w.seed, w.counter, Draw::inject_beat, 0, 4)); k < t.num_tempi; k += 6)
                w.part[w.n++] = t.first_states[k];
        });
        const double act = double(w.act);
        pf_resample(
            run, w, w.part, w.tmp, w.cdf, w.n, t.particles, [&](int s) { return t.is_first[s] ? act : 0.03; },
            Draw::resample_beat, Draw::erase_beat);
    }
    pf_median(run, w, t);
    run([&](int tid, int) {
        if (tid != 0) return;
        out.label = int8_t(w.label);
        out.down_max = int8_t(w.down_max);
        out.interval = int16_t(t.interval[w.upper]);
    });
}

// A stream's state after reset(seed), as BeatNetParticleFilter::reset:
// uniformly drawn particles (every state possible: FIX 2), sorted.
inline void pf_init(const PfTables& t, uint64_t seed, PfStreamState& s) {
    s.seed = seed;
    s.counter = -1;
    s.last_beat_frame = 0;  // BeatNet's path starts with a (0 s, label 0) entry
    s.last_label = 0;
    // counting sorts: the states are small integers
    static thread_local int32_t count[PfTables::kMaxStates];
    for (int k = 0; k < t.num_states; ++k) count[k] = 0;
    for (int i = 0; i < t.particles; ++i)
        ++count[philox_below(seed, -1, Draw::init_beat, uint32_t(i), uint32_t(t.num_states))];
    for (int k = 0, i = 0; k < t.num_states; ++k)
        for (int c = 0; c < count[k]; ++c) s.particles[i++] = k;
    for (int k = 0; k < t.down_num_states; ++k) count[k] = 0;
    for (int i = 0; i < t.down_particles; ++i)
        ++count[philox_below(seed, -1, Draw::init_meter, uint32_t(i), uint32_t(t.down_num_states))];
    for (int k = 0, i = 0; k < t.down_num_states; ++k)
        for (int c = 0; c < count[k]; ++c) s.down_particles[i++] = k;
    s.down_max = s.down_particles[0];
}

}  // namespace tactus::cuda
