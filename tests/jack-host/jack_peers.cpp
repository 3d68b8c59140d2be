#include "jack_peers.hpp"

#include "osc_args.hpp"
#include "spawn.hpp"

#include <fcntl.h>
#include <jack/midiport.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tactus::test {
namespace {

using namespace std::chrono_literals;

using tactus::jack::osc_arg_as;
using tactus::jack::osc_arg_string;

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env_extra, const std::string& err_path,
            int death_signal = SIGKILL) {
    SpawnOptions o;
    o.argv = argv;
    o.env = env_extra;
    o.stderr_path = err_path;
    o.death_signal = death_signal;
    return spawn_process(o).pid;
}

int wait_for(pid_t pid, double timeout_s) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return 128 + SIGKILL;
}

jack_client_t* open_client(const std::string& server, const std::string& name) {
    jack_status_t st{};
    jack_client_t* c = jack_client_open(name.c_str(), jack_options_t(JackNoStartServer | JackServerName), &st,
                                        server.c_str());
    if (!c) throw std::runtime_error("cannot open JACK client " + name + " on " + server);
    return c;
}

}  // namespace

double monotonic_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// ---- JackServer ---------------------------------------------------------------

JackServer::JackServer(std::string name, int rate, int period) : name_(std::move(name)), rate_(rate), period_(period) {
    start();
}

JackServer::~JackServer() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        wait_for(pid_, 5);
    }
}

void JackServer::start() {
    const std::string log = "/tmp/tactus-test-jackd-" + name_ + ".log";
    // -t: a client gets 5 s, not 0.5, to answer before the server drops
    // it, so a loaded test machine does not lose the test's own clients
    pid_ = spawn({"jackd", "-t", "5000", "-n", name_, "-d", "dummy", "-r", std::to_string(rate_), "-p", std::to_string(period_)},
                 {"JACK_NO_AUDIO_RESERVATION=1"}, log, SIGTERM);
    // ready when a client can connect
    for (int i = 0; i < 100; ++i) {
        std::this_thread::sleep_for(50ms);
        jack_status_t st{};
        jack_client_t* c = jack_client_open("probe", jack_options_t(JackNoStartServer | JackServerName), &st, name_.c_str());
        if (c) {
            jack_client_close(c);
            return;
        }
    }
    std::ifstream in(log);
    std::string said((std::istreambuf_iterator<char>(in)), {});
    if (said.find("Too many servers") != std::string::npos)
        throw std::runtime_error("jackd -n " + name_ +
                                 " did not start: JACK's server registry is full of servers that were killed "
                                 "(no jackd running? remove /dev/shm/jack-shm-registry)");
    throw std::runtime_error("jackd -n " + name_ + " did not start (see " + log + ")");
}

void JackServer::kill_hard() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_for(pid_, 5);
    pid_ = -1;
}

// ---- Child ----------------------------------------------------------------------

Child::Child(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    static std::atomic<int> counter{0};
    err_path_ = "/tmp/tactus-test-child-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".err";
    pid_ = spawn(argv, env, err_path_);
}

Child::~Child() {
    if (pid_ > 0) terminate(5);
    std::remove(err_path_.c_str());
}

int Child::terminate(double timeout_s) {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    status_ = wait_for(pid_, timeout_s);
    pid_ = -1;
    return status_;
}

bool Child::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid_ = -1;
        return false;
    }
    return true;
}

