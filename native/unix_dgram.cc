// AF_UNIX datagrams for the service manager's notification protocol
// (sd_notify(3)): one datagram to the socket named by NOTIFY_SOCKET, a path or
// an abstract name written with a leading '@'. The receiving side (bind and
// read) lets tests stand in for the service manager. CLOCK_MONOTONIC for
// MONOTONIC_USEC, which must be on the service manager's clock.
#include <napi.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

Napi::Error DgramError(Napi::Env env, const std::string& what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

// Fill `sa` for `name` ('@' = abstract); returns the address length, 0 if the name does not fit.
socklen_t UnixAddress(const std::string& name, sockaddr_un* sa) {
  memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  if (name.empty() || name.size() > sizeof(sa->sun_path) - (name[0] == '@' ? 0 : 1)) return 0;
  memcpy(sa->sun_path, name.data(), name.size());
  if (name[0] == '@') {
    // Abstract: the leading NUL is the name's marker; its length is exact, with no trailing NUL.
    sa->sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
}

// sendDatagram(name, data): one datagram from a fresh socket; throws with errno.
Napi::Value SendDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<uint8_t> data = info[1].As<Napi::Buffer<uint8_t>>();
  sockaddr_un sa;
  socklen_t len = UnixAddress(name, &sa);
  if (len == 0) {
    DgramError(env, "socket name too long or empty", ENAMETOOLONG).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    DgramError(env, "socket", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ssize_t n;
  do n = sendto(fd, data.Data(), data.Length(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sa), len);
  while (n < 0 && errno == EINTR);
  int err = errno;
  close(fd);
  if (n < 0) DgramError(env, "sendto " + name, err).ThrowAsJavaScriptException();
  return env.Undefined();
}

// bindDatagram(name) -> fd: a non-blocking datagram socket bound to `name`.
Napi::Value BindDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  sockaddr_un sa;
  socklen_t len = UnixAddress(name, &sa);
  if (len == 0) {
    DgramError(env, "socket name too long or empty", ENAMETOOLONG).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    DgramError(env, "socket", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) < 0) {
    int err = errno;
    close(fd);
    DgramError(env, "bind " + name, err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

// recvDatagram(fd) -> Buffer | null: the next waiting datagram, null when none.
Napi::Value RecvDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  uint8_t buf[65536];
  ssize_t n;
  do n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    DgramError(env, "recv", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Buffer<uint8_t>::Copy(env, buf, static_cast<size_t>(n));
}

// closeDatagram(fd)
Napi::Value CloseDatagram(const Napi::CallbackInfo& info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// monotonicUsec() -> CLOCK_MONOTONIC in microseconds (fits a double for centuries of uptime).
Napi::Value MonotonicUsec(const Napi::CallbackInfo& info) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Napi::Number::New(info.Env(), static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec / 1000));
}

}  // namespace

void InitUnixDgram(Napi::Env env, Napi::Object exports) {
  exports.Set("sendDatagram", Napi::Function::New(env, SendDatagram));
  exports.Set("bindDatagram", Napi::Function::New(env, BindDatagram));
  exports.Set("recvDatagram", Napi::Function::New(env, RecvDatagram));
  exports.Set("closeDatagram", Napi::Function::New(env, CloseDatagram));
  exports.Set("monotonicUsec", Napi::Function::New(env, MonotonicUsec));
}
