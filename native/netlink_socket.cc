// The syscalls netrec needs for NETLINK_ROUTE and nothing else: no protocol
// knowledge lives here. The TypeScript side builds and parses every message.
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <sched.h>
#include <string>
#include <sys/file.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace {

// Read buffer: large enough that no datagram the kernel sends (dump parts are
// at most 32 KiB, single messages rarely more than a few KiB) is truncated.
constexpr size_t kMinFree = 256 * 1024;
constexpr size_t kBatchBytes = 4 * 1024 * 1024;

Napi::Error ErrnoError(Napi::Env env, const char* what, int err) {
  std::string msg = std::string(what) + ": " + strerror(err);
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, what));
  return e;
}

struct OpenResult {
  int fd = -1;
  int err = 0;
  const char* step = "";
};

OpenResult OpenSocket() {
  OpenResult r;
  r.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (r.fd < 0) {
    r.err = errno;
    r.step = "socket";
  }
  return r;
}

// A socket belongs to the namespace it was created in. Creating it from a
// short-lived thread that joined the target namespace leaves Node's own
// threads where they were.
// Move the calling thread into the network namespace at nsPath; false (with
// r's errno and step set) when it cannot. Only for short-lived threads.
bool EnterNamespace(const std::string& nsPath, OpenResult& r) {
  int nsfd = open(nsPath.c_str(), O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) {
    r.err = errno;
    r.step = "open namespace";
    return false;
  }
  if (setns(nsfd, CLONE_NEWNET) < 0) {
    r.err = errno;
    r.step = "setns";
    close(nsfd);
    return false;
  }
  close(nsfd);
  return true;
}

OpenResult OpenSocketIn(const std::string& nsPath) {
  OpenResult r;
  std::thread t([&]() {
    if (EnterNamespace(nsPath, r)) r = OpenSocket();
  });
  t.join();
  return r;
}

// A file opened from a short-lived thread inside the namespace at nsPath
// (empty: the caller's namespace). What /proc/sys/net shows is fixed when
// the file is opened: the namespace of the thread that opens it.
OpenResult OpenFileIn(const std::string& nsPath, const std::string& path, int flags) {
  OpenResult r;
  std::thread t([&]() {
    if (!nsPath.empty() && !EnterNamespace(nsPath, r)) return;
    r.fd = open(path.c_str(), flags | O_CLOEXEC);
    if (r.fd < 0) {
      r.err = errno;
      r.step = "open";
    }
  });
  t.join();
  return r;
}