std::string Child::stderr_text() const {
    std::ifstream in(err_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---- Player ---------------------------------------------------------------------

Player::Player(const std::string& server, const std::string& name, std::vector<float> audio)
    : audio_(std::move(audio)), cycles_(audio_.size() / 16 + 64) {
    client_ = open_client(server, name);
    rate_ = jack_get_sample_rate(client_);
    out_ = jack_port_register(client_, "out", JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
    jack_set_process_callback(client_, process, this);
    jack_on_info_shutdown(
        client_, [](jack_status_t, const char*, void* self) { static_cast<Player*>(self)->shut_down_ = true; }, this);
    jack_set_xrun_callback(
        client_,
        [](void* self) {
            auto* p = static_cast<Player*>(self);
            if (p->playing_.load() && !p->done()) p->xruns_.fetch_add(1);
            return 0;
        },
        this);
    jack_activate(client_);
}

void Player::wait_done(double slack_s) const {
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration<double>(double(audio_.size()) / rate_ + slack_s);
    while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
    if (shut_down()) throw std::runtime_error("player: the JACK server dropped the player client");
    if (!done()) throw std::runtime_error("player: still playing long after its audio's length (is JACK running?)");
}

Player::~Player() {
    jack_deactivate(client_);
    jack_client_close(client_);
}

void Player::connect(const std::string& dest) {
    // a client that has just registered its ports may not be connectable
    // for a moment; a connection that never comes fails the test loudly
    // rather than leaving it to play into nothing
    int rc = -1;
    for (int i = 0; i < 50 && rc != 0; ++i) {
        rc = jack_connect(client_, jack_port_name(out_), dest.c_str());
        if (rc == EEXIST) return;
        if (rc != 0) std::this_thread::sleep_for(50ms);
    }
    if (rc != 0) throw std::runtime_error("player: cannot connect to " + dest + " (jack_connect " + std::to_string(rc) + ")");
    for (int i = 0; i < 50 && !jack_port_connected_to(out_, dest.c_str()); ++i) std::this_thread::sleep_for(20ms);
    if (!jack_port_connected_to(out_, dest.c_str())) throw std::runtime_error("player: " + dest + " never showed as connected");
}

void Player::start() { playing_ = true; }

int Player::process(jack_nframes_t n, void* self) {
    auto* p = static_cast<Player*>(self);
    auto* out = static_cast<float*>(jack_port_get_buffer(p->out_, n));
    if (!p->playing_.load()) {
        std::fill(out, out + n, 0.f);
        return 0;
    }
    // The position follows JACK's frame clock, not a count of callbacks: a
    // cycle this client misses on a loaded machine then skips a few ms of
    // audio instead of delaying the rest of it against the clock that the
    // tests measure beat times with. The cycle's time is the one tactus-jack
    // stamps its blocks with (jack_get_cycle_times).
    jack_nframes_t frame = 0;
    jack_time_t now_us = 0, next_us = 0;
    float period_us = 0;
    if (jack_get_cycle_times(p->client_, &frame, &now_us, &next_us, &period_us) != 0) {
        frame = jack_last_frame_time(p->client_);
        now_us = jack_frames_to_time(p->client_, frame);
    }
    if (!p->started_) {
        p->started_ = true;
        p->start_frame_ = frame;
        // test peer: clock reads are fine. Signed: the cycle's start is the
        // DLL's estimate and can lie a little after jack_get_time(), which
        // wrapped the unsigned difference to 2^64 us and put every OSC beat
        // 1.8e13 s away (the rare failure of the long-periods test)
        p->start_mono_ = monotonic_s() - double(std::int64_t(jack_get_time() - now_us)) * 1e-6;
        p->start_usecs_ = now_us;
    }
    const std::size_t pos = jack_nframes_t(frame - p->start_frame_);  // wraps like JACK's frame counter
    for (jack_nframes_t i = 0; i < n; ++i) out[i] = pos + i < p->audio_.size() ? p->audio_[pos + i] : 0.f;
    p->pos_ = pos + n;
    const std::size_t c = p->cycle_count_.load(std::memory_order_relaxed);
    if (c < p->cycles_.size()) {
        p->cycles_[c] = {now_us, pos};
        p->cycle_count_.store(c + 1, std::memory_order_release);
    }
    return 0;
}

double Player::audio_time(double mono) const {
    const std::size_t count = cycle_count_.load(std::memory_order_acquire);
    if (count == 0) return mono - start_mono_.load();
    // the last cycle that started at or before `mono`
    const auto end = cycles_.begin() + std::ptrdiff_t(count);
    auto it = std::upper_bound(cycles_.begin(), end, mono,
                               [this](double t, const Cycle& c) { return t < to_monotonic(c.usecs); });
    if (it != cycles_.begin()) --it;
    return double(it->pos) / rate_ + (mono - to_monotonic(it->usecs));
}

std::uint64_t Player::usecs_at_audio_time(double audio_s) const {
    const std::size_t count = cycle_count_.load(std::memory_order_acquire);
    if (count == 0) return start_usecs_.load() + std::uint64_t(std::max(audio_s, 0.0) * 1e6);
    // the last cycle whose first sample is at or before the one asked for
    const double frame = audio_s * rate_;
    const auto end = cycles_.begin() + std::ptrdiff_t(count);
    auto it = std::upper_bound(cycles_.begin(), end, frame, [](double f, const Cycle& c) { return f < double(c.pos); });
    if (it != cycles_.begin()) --it;
    return std::uint64_t(std::int64_t(it->usecs) + std::llround((frame - double(it->pos)) / rate_ * 1e6));
}

// ---- MidiRecorder -----------------------------------------------------------------

MidiRecorder::MidiRecorder(const std::string& server, const std::string& name) : rt_buffer_(1 << 20) {
    client_ = open_client(server, name);
    in_ = jack_port_register(client_, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    jack_set_process_callback(client_, process, this);
    jack_activate(client_);
}

MidiRecorder::~MidiRecorder() {
    jack_deactivate(client_);
    jack_client_close(client_);
}

std::string MidiRecorder::port_name() const { return jack_port_name(in_); }

int MidiRecorder::process(jack_nframes_t n, void* self) {
    auto* r = static_cast<MidiRecorder*>(self);
    void* buf = jack_port_get_buffer(r->in_, n);
    const jack_nframes_t base = jack_last_frame_time(r->client_);
    const std::uint32_t count = jack_midi_get_event_count(buf);
    for (std::uint32_t i = 0; i < count; ++i) {
        jack_midi_event_t e;
        if (jack_midi_event_get(&e, buf, i) != 0 || e.size == 0) continue;
        const std::size_t at = r->rt_count_.load();
        if (at >= r->rt_buffer_.size()) break;
        r->rt_buffer_[at] = MidiEvent{base + e.time, e.buffer[0],
                                      std::uint8_t(e.size > 1 ? e.buffer[1] : 0), std::uint8_t(e.size > 2 ? e.buffer[2] : 0)};
        r->rt_count_ = at + 1;
    }
    return 0;
}

std::vector<MidiEvent> MidiRecorder::events() {
    const std::size_t n = rt_count_.load();
    return {rt_buffer_.begin(), rt_buffer_.begin() + std::ptrdiff_t(n)};
}

// ---- OscReceiver ------------------------------------------------------------------

OscReceiver::OscReceiver() {
    server_ = lo_server_thread_new(nullptr, nullptr);  // a free port
    if (!server_) throw std::runtime_error("cannot start an OSC server");
    port_ = lo_server_thread_get_port(server_);
    lo_server_thread_add_method(server_, nullptr, nullptr, handler, this);
    lo_server_thread_start(server_);
}

OscReceiver::~OscReceiver() {
    lo_server_thread_stop(server_);
    lo_server_thread_free(server_);
}

int OscReceiver::handler(const char* path, const char* types, lo_arg** argv, int argc, lo_message, void* self) {
    auto* r = static_cast<OscReceiver*>(self);
    OscMessage m;
    m.path = path;
    m.types = types;
    m.received = monotonic_s();
    for (int i = 0; i < argc; ++i) {
        switch (types[i]) {
            case 'i': m.numbers.push_back(osc_arg_as<std::int32_t>(argv[i])); break;
            case 'f': m.numbers.push_back(osc_arg_as<float>(argv[i])); break;
            case 'd': m.numbers.push_back(osc_arg_as<double>(argv[i])); break;
            case 't': {
                // NTP time -> CLOCK_MONOTONIC seconds, through this process's clocks
                timespec rt{};
                clock_gettime(CLOCK_REALTIME, &rt);
                const double unix_now = double(rt.tv_sec) + double(rt.tv_nsec) * 1e-9;
                const auto tt = osc_arg_as<lo_timetag>(argv[i]);
                const double unix_t = double(tt.sec) - 2208988800.0 + double(tt.frac) / 4294967296.0;
                m.numbers.push_back(m.received - (unix_now - unix_t));
                break;
            }
            case 's': m.strings.emplace_back(osc_arg_string(argv[i])); break;
            default: break;
        }
    }
    std::lock_guard l(r->m_);
    r->messages_.push_back(std::move(m));
    return 0;
}

std::vector<OscMessage> OscReceiver::messages(const std::string& suffix) {
    std::lock_guard l(m_);
    std::vector<OscMessage> out;
    for (const auto& m : messages_)
        if (suffix.empty() || (m.path.size() >= suffix.size() && m.path.compare(m.path.size() - suffix.size(), suffix.size(), suffix) == 0))
            out.push_back(m);
    return out;
}

// ---- helpers ------------------------------------------------------------------------

bool osc_send(int port, const std::string& path, const char* types, const std::vector<std::string>& args,
              const std::string& reply_path, OscMessage* reply) {
    lo_server s = lo_server_new(nullptr, nullptr);
    if (!s) return false;
    lo_address a = lo_address_new("127.0.0.1", std::to_string(port).c_str());
    lo_message m = lo_message_new();
    for (std::size_t i = 0; types[i]; ++i) {
        if (types[i] == 'f') lo_message_add_float(m, std::stof(args[i]));
        else if (types[i] == 'i') lo_message_add_int32(m, std::stoi(args[i]));
        else if (types[i] == 's') lo_message_add_string(m, args[i].c_str());
    }
    const bool ok = lo_send_message_from(a, s, path.c_str(), m) > 0;
    lo_message_free(m);
    bool got = reply_path.empty();
    if (!reply_path.empty()) {
        struct Ctx {
            OscMessage* out;
            bool got = false;
        } ctx{reply};
        lo_server_add_method(s, reply_path.c_str(), nullptr,
                             [](const char* p, const char* t, lo_arg** argv, int argc, lo_message, void* u) -> int {
                                 auto* c = static_cast<Ctx*>(u);
                                 c->got = true;
                                 if (c->out) {
                                     c->out->path = p;
                                     c->out->types = t;
                                     for (int i = 0; i < argc; ++i) {
                                         if (t[i] == 's') c->out->strings.emplace_back(osc_arg_string(argv[i]));
                                         else if (t[i] == 'f') c->out->numbers.push_back(osc_arg_as<float>(argv[i]));
                                         else if (t[i] == 'i') c->out->numbers.push_back(osc_arg_as<std::int32_t>(argv[i]));
                                     }
                                 }
                                 return 0;
                             },
                             &ctx);
        for (int i = 0; i < 20 && !ctx.got; ++i) lo_server_recv_noblock(s, 100);
        got = ctx.got;
    }
    lo_address_free(a);
    lo_server_free(s);
    return ok && got;
}

bool jack_port_exists(const std::string& server, const std::string& port) {
    jack_status_t st{};
    jack_client_t* c = jack_client_open("lsp", jack_options_t(JackNoStartServer | JackServerName), &st, server.c_str());
    if (!c) return false;
    const bool found = jack_port_by_name(c, port.c_str()) != nullptr;
    jack_client_close(c);
    return found;
}

}  // namespace tactus::test
