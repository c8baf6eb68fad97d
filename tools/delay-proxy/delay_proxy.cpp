// SPDX-License-Identifier: LGPL-2.1-or-later
// A proxy that delays everything it forwards by a fixed time each way: the
// kernel of the test machines has no netem, and the benchmarks need the
// cloud (the MQTT broker, the TURN relay) tens of milliseconds away.
//
//   delay-proxy --tcp|--udp --listen ADDR:PORT --to ADDR:PORT --delay-ms MS
//
// TCP: each accepted connection gets its own connection to the target; the
// bytes and the closing of each direction arrive MS later. UDP: each client
// address gets its own socket towards the target (the target sees the proxy
// as the client, as a NAT would show it); each datagram arrives MS later.
// The delay is constant, so what is due comes out in the order it came in:
// one queue and one poll loop serve every socket.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Delivery {
  Clock::time_point due;
  int fd;                 // where it goes
  sockaddr_in to{};       // UDP: the client it goes back to (port 0: fd is connected)
  std::vector<char> data; // TCP: empty means "the sender closed its side"
};

struct Options {
  bool udp = false;
  sockaddr_in listen{}, target{};
  std::chrono::milliseconds delay{0};
};

[[noreturn]] void fail(const char *what) {
  perror(what);
  exit(1);
}

bool parse_address(const char *text, sockaddr_in *out) {
  std::string s = text;
  size_t colon = s.rfind(':');
  if (colon == std::string::npos)
    return false;
  out->sin_family = AF_INET;
  out->sin_port = htons(uint16_t(atoi(s.c_str() + colon + 1)));
  return inet_pton(AF_INET, s.substr(0, colon).c_str(), &out->sin_addr) == 1;
}

Options parse_options(int argc, char **argv) {
  Options options;
  bool listen = false, target = false;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--udp" || arg == "--tcp")
      options.udp = arg == "--udp";
    else if (arg == "--listen" && (listen = parse_address(value, &options.listen)))
      i++;
    else if (arg == "--to" && (target = parse_address(value, &options.target)))
      i++;
    else if (arg == "--delay-ms" && *value)
      options.delay = std::chrono::milliseconds(atoi(argv[++i]));
    else {
      fprintf(stderr, "usage: delay-proxy --tcp|--udp --listen ADDR:PORT --to ADDR:PORT "
                      "--delay-ms MS\n");
      exit(2);
    }
  }
  if (!listen || !target) {
    fprintf(stderr, "delay-proxy: --listen and --to are needed\n");
    exit(2);
  }
  return options;
}