// One sendmsg to the kernel (port 0), retried when a signal interrupts it;
// -1 with errno set on failure.
ssize_t SendToKernel(int fd, const uint8_t* data, size_t len) {
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  for (;;) {
    ssize_t n = sendto(fd, data, len, 0, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    if (n >= 0 || errno != EINTR) return n;
  }
}

class Socket : public Napi::ObjectWrap<Socket> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(env, "Socket", {
      InstanceMethod("send", &Socket::Send),
      InstanceMethod("sendAsync", &Socket::SendAsync),
      InstanceMethod("recv", &Socket::Recv),
      InstanceMethod("join", &Socket::Join),
      InstanceMethod("leave", &Socket::Leave),
      InstanceMethod("setRcvbuf", &Socket::SetRcvbuf),
      InstanceMethod("attachFilter", &Socket::AttachFilter),
      InstanceMethod("startReading", &Socket::StartReading),
      InstanceMethod("stopReading", &Socket::StopReading),
      InstanceMethod("close", &Socket::Close),
      InstanceAccessor("fd", &Socket::GetFd, nullptr),
      InstanceAccessor("portId", &Socket::GetPortId, nullptr),
      InstanceAccessor("netnsCookie", &Socket::GetNetnsCookie, nullptr),
    });
    exports.Set("Socket", ctor);
    return exports;
  }

  // new Socket(nsPath?: string)
  explicit Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info) {
    Napi::Env env = info.Env();
    OpenResult r;
    if (info.Length() > 0 && info[0].IsString()) {
      r = OpenSocketIn(info[0].As<Napi::String>().Utf8Value());
    } else {
      r = OpenSocket();
    }
    if (r.fd < 0) {
      ErrnoError(env, r.step, r.err).ThrowAsJavaScriptException();
      return;
    }
    fd_ = r.fd;
    int one = 1;
    // Best effort: older kernels lack some of these; the TS side copes.
    setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    setsockopt(fd_, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    int sndbuf = 4 * 1024 * 1024;
    if (setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0) {
      setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    }
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof(sa));
    sa.nl_family = AF_NETLINK;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0) {
      int err = errno;
      close(fd_);
      fd_ = -1;
      ErrnoError(env, "bind", err).ThrowAsJavaScriptException();
      return;
    }
    socklen_t len = sizeof(sa);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    portId_ = sa.nl_pid;
    buf_.resize(kBatchBytes + kMinFree);
  }

  ~Socket() override { Shutdown(); }

 private:
  int fd_ = -1;
  uint32_t portId_ = 0;
  std::vector<uint8_t> buf_;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onReadable_;
  // sendAsync calls still running on the thread pool; close() waits for them
  // before releasing the descriptor, so a pool thread never writes to a
  // number the process has reused.
  int inflight_ = 0;
  bool closeRequested_ = false;

  friend class SendWorker;

  // Stop polling and close the descriptor. The poll handle is freed by libuv's
  // close callback, after which nothing refers to it.
  void Shutdown() {
    if (poll_ != nullptr) {
      uv_poll_stop(poll_);
      uv_close(reinterpret_cast<uv_handle_t*>(poll_),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      poll_ = nullptr;
    }
    if (!onReadable_.IsEmpty()) onReadable_.Reset();
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
  }

  bool CheckOpen(Napi::Env env) {
    if (fd_ < 0 || closeRequested_) {
      ErrnoError(env, "netlink socket", EBADF).ThrowAsJavaScriptException();
      return false;
    }
    return true;
  }

  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value GetPortId(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), portId_); }

  // The namespace's cookie (SO_NETNS_COOKIE, Linux 5.14+): unlike its inode
  // number, never given to another namespace while the system runs. Decimal
  // text (a u64), or undefined where the kernel has no such option.
  Napi::Value GetNetnsCookie(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t cookie = 0;
    socklen_t len = sizeof(cookie);
    if (fd_ < 0 || getsockopt(fd_, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0) return env.Undefined();
    return Napi::String::New(env, std::to_string(cookie));
  }

  // send(buffer[, offset, length]): one sendmsg to the kernel, many messages.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsBuffer()) {
      Napi::TypeError::New(env, "send(buffer) expects a Buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto b = info[0].As<Napi::Buffer<uint8_t>>();
    size_t off = info.Length() > 1 ? info[1].As<Napi::Number>().Uint32Value() : 0;
    size_t len = info.Length() > 2 ? info[2].As<Napi::Number>().Uint32Value() : b.Length() - off;
    if (off + len > b.Length()) {
      Napi::RangeError::New(env, "send: range outside buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    ssize_t n = SendToKernel(fd_, b.Data() + off, len);
    if (n >= 0) return Napi::Number::New(env, static_cast<double>(n));
    ErrnoError(env, "sendmsg", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // recv(): every datagram waiting now (up to a few MiB), concatenated, as one
  // Buffer; null when nothing is waiting. Datagrams not sent by the kernel are
  // dropped. A truncated datagram or a receive-queue overrun throws (errno
  // EMSGSIZE / ENOBUFS), since data was lost.
  Napi::Value Recv(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    size_t used = 0;
    while (used < kBatchBytes) {
      struct sockaddr_nl sa;
      struct iovec iov = {buf_.data() + used, buf_.size() - used};
      struct msghdr mh;
      memset(&mh, 0, sizeof(mh));
      mh.msg_name = &sa;
      mh.msg_namelen = sizeof(sa);
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      ssize_t n = recvmsg(fd_, &mh, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        ErrnoError(env, "recvmsg", errno).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      if ((mh.msg_flags & MSG_TRUNC) || static_cast<size_t>(n) > iov.iov_len) {
        ErrnoError(env, "recvmsg (datagram truncated)", EMSGSIZE).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      if (sa.nl_pid != 0) continue;  // not from the kernel
      used += static_cast<size_t>(n);
      if (buf_.size() - used < kMinFree) break;
    }
    if (used == 0) return env.Null();
    return Napi::Buffer<uint8_t>::Copy(env, buf_.data(), used);
  }

  Napi::Value Membership(const Napi::CallbackInfo& info, int opt) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int group = info[0].As<Napi::Number>().Int32Value();
    if (setsockopt(fd_, SOL_NETLINK, opt, &group, sizeof(group)) < 0) {
      ErrnoError(env, opt == NETLINK_ADD_MEMBERSHIP ? "join group" : "leave group", errno)
          .ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }
  Napi::Value Join(const Napi::CallbackInfo& info) { return Membership(info, NETLINK_ADD_MEMBERSHIP); }
  Napi::Value Leave(const Napi::CallbackInfo& info) { return Membership(info, NETLINK_DROP_MEMBERSHIP); }

  // setRcvbuf(bytes) -> the size in force. SO_RCVBUFFORCE (root) passes
  // rmem_max; without the privilege SO_RCVBUF gives what the cap allows.
  Napi::Value SetRcvbuf(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int size = info[0].As<Napi::Number>().Int32Value();
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    }
    int actual = 0;
    socklen_t len = sizeof(actual);
    getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &actual, &len);
    return Napi::Number::New(env, actual);
  }

  // attachFilter(program): a classic BPF program (struct sock_filter[], 8
  // bytes each) the kernel runs on every datagram before queueing it, so
  // what it drops costs no receive-buffer space and no copy.
  Napi::Value AttachFilter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsBuffer()) {
      Napi::TypeError::New(env, "attachFilter(buffer) expects a Buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto b = info[0].As<Napi::Buffer<uint8_t>>();
    struct sock_fprog prog;
    prog.len = static_cast<unsigned short>(b.Length() / sizeof(struct sock_filter));
    prog.filter = reinterpret_cast<struct sock_filter*>(b.Data());
    if (setsockopt(fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
      ErrnoError(env, "attach filter", errno).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) {
    Socket* self = static_cast<Socket*>(handle->data);
    if (self == nullptr || self->onReadable_.IsEmpty()) return;
    Napi::Env env = self->onReadable_.Env();
    Napi::HandleScope scope(env);
    napi_value global;
    napi_get_global(env, &global);
    self->onReadable_.MakeCallback(Napi::Object(env, global), {Napi::Number::New(env, status)});
  }

  // startReading(callback): call back on the event loop whenever data waits.
  Napi::Value StartReading(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    onReadable_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (poll_ == nullptr) {
      uv_loop_t* loop = nullptr;
      napi_get_uv_event_loop(env, &loop);
      poll_ = new uv_poll_t;
      uv_poll_init(loop, poll_, fd_);
      poll_->data = this;
    }
    uv_poll_start(poll_, UV_READABLE, OnPoll);
    return env.Undefined();
  }

  Napi::Value StopReading(const Napi::CallbackInfo& info) {
    if (poll_ != nullptr) uv_poll_stop(poll_);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (inflight_ > 0) closeRequested_ = true;
    else Shutdown();
    return info.Env().Undefined();
  }

  Napi::Value SendAsync(const Napi::CallbackInfo& info);
  void SendDone() {
    if (--inflight_ == 0 && closeRequested_) Shutdown();
  }
};

// sendAsync(buffer, offset, length, callback(err, bytes)): the same sendmsg
// as send(), on a libuv pool thread. rtnetlink handles the messages inside
// sendmsg, so two sockets sending at once keep two cores busy in the kernel
// while the event loop stays free. The buffer and the socket object are held
// until the callback runs; the caller must not change the bytes meanwhile.
class SendWorker : public Napi::AsyncWorker {
 public:
  SendWorker(Napi::Function cb, Napi::Object self, Socket* sock, Napi::Buffer<uint8_t> buf, size_t off, size_t len)
      : Napi::AsyncWorker(cb, "netrec.sendAsync"), sock_(sock), fd_(sock->fd_), data_(buf.Data() + off), len_(len) {
    self_ = Napi::Persistent(self);
    buf_ = Napi::Persistent(buf);
    sock_->inflight_++;
  }

  void Execute() override {
    sent_ = SendToKernel(fd_, data_, len_);
    if (sent_ < 0) err_ = errno;
  }

  void OnOK() override {
    Napi::Env env = Env();
    sock_->SendDone();
    if (err_ != 0) Callback().Call({ErrnoError(env, "sendmsg", err_).Value(), env.Undefined()});
    else Callback().Call({env.Null(), Napi::Number::New(env, static_cast<double>(sent_))});
  }

 private:
  Socket* sock_;
  int fd_;
  const uint8_t* data_;
  size_t len_;
  ssize_t sent_ = 0;
  int err_ = 0;
  Napi::ObjectReference self_;
  Napi::Reference<Napi::Buffer<uint8_t>> buf_;
};

Napi::Value Socket::SendAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (info.Length() < 4 || !info[0].IsBuffer() || !info[3].IsFunction()) {
    Napi::TypeError::New(env, "sendAsync(buffer, offset, length, callback)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto b = info[0].As<Napi::Buffer<uint8_t>>();
  size_t off = info[1].As<Napi::Number>().Uint32Value();
  size_t len = info[2].As<Napi::Number>().Uint32Value();
  if (off + len > b.Length()) {
    Napi::RangeError::New(env, "sendAsync: range outside buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* w = new SendWorker(info[3].As<Napi::Function>(), info.This().As<Napi::Object>(), this, b, off, len);
  w->Queue();
  return env.Undefined();
}

// lockFile(path) -> fd holding an exclusive flock(2) on path (created 0600 if
// missing); throws with errno EWOULDBLOCK when another process holds it. The
// kernel drops the lock when the holder exits, however it exits, so a
// killed netrec never leaves a stale lock behind.
Napi::Value LockFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    ErrnoError(env, "open lock file", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    int err = errno;
    close(fd);
    ErrnoError(env, "flock", err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

// openInNamespace(nsPath | undefined, path, flags): a descriptor of path,
// opened inside the network namespace at nsPath (O_CLOEXEC added).
Napi::Value OpenInNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string ns = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  int flags = info[2].As<Napi::Number>().Int32Value();
  OpenResult r = OpenFileIn(ns, path, flags);
  if (r.fd < 0) {
    ErrnoError(env, r.step, r.err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, r.fd);
}

// unlockFile(fd): release and close.
Napi::Value UnlockFile(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  flock(fd, LOCK_UN);
  close(fd);
  return info.Env().Undefined();
}

}  // namespace

Napi::Value Probe(const Napi::CallbackInfo& info);
Napi::Value Echo(const Napi::CallbackInfo& info);
void InitUnixDgram(Napi::Env env, Napi::Object exports);

namespace {

Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("echo", Napi::Function::New(env, Echo));
  exports.Set("lockFile", Napi::Function::New(env, LockFile));
  exports.Set("unlockFile", Napi::Function::New(env, UnlockFile));
  exports.Set("openInNamespace", Napi::Function::New(env, OpenInNamespace));
  InitUnixDgram(env, exports);
  return Socket::Init(env, exports);
}

}  // namespace

NODE_API_MODULE(netrec_native, InitAll)
