// ICMP echo (what ping does) from inside a network namespace, for the kernel
// tests: they send bounded echo requests between namespaces they made and
// need no ping program on the machine. A raw ICMP socket, opened on a thread
// of its own that joins the namespace (setns moves only the calling thread),
// so Node's threads stay where they are. The product never calls it.
#include <napi.h>

#include "icmp.h"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using netrec_icmp::Checksum;
using netrec_icmp::NowMs;



struct EchoArgs {
  std::string ns, dst, from;
  int count = 1;
  int intervalMs = 200;
  // > 0: keep sending until `count` replies or this many ms have passed.
  int untilMs = 0;
  // Without untilMs: send `count` requests, then wait this long for replies.
  int waitMs = 2000;
};

struct EchoResult {
  int transmitted = 0;
  int received = 0;
  // ICMP errors that came back for our requests, and local send errors, as ping words them.
  std::vector<std::string> notes;
  // Set when nothing could be sent at all (namespace, socket, address).
  std::string error;
};

bool ParseAddr(const std::string& text, bool v6, sockaddr_storage* ss, socklen_t* len) {
  memset(ss, 0, sizeof(*ss));
  if (v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(ss);
    s6->sin6_family = AF_INET6;
    *len = sizeof(*s6);
    return inet_pton(AF_INET6, text.c_str(), &s6->sin6_addr) == 1;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(ss);
  s4->sin_family = AF_INET;
  *len = sizeof(*s4);
  return inet_pton(AF_INET, text.c_str(), &s4->sin_addr) == 1;
}

std::string AddrText(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof(buf));
  else inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof(buf));
  return buf;
}

bool SameAddr(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET6) {
    return memcmp(&reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr, &reinterpret_cast<const sockaddr_in6*>(&b)->sin6_addr, sizeof(in6_addr)) == 0;
  }
  return reinterpret_cast<const sockaddr_in*>(&a)->sin_addr.s_addr == reinterpret_cast<const sockaddr_in*>(&b)->sin_addr.s_addr;
}

const char* ErrorName(bool v6, int type) {
  if (v6) {
    if (type == ICMP6_DST_UNREACH) return "Destination Unreachable";
    if (type == ICMP6_PACKET_TOO_BIG) return "Packet Too Big";
    if (type == ICMP6_TIME_EXCEEDED) return "Time Exceeded";
    if (type == ICMP6_PARAM_PROB) return "Parameter Problem";
    return nullptr;
  }
  if (type == ICMP_DEST_UNREACH) return "Destination Unreachable";
  if (type == ICMP_TIME_EXCEEDED) return "Time Exceeded";
  if (type == ICMP_PARAMETERPROB) return "Parameter Problem";
  return nullptr;
}