int bound_socket(const Options &options) {
  int fd = socket(AF_INET, options.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (bind(fd, reinterpret_cast<const sockaddr *>(&options.listen), sizeof options.listen) < 0)
    fail("delay-proxy: bind");
  if (!options.udp && listen(fd, 16) < 0)
    fail("delay-proxy: listen");
  return fd;
}

int connected_socket(const Options &options) {
  int fd = socket(AF_INET, options.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<const sockaddr *>(&options.target), sizeof options.target) < 0) {
    close(fd);
    return -1;
  }
  int on = 1;
  if (!options.udp) // small MQTT packets must not wait for Nagle
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

class Proxy {
public:
  explicit Proxy(Options options) : options_(options), listener_(bound_socket(options)) {}

  void run() {
    for (;;) {
      deliver_due();
      std::vector<pollfd> fds = {{listener_, POLLIN, 0}};
      for (auto &[fd, peer] : peers_)
        fds.push_back({fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), timeout_ms()) < 0)
        fail("delay-proxy: poll");
      for (const pollfd &p : fds)
        if (p.revents & (POLLIN | POLLHUP | POLLERR))
          p.fd == listener_ ? on_listener() : on_readable(p.fd);
    }
  }

private:
  int timeout_ms() const {
    if (queue_.empty())
      return -1;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(queue_.front().due - Clock::now());
    return left.count() < 0 ? 0 : int(left.count()) + 1;
  }

  void deliver_due() {
    while (!queue_.empty() && queue_.front().due <= Clock::now()) {
      Delivery &d = queue_.front();
      if (options_.udp && d.to.sin_port)
        sendto(d.fd, d.data.data(), d.data.size(), 0, reinterpret_cast<sockaddr *>(&d.to),
               sizeof d.to);
      else if (options_.udp)
        send(d.fd, d.data.data(), d.data.size(), 0);
      else if (d.data.empty())
        shutdown(d.fd, SHUT_WR);
      else
        write_all(d.fd, d.data);
      queue_.pop_front();
    }
    reap_closed();
  }

  static void write_all(int fd, const std::vector<char> &data) {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0)
        return; // the other side is gone; its own read sees that
      done += size_t(n);
    }
  }

  void later(int fd, std::vector<char> data, sockaddr_in to = {}) {
    queue_.push_back({Clock::now() + options_.delay, fd, to, std::move(data)});
  }

  void on_listener() {
    if (options_.udp)
      return on_client_datagram();
    int client = accept(listener_, nullptr, nullptr);
    if (client < 0)
      return;
    int upstream = connected_socket(options_);
    if (upstream < 0) {
      close(client);
      return;
    }
    int on = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    peers_[client] = {upstream, {}};
    peers_[upstream] = {client, {}};
  }

  // UDP from a client: to the target through that client's own socket.
  void on_client_datagram() {
    std::vector<char> buffer(65536);
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(listener_, buffer.data(), buffer.size(), 0,
                         reinterpret_cast<sockaddr *>(&from), &length);
    if (n < 0)
      return;
    buffer.resize(size_t(n));
    uint64_t key = (uint64_t(from.sin_addr.s_addr) << 16) | from.sin_port;
    auto it = upstream_of_client_.find(key);
    if (it == upstream_of_client_.end()) {
      int upstream = connected_socket(options_);
      if (upstream < 0)
        return;
      it = upstream_of_client_.emplace(key, upstream).first;
      peers_[upstream] = {listener_, from};
    }
    later(it->second, std::move(buffer));
  }

  void on_readable(int fd) {
    auto it = peers_.find(fd);
    if (it == peers_.end())
      return;
    std::vector<char> buffer(65536);
    ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (options_.udp) { // from the target: back to its client
      if (n >= 0) {
        buffer.resize(size_t(n));
        later(it->second.fd, std::move(buffer), it->second.client);
      }
      return;
    }
    if (n > 0) {
      buffer.resize(size_t(n));
      later(it->second.fd, std::move(buffer));
      return;
    }
    // This side closed (or failed): pass the close on, and stop reading it.
    // Both directions closed: both sockets go once nothing is queued for them.
    later(it->second.fd, {});
    closed_.push_back(fd);
    peers_.erase(it);
    reap_closed();
  }

  void reap_closed() {
    for (size_t i = 0; i < closed_.size();) {
      int fd = closed_[i];
      bool queued = false;
      for (const Delivery &d : queue_)
        queued = queued || d.fd == fd;
      if (!peers_.count(fd) && !queued && !is_peer_open(fd)) {
        close(fd);
        closed_.erase(closed_.begin() + long(i));
      } else {
        i++;
      }
    }
  }

  bool is_peer_open(int fd) const {
    for (auto &[other, peer] : peers_)
      if (peer.fd == fd)
        return true;
    return false;
  }

  struct Peer {
    int fd;             // where what this socket reads goes
    sockaddr_in client; // UDP: the client behind this upstream socket
  };

  Options options_;
  int listener_;
  std::map<int, Peer> peers_;
  std::map<uint64_t, int> upstream_of_client_;
  std::vector<int> closed_;
  std::deque<Delivery> queue_;
};

} // namespace

int main(int argc, char **argv) {
  Options options = parse_options(argc, argv);
  Proxy proxy(options);
  printf("delay-proxy: %s, %d ms each way\n", options.udp ? "udp" : "tcp",
         int(options.delay.count()));
  fflush(stdout);
  proxy.run();
}
