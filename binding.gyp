{
  "targets": [{
    "target_name": "netrec_native",
    "sources": ["native/netlink_socket.cc", "native/probe.cc", "native/unix_dgram.cc"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
    "cflags_cc": ["-std=c++17", "-O2", "-Wall"]
  }]
}