void RunEcho(const EchoArgs& a, EchoResult* r) {
  if (!a.ns.empty()) {
    int nsfd = open(a.ns.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
      r->error = "cannot enter namespace " + a.ns + ": " + strerror(errno);
      if (nsfd >= 0) close(nsfd);
      return;
    }
    close(nsfd);
  }
  const bool v6 = a.dst.find(':') != std::string::npos;
  sockaddr_storage dst, src;
  socklen_t dstLen, srcLen;
  if (!ParseAddr(a.dst, v6, &dst, &dstLen)) {
    r->error = "not an IP address: " + a.dst;
    return;
  }
  if (!a.from.empty() && !ParseAddr(a.from, v6, &src, &srcLen)) {
    r->error = "source is not an address of the destination's family: " + a.from;
    return;
  }
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP));
  if (fd < 0) {
    r->error = std::string("raw ICMP socket: ") + strerror(errno);
    return;
  }
  if (!a.from.empty() && bind(fd, reinterpret_cast<const sockaddr*>(&src), srcLen) < 0) {
    r->error = "bind " + a.from + ": " + strerror(errno);
    close(fd);
    return;
  }
  const uint16_t id = static_cast<uint16_t>((getpid() * 2654435761u) ^ static_cast<uint32_t>(NowMs()) ^ reinterpret_cast<uintptr_t>(r));
  const int maxSends = a.untilMs > 0 ? a.untilMs / (a.intervalMs > 0 ? a.intervalMs : 1) + a.count + 1 : a.count;
  std::vector<bool> answered(maxSends + 2, false);
  const long long start = NowMs();
  long long deadline = a.untilMs > 0 ? start + a.untilMs : 0;
  long long nextSend = start;
  int sent = 0;
  std::string lastSendError;
  for (;;) {
    const long long now = NowMs();
    if (r->received >= a.count) break;
    if (a.untilMs > 0 ? now >= deadline : (sent >= a.count && now >= deadline)) break;
    const bool sending = sent < maxSends && (a.untilMs > 0 || sent < a.count);
    if (sending && now >= nextSend) {
      ++sent;
      uint8_t pkt[16];
      memset(pkt, 0, sizeof(pkt));
      pkt[0] = v6 ? static_cast<uint8_t>(ICMP6_ECHO_REQUEST) : static_cast<uint8_t>(ICMP_ECHO);
      pkt[4] = id >> 8;
      pkt[5] = id & 0xff;
      pkt[6] = sent >> 8;
      pkt[7] = sent & 0xff;
      if (!v6) {  // the kernel computes ICMPv6 checksums itself
        uint16_t c = Checksum(pkt, sizeof(pkt));
        memcpy(pkt + 2, &c, 2);
      }
      if (sendto(fd, pkt, sizeof(pkt), 0, reinterpret_cast<const sockaddr*>(&dst), dstLen) < 0) {
        std::string e = std::string("sendto: ") + strerror(errno);
        if (e != lastSendError) r->notes.push_back(e);
        lastSendError = e;
      } else {
        ++r->transmitted;
      }
      nextSend = now + a.intervalMs;
      if (a.untilMs <= 0 && sent >= a.count) deadline = now + a.waitMs;
    }
    long long until = a.untilMs > 0 || sent >= a.count ? deadline : nextSend;
    if (sending && nextSend < until) until = nextSend;
    int wait = static_cast<int>(until - NowMs());
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, wait < 0 ? 0 : wait) <= 0) continue;
    uint8_t buf[2048];
    sockaddr_storage from;
    socklen_t fromLen = sizeof(from);
    ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (n <= 0) continue;
    const uint8_t* icmp = buf;
    size_t len = static_cast<size_t>(n);
    if (!v6) {  // raw IPv4 sockets deliver the IP header too
      size_t ihl = (buf[0] & 0x0f) * 4;
      if (len < ihl + 8) continue;
      icmp = buf + ihl;
      len -= ihl;
    }
    if (len < 8) continue;
    const int type = icmp[0];
    const bool reply = v6 ? type == ICMP6_ECHO_REPLY : type == ICMP_ECHOREPLY;
    if (reply) {
      int seq = (icmp[6] << 8) | icmp[7];
      if (((icmp[4] << 8) | icmp[5]) != id || seq < 1 || seq > sent || !SameAddr(from, dst)) continue;
      if (answered[seq]) continue;  // a duplicate
      answered[seq] = true;
      ++r->received;
      continue;
    }
    const char* what = ErrorName(v6, type);
    if (!what) continue;
    // The error quotes our request: its IP header, then the ICMP header with our id.
    const uint8_t* inner = icmp + 8;
    size_t innerLen = len - 8;
    size_t innerIp = v6 ? 40 : (innerLen > 0 ? (inner[0] & 0x0f) * 4 : 0);
    if (innerIp == 0 || innerLen < innerIp + 8) continue;
    const uint8_t* orig = inner + innerIp;
    const int origType = orig[0];
    if (origType != (v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO) || ((orig[4] << 8) | orig[5]) != id) continue;
    r->notes.push_back("From " + AddrText(from) + " icmp_seq=" + std::to_string((orig[6] << 8) | orig[7]) + " " + what + " (code " + std::to_string(icmp[1]) + ")");
  }
  close(fd);
}

}  // namespace

// echo(nsPath ('' = ours), dst, from ('' = any), count, intervalMs, untilMs, waitMs)
//   -> { transmitted, received, notes: string[], error?: string }
// Blocks the calling thread for at most untilMs (or count*intervalMs + waitMs).
Napi::Value Echo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EchoArgs a;
  a.ns = info[0].As<Napi::String>().Utf8Value();
  a.dst = info[1].As<Napi::String>().Utf8Value();
  a.from = info[2].As<Napi::String>().Utf8Value();
  a.count = info[3].As<Napi::Number>().Int32Value();
  a.intervalMs = info[4].As<Napi::Number>().Int32Value();
  a.untilMs = info[5].As<Napi::Number>().Int32Value();
  a.waitMs = info[6].As<Napi::Number>().Int32Value();
  if (a.count < 1 || a.count > 1000 || a.intervalMs < 1 || a.untilMs < 0 || a.untilMs > 60000 || a.waitMs < 0 || a.waitMs > 60000) {
    Napi::RangeError::New(env, "echo: count 1..1000, intervalMs >= 1, untilMs and waitMs 0..60000").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  EchoResult r;
  std::thread t(RunEcho, std::cref(a), &r);
  t.join();
  Napi::Object out = Napi::Object::New(env);
  out.Set("transmitted", Napi::Number::New(env, r.transmitted));
  out.Set("received", Napi::Number::New(env, r.received));
  Napi::Array notes = Napi::Array::New(env, r.notes.size());
  for (size_t i = 0; i < r.notes.size(); ++i) notes.Set(static_cast<uint32_t>(i), Napi::String::New(env, r.notes[i]));
  out.Set("notes", notes);
  if (!r.error.empty()) out.Set("error", Napi::String::New(env, r.error));
  return out;
}
