#pragma once
// Real peers for the tactus-jack integration tests: a jackd (dummy backend)
// of our own, a JACK client that plays audio in real time, one that records
// MIDI with frame times, an OSC receiver (liblo), and tactus-jack itself as
// a child process.
#include <jack/jack.h>
#include <lo/lo.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace tactus::test {

// jackd -n <name> -d dummy; stopped (SIGTERM, then SIGKILL) on destruction.
class JackServer {
public:
    JackServer(std::string name, int rate = 48000, int period = 256);
    ~JackServer();
    void start();
    void kill_hard();  // SIGKILL, as a crash would
    bool running() const { return pid_ > 0; }
    const std::string& name() const { return name_; }

private:
    std::string name_;
    int rate_, period_;
    pid_t pid_ = -1;
};

// A child process with its stderr in a file; SIGTERM on destruction.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
    ~Child();
    // SIGTERM and wait; returns the exit status (or 128 + signal).
    int terminate(double timeout_s = 5);
    bool alive();
    int pid() const { return int(pid_); }
    std::string stderr_text() const;

private:
    pid_t pid_ = -1;
    std::string err_path_;
    int status_ = -1;
};

// A JACK client playing a mono buffer on an output port, from its process
// callback, once started.
class Player {
public:
    Player(const std::string& server, const std::string& name, std::vector<float> audio);
    ~Player();
    void connect(const std::string& dest);
    void start();
    // Played to the end, or dropped by the server (see shut_down()).
    bool done() const { return pos_.load() >= audio_.size() || shut_down_.load(); }
    // The server dropped this client (a loaded machine can miss its deadline).
    bool shut_down() const { return shut_down_.load(); }
    // Waits until done(); throws if the server dropped the player or it has
    // not finished `slack_s` after its audio's length, so a test fails
    // rather than hangs.
    void wait_done(double slack_s = 30) const;
    // JACK time (microseconds) of the first sample played; 0 before.
    std::uint64_t start_usecs() const { return start_usecs_.load(); }
    // The same on CLOCK_MONOTONIC (seconds).
    double start_monotonic() const { return start_mono_.load(); }
    // JACK time -> CLOCK_MONOTONIC seconds.
    double to_monotonic(std::uint64_t usecs) const { return start_mono_.load() + (double(usecs) - double(start_usecs_.load())) * 1e-6; }
    // Where in the audio (seconds from its first sample) the player was at
    // CLOCK_MONOTONIC time `mono`, by the JACK cycle that played it. Under
    // load JACK's dummy backend falls behind the wall clock, and the audio
    // with it: a beat stamped with its cycle's time is late against a grid
    // laid from the start, but not against the samples it was heard in.
    double audio_time(double mono) const;
    // The other way: the JACK time (microseconds) at which the player
    // plays the audio at `audio_s`, by the cycle that played it (or, not
    // yet played, the last cycle and the nominal rate on from it).
    std::uint64_t usecs_at_audio_time(double audio_s) const;
    // The same for a JACK frame time (MIDI events): exact, no clocks.
    double audio_time_at_frame(jack_nframes_t frame) const {
        return double(std::int32_t(frame - start_frame_.load())) / rate_;  // JACK's frame counter wraps
    }
    double rate() const { return rate_; }
    // Xruns the server reported while this player was playing: audio the
    // clients under test lost, which no tracker can be asked to hear.
    int xruns() const { return xruns_.load(); }
    jack_client_t* client() { return client_; }

private:
    static int process(jack_nframes_t n, void* self);
    jack_client_t* client_ = nullptr;
    jack_port_t* out_ = nullptr;
    std::vector<float> audio_;
    std::atomic<std::size_t> pos_{0};
    std::atomic<bool> playing_{false};
    std::atomic<bool> shut_down_{false};
    std::atomic<int> xruns_{0};
    bool started_ = false;            // process thread only
    std::atomic<jack_nframes_t> start_frame_{0};
    std::atomic<std::uint64_t> start_usecs_{0};
    std::atomic<double> start_mono_{0};
    double rate_ = 0;
    // one entry a cycle while playing, room made before it starts (periods
    // of 16 frames and more)
    struct Cycle {
        std::uint64_t usecs;
        std::size_t pos;
    };
    std::vector<Cycle> cycles_;
    std::atomic<std::size_t> cycle_count_{0};
};

struct MidiEvent {
    jack_nframes_t frame;  // JACK frame time of the event
    std::uint8_t status, data1, data2;
};

// A JACK client recording MIDI on an input port.
class MidiRecorder {
public:
    MidiRecorder(const std::string& server, const std::string& name);
    ~MidiRecorder();
    std::string port_name() const;
    std::vector<MidiEvent> events();

private:
    static int process(jack_nframes_t n, void* self);
    jack_client_t* client_ = nullptr;
    jack_port_t* in_ = nullptr;
    std::mutex m_;  // test peer, not part of the product: a lock is fine here
    std::vector<MidiEvent> events_;
    std::vector<MidiEvent> rt_buffer_;
    std::atomic<std::size_t> rt_count_{0};
};

struct OscMessage {
    std::string path, types;
    std::vector<double> numbers;  // timetags ('t') as CLOCK_MONOTONIC seconds
    std::vector<std::string> strings;
    double received;  // CLOCK_MONOTONIC seconds
};

// A liblo server on a free UDP port of 127.0.0.1 that keeps every message.
class OscReceiver {
public:
    OscReceiver();
    ~OscReceiver();
    int port() const { return port_; }
    std::vector<OscMessage> messages(const std::string& path_suffix = "");

private:
    static int handler(const char* path, const char* types, lo_arg** argv, int argc, lo_message msg, void* self);
    lo_server_thread server_ = nullptr;
    int port_ = 0;
    std::mutex m_;
    std::vector<OscMessage> messages_;
};

double monotonic_s();
// Sends one OSC message from a fresh socket and, when `reply_path` is not
// empty, waits up to 2 s for a reply to that socket.
bool osc_send(int port, const std::string& path, const char* types, const std::vector<std::string>& args,
              const std::string& reply_path = "", OscMessage* reply = nullptr);
// Runs jack_lsp on the server; true when the port exists.
bool jack_port_exists(const std::string& server, const std::string& port);

}  // namespace tactus::test
