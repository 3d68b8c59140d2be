#pragma once
// OSC control on 127.0.0.1 (UDP): its own socket bound to loopback (liblo
// 0.31 cannot bind a server to one address), liblo to decode and reply.
//   <prefix>/param/<name> f|i|s   set any parameter of the table
//   <prefix>/set s name, f|i|s    the same
//   <prefix>/tap                  a tap at the current position
//   <prefix>/bpm f                BPM override (0: off)
//   <prefix>/beats_per_bar i      0: automatic
//   <prefix>/reset                forget tempo, phase and meter
//   <prefix>/status               answered to the sender: <prefix>/status s state, f bpm,
//                                 f confidence, i beat_in_bar, i beats_per_bar
// Malformed or unknown messages are ignored with a rate-limited log line.
#include <netinet/in.h>

#include <atomic>
#include <string>
#include <thread>

#include "options.hpp"
#include "tactus/engine.hpp"

namespace tactus::jack {

class OscControl {
public:
    // Binds 127.0.0.1:port; throws tactus::Error when it cannot.
    OscControl(const ClientOptions& options, Engine& engine);
    ~OscControl();
    OscControl(const OscControl&) = delete;
    OscControl& operator=(const OscControl&) = delete;
    int port() const { return port_; }
    std::uint64_t handled() const { return handled_.load(); }
    std::uint64_t ignored() const { return ignored_.load(); }

private:
    void loop();
    void handle(const char* data, std::size_t size, const sockaddr_in& from);
    void ignore(const std::string& why);

    Engine& engine_;
    std::string prefix_;
    int fd_ = -1, port_ = 0;
    std::atomic<bool> quit_{false};
    std::atomic<std::uint64_t> handled_{0}, ignored_{0};
    double last_log_ = 0;
    std::uint64_t suppressed_ = 0;
    std::thread thread_;
};

}  // namespace tactus::jack
