// Health probes for confirm-or-rollback, run from inside the target network
// namespace: a TCP connect or an ICMP echo, each bounded by a timeout. They
// run on a worker thread that joins the namespace, so Node's threads stay put.
#include <napi.h>

#include "icmp.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using netrec_icmp::Checksum;
using netrec_icmp::NowMs;



class ProbeWorker : public Napi::AsyncWorker {
 public:
  ProbeWorker(Napi::Function cb, std::string ns, std::string kind, std::string addr, int port, int timeoutMs)
      : Napi::AsyncWorker(cb), ns_(ns), kind_(kind), addr_(addr), port_(port), timeout_(timeoutMs) {}

  void Execute() override {
    if (!ns_.empty()) {
      int nsfd = open(ns_.c_str(), O_RDONLY | O_CLOEXEC);
      if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
        detail_ = std::string("cannot enter namespace: ") + strerror(errno);
        if (nsfd >= 0) close(nsfd);
        return;
      }
      close(nsfd);
    }
    sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    bool v6 = addr_.find(':') != std::string::npos;
    if (v6) {
      auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
      s6->sin6_family = AF_INET6;
      s6->sin6_port = htons(port_);
      if (inet_pton(AF_INET6, addr_.c_str(), &s6->sin6_addr) != 1) {
        detail_ = "not an IPv6 address";
        return;
      }
      sl = sizeof(*s6);
    } else {
      auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
      s4->sin_family = AF_INET;
      s4->sin_port = htons(port_);
      if (inet_pton(AF_INET, addr_.c_str(), &s4->sin_addr) != 1) {
        detail_ = "not an IPv4 address";
        return;
      }
      sl = sizeof(*s4);
    }
    if (kind_ == "tcp") Tcp(ss, sl, v6);
    else Ping(ss, sl, v6);
  }

  void OnOK() override {
    Napi::Env env = Env();
    Callback().Call({env.Null(), Napi::Boolean::New(env, ok_), Napi::String::New(env, detail_)});
  }

 private:
  std::string ns_, kind_, addr_;
  int port_, timeout_;
  bool ok_ = false;
  std::string detail_;

  void Tcp(const sockaddr_storage& ss, socklen_t sl, bool v6) {
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      detail_ = strerror(errno);
      return;
    }
    int r = connect(fd, reinterpret_cast<const sockaddr*>(&ss), sl);
    if (r < 0 && errno != EINPROGRESS) {
      detail_ = strerror(errno);
      close(fd);
      return;
    }
    pollfd p = {fd, POLLOUT, 0};
    r = poll(&p, 1, timeout_);
    if (r == 0) {
      detail_ = "timed out";
    } else {
      int err = 0;
      socklen_t el = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
      ok_ = err == 0;
      detail_ = err == 0 ? "connected" : strerror(err);
    }
    close(fd);
  }

  void Ping(const sockaddr_storage& ss, socklen_t sl, bool v6) {
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP));
    if (fd < 0) {
      detail_ = std::string("raw socket: ") + strerror(errno);
      return;
    }
    uint16_t id = static_cast<uint16_t>(getpid() ^ reinterpret_cast<uintptr_t>(this));
    uint8_t pkt[16];
    memset(pkt, 0, sizeof(pkt));
    pkt[0] = v6 ? static_cast<uint8_t>(ICMP6_ECHO_REQUEST) : static_cast<uint8_t>(ICMP_ECHO);
    pkt[4] = id >> 8;
    pkt[5] = id & 0xff;
    pkt[7] = 1;  // sequence 1
    if (!v6) {
      uint16_t c = Checksum(pkt, sizeof(pkt));
      memcpy(pkt + 2, &c, 2);
    }
    long long deadline = NowMs() + timeout_;
    // One echo per 200 ms until a reply or the deadline.
    long long nextSend = 0;
    while (NowMs() < deadline) {
      if (NowMs() >= nextSend) {
        sendto(fd, pkt, sizeof(pkt), 0, reinterpret_cast<const sockaddr*>(&ss), sl);
        nextSend = NowMs() + 200;
      }
      pollfd p = {fd, POLLIN, 0};
      int wait = static_cast<int>(std::min(nextSend, deadline) - NowMs());
      if (poll(&p, 1, wait < 0 ? 0 : wait) <= 0) continue;
      uint8_t buf[1500];
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) continue;
      const uint8_t* icmp = buf;
      if (!v6) {  // raw IPv4 sockets deliver the IP header too
        size_t ihl = (buf[0] & 0x0f) * 4;
        if (static_cast<size_t>(n) < ihl + 8) continue;
        icmp = buf + ihl;
        n -= ihl;
      }
      if (n < 8) continue;
      bool reply = v6 ? icmp[0] == static_cast<uint8_t>(ICMP6_ECHO_REPLY) : icmp[0] == static_cast<uint8_t>(ICMP_ECHOREPLY);
      if (reply && ((icmp[4] << 8) | icmp[5]) == id) {
        ok_ = true;
        detail_ = "echo reply";
        break;
      }
    }
    if (!ok_) detail_ = "no echo reply";
    close(fd);
  }
};

}  // namespace

// probe(nsPath: string ('' = ours), kind: 'tcp' | 'ping', addr, port, timeoutMs, cb(err, ok, detail))
Napi::Value Probe(const Napi::CallbackInfo& info) {
  auto* w = new ProbeWorker(info[5].As<Napi::Function>(), info[0].As<Napi::String>().Utf8Value(),
                            info[1].As<Napi::String>().Utf8Value(), info[2].As<Napi::String>().Utf8Value(),
                            info[3].As<Napi::Number>().Int32Value(), info[4].As<Napi::Number>().Int32Value());
  w->Queue();
  return info.Env().Undefined();
}
