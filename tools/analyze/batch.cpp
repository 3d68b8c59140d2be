#include "batch.hpp"

#include <stdio.h>  // open_memstream

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "progress.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"

namespace tactus::cli {
namespace fs = std::filesystem;

bool is_audio_name(const fs::path& path) {
    static const std::set<std::string> kExtensions = {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3",
                                                      ".aif", ".aiff", ".aifc", ".au", ".snd", ".caf", ".w64",
                                                      ".rf64", ".bwf"};
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return kExtensions.count(ext) > 0;
}

std::vector<BatchInput> collect_inputs(const std::vector<std::string>& args) {
    std::vector<BatchInput> inputs;
    for (const auto& arg : args) {
        const fs::path p(arg);
        std::error_code ec;
        if (!fs::is_directory(p, ec)) {  // a file, or something that will fail with its own message
            inputs.push_back({p, p.filename().replace_extension()});
            continue;
        }
        std::vector<fs::path> found;
        fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
        if (ec) throw Error("cannot read folder " + p.string() + ": " + ec.message());
        for (; it != end; it.increment(ec)) {
            if (ec) throw Error("cannot read folder " + p.string() + ": " + ec.message());
            std::error_code fec;
            if (it->is_regular_file(fec) && is_audio_name(it->path())) found.push_back(it->path());
        }
        std::sort(found.begin(), found.end());
        // output names keep the folder structure below the argument
        for (const auto& f : found) inputs.push_back({f, f.lexically_relative(p).replace_extension()});
    }
    return inputs;
}

namespace {

// The models are loaded and checked once for the whole batch; each
// engine's CRNN is then built from these weights instead of the files.
class SharedModels final : public CrnnProvider {
public:
    SharedModels(std::shared_ptr<CrnnProvider> inner, const std::vector<fs::path>& files)
        : inner_(std::move(inner)), files_(files) {
        for (const auto& f : files) models_.push_back(load_model(f));
        for (const auto& m : models_) weights_.push_back(&m.weights);
    }
    std::unique_ptr<CrnnBackend> make(const std::vector<const CrnnWeights*>& ensemble, CrnnArithmetic a) override {
        return inner_->make(ensemble, a);
    }
    std::unique_ptr<CrnnBackend> make_from_files(const std::vector<fs::path>& files, CrnnArithmetic a) override {
        return files == files_ ? inner_->make(weights_, a) : inner_->make_from_files(files, a);
    }
    std::string describe() const override { return inner_->describe(); }
    bool is_gpu() const override { return inner_->is_gpu(); }

private:
    std::shared_ptr<CrnnProvider> inner_;
    std::vector<fs::path> files_;
    std::vector<Model> models_;
    std::vector<const CrnnWeights*> weights_;
};

const char* extension(const AnalyzeOptions& o) {
    return o.activations ? ".activations" : o.json ? ".json" : ".beats";
}

struct Result {
    std::string text;   // the output (stdout mode)
    std::string error;  // one line; empty when it worked
    bool done = false;
};

// One line for a failed file; the path is added unless the message names it.
std::string error_line(const fs::path& path, const std::string& what) {
    if (what.find(path.string()) != std::string::npos) return "tactus-analyze: " + what;
    return "tactus-analyze: " + path.string() + ": " + what;
}

// Runs one file into a string (stdout mode) or into <out_dir>/<name><ext>
// (written as .part and renamed, so a failed file leaves nothing behind).
void run_one(const BatchInput& in, const AnalyzeOptions& o, const BatchOptions& b,
             const std::shared_ptr<CrnnProvider>& device, const ProgressFn& progress, Result& r) {
    if (b.out_dir.empty()) {
        char* buf = nullptr;
        std::size_t size = 0;
        std::FILE* mem = ::open_memstream(&buf, &size);
        if (!mem) throw Error("out of memory");
        try {
            analyze_file(in.path, o, device, mem, progress);
        } catch (...) {
            std::fclose(mem);
            std::free(buf);
            throw;
        }
        std::fclose(mem);
        r.text.assign(buf, size);
        std::free(buf);
        return;
    }
    fs::path target = b.out_dir / in.out_name;
    target += extension(o);
    fs::path part = target;
    part += ".part";
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    std::FILE* f = std::fopen(part.c_str(), "w");
    if (!f) throw Error("cannot write " + part.string());
    try {
        analyze_file(in.path, o, device, f, progress);
    } catch (...) {
        std::fclose(f);
        fs::remove(part, ec);
        throw;
    }
    const bool written = std::fclose(f) == 0;
    if (!written || (fs::rename(part, target, ec), ec)) {
        fs::remove(part, ec);
        throw Error("cannot write " + target.string());
    }
}

}  // namespace

int run_batch(const std::vector<BatchInput>& inputs, const AnalyzeOptions& options, const BatchOptions& batch) {
    const std::size_t n = inputs.size();
    if (n == 0) return 0;
    // The device and the models are opened once for every file.
    auto device = std::make_shared<SharedModels>(open_crnn_device(options.params.device()), options.models);
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    // On a GPU the threads spend much of their time waiting for batched
    // launches: more files in flight keep its batches full.
    int jobs = batch.jobs > 0 ? batch.jobs : device->is_gpu() ? std::max(8, 4 * cores) : cores;
    jobs = int(std::min<std::size_t>(std::size_t(jobs), n));

    std::vector<Result> results(n);
    // Two outputs may not land in one file.
    if (!batch.out_dir.empty()) {
        std::map<fs::path, std::size_t> owner;
        for (std::size_t i = 0; i < n; ++i) {
            const auto [it, fresh] = owner.emplace(inputs[i].out_name, i);
            if (!fresh) {
                results[i].error = error_line(inputs[i].path, "its output name clashes with " +
                                                                  inputs[it->second].path.string() + "'s");
                results[i].done = true;
            }
        }
    }

    std::mutex m;
    std::condition_variable cv;
    std::atomic<std::size_t> next{0};
    std::vector<std::atomic<int>> permille(n);  // progress of each file
    for (auto& p : permille) p.store(0);
    auto worker = [&] {
        while (true) {
            const std::size_t i = next.fetch_add(1);
            if (i >= n) return;
            Result r;
            {
                std::lock_guard lock(m);
                if (results[i].done) continue;  // a clash, reported already
            }
            const ProgressFn progress = [&, i](double done, double total) {
                if (total > 0) permille[i].store(int(std::clamp(1000.0 * done / total, 0.0, 1000.0)));
            };
            try {
                run_one(inputs[i], options, batch, device, progress, r);
            } catch (const std::exception& e) {
                r.error = error_line(inputs[i].path, e.what());
            }
            permille[i].store(1000);
            std::lock_guard lock(m);
            r.done = true;
            results[i] = std::move(r);
            cv.notify_one();
        }
    };
    std::vector<std::thread> pool;
    for (int j = 0; j < jobs; ++j) pool.emplace_back(worker);

    // This thread prints the results in input order as they complete and
    // draws the progress bar.
    Progress bar("tactus-analyze", std::int64_t(n) * 1000);
    int failed = 0;
    std::size_t printed = 0, finished = 0;
    std::unique_lock lock(m);
    while (printed < n) {
        cv.wait_for(lock, std::chrono::milliseconds(100));
        while (printed < n && results[printed].done) {
            // moved out and printed unlocked: workers finishing meanwhile
            // need not wait for the terminal
            Result r = std::move(results[printed]);
            results[printed].done = true;
            lock.unlock();
            bar.clear();
            if (!r.error.empty()) {
                std::fprintf(stderr, "%s\n", r.error.c_str());
                ++failed;
            } else if (batch.out_dir.empty()) {
                std::printf("# %s\n%s", inputs[printed].path.c_str(), r.text.c_str());
                std::fflush(stdout);
            }
            ++printed;
            lock.lock();
        }
        finished = std::size_t(std::count_if(results.begin(), results.end(), [](const Result& r) { return r.done; }));
        std::int64_t done = 0;
        for (std::size_t i = 0; i < n; ++i) done += results[i].done ? 1000 : permille[i].load();
        bar.update(done, std::to_string(finished) + "/" + std::to_string(n) + " files");
    }
    lock.unlock();
    for (auto& t : pool) t.join();
    return failed;
}

}  // namespace tactus::cli
