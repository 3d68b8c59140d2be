#include "osc_control.hpp"

#include <arpa/inet.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "osc_args.hpp"
#include "osc_out.hpp"
#include "tactus/error.hpp"

namespace tactus::jack {
namespace {

// The numeric value of an OSC argument (f, i, d, h, T, F), or a string.
bool arg_text(char type, const lo_arg* a, std::string* text) {
    char buf[64];
    switch (type) {
        case 'f': std::snprintf(buf, sizeof buf, "%.9g", double(osc_arg_as<float>(a))); break;
        case 'd': std::snprintf(buf, sizeof buf, "%.17g", osc_arg_as<double>(a)); break;
        case 'i': std::snprintf(buf, sizeof buf, "%d", osc_arg_as<std::int32_t>(a)); break;
        case 'h': std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(osc_arg_as<std::int64_t>(a))); break;
        case 'T': std::snprintf(buf, sizeof buf, "1"); break;
        case 'F': std::snprintf(buf, sizeof buf, "0"); break;
        case 's':
        case 'S': *text = osc_arg_string(a); return true;
        default: return false;
    }
    *text = buf;
    return true;
}

}  // namespace

OscControl::OscControl(const ClientOptions& options, Engine& engine) : engine_(engine), prefix_(options.osc_prefix) {
    if (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw Error("OSC control: cannot create a socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(std::uint16_t(options.osc_control_port));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        ::close(fd_);
        throw Error("OSC control: cannot listen on 127.0.0.1:" + std::to_string(options.osc_control_port) + " (" +
                    std::strerror(err) + ")");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
}

OscControl::~OscControl() {
    quit_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
}

void OscControl::loop() {
    char buf[8192];
    while (!quit_.load()) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) handle(buf, std::size_t(n), from);
    }
}

void OscControl::ignore(const std::string& why) {
    ignored_.fetch_add(1);
    const double now = monotonic_now();
    if (now - last_log_ < 1.0) {  // at most a line a second
        ++suppressed_;
        return;
    }
    std::fprintf(stderr, "tactus-jack: OSC control: ignored %s", why.c_str());
    if (suppressed_) std::fprintf(stderr, " (and %llu more)", static_cast<unsigned long long>(suppressed_));
    std::fprintf(stderr, "\n");
    last_log_ = now;
    suppressed_ = 0;
}

void OscControl::handle(const char* data, std::size_t size, const sockaddr_in& from) {
    if (size < 4 || data[0] != '/') return ignore("a packet that is not an OSC message");
    int result = 0;
    lo_message m = lo_message_deserialise(const_cast<char*>(data), size, &result);
    if (!m) return ignore("a malformed OSC message (liblo error " + std::to_string(result) + ")");
    const char* p = lo_get_path(const_cast<char*>(data), ssize_t(size));
    const std::string path = p ? p : "";
    const int argc = lo_message_get_argc(m);
    const char* types = lo_message_get_types(m);
    lo_arg** argv = lo_message_get_argv(m);
    auto done = [&] {
        handled_.fetch_add(1);
        lo_message_free(m);
    };
    auto bad = [&](const std::string& why) {
        ignore(path + ": " + why);
        lo_message_free(m);
    };
    if (path.rfind(prefix_ + "/", 0) != 0) return bad("unknown address");
    const std::string leaf = path.substr(prefix_.size());
    auto set = [&](const std::string& name, int arg) {
        const ParamSpec* spec = find_param(name);
        if (!spec) return bad("unknown parameter '" + name + "'");
        if (!(spec->faces & kFaceOsc)) return bad("'" + name + "' cannot be set over OSC");
        std::string text;
        if (argc <= arg || !arg_text(types[arg], argv[arg], &text)) return bad("needs a value");
        const auto v = parse_param_value(*spec, text);
        if (!v) return bad("'" + text + "' is not a value for " + name);
        if (engine_.set_param(spec->id, *v))
            std::fprintf(stderr, "tactus-jack: OSC control: %s = %s is out of range; using %s\n", name.c_str(),
                         text.c_str(), format_param_value(*spec, engine_.param(spec->id)).c_str());
        done();
    };
    if (leaf.rfind("/param/", 0) == 0) return set(leaf.substr(7), 0);
    if (leaf == "/set") {
        if (argc < 2 || (types[0] != 's' && types[0] != 'S')) return bad("needs a name and a value");
        return set(osc_arg_string(argv[0]), 1);
    }
    if (leaf == "/bpm") return set("bpm_override", 0);
    if (leaf == "/beats_per_bar") return set("beats_per_bar", 0);
    if (leaf == "/tap") {
        engine_.tap();
        return done();
    }
    if (leaf == "/reset") {
        engine_.reset();
        return done();
    }
    if (leaf == "/status") {
        TempoSnapshot s;
        (void)engine_.snapshot_rt(&s);
        {
            lo_message r = lo_message_new();
            lo_message_add_string(r, to_string(s.state));
            lo_message_add_float(r, float(s.bpm));
            lo_message_add_float(r, s.confidence);
            lo_message_add_int32(r, s.beat_in_bar);
            lo_message_add_int32(r, s.beats_per_bar);
            // reply from our own socket so the sender sees it come from the port it asked
            const std::string reply = prefix_ + "/status";
            std::size_t len = 0;
            void* bytes = lo_message_serialise(r, reply.c_str(), nullptr, &len);
            if (bytes) {
                ::sendto(fd_, bytes, len, 0, reinterpret_cast<const sockaddr*>(&from), sizeof from);
                std::free(bytes);
            }
            lo_message_free(r);
        }
        return done();
    }
    bad("unknown address");
}

}  // namespace tactus::jack
