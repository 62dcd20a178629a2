// Shared by the addon's ICMP senders (probe.cc, echo.cc).
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace netrec_icmp {

// The Internet checksum (RFC 1071) of an ICMPv4 message, in network order.
inline uint16_t Checksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (len & 1) sum += data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

inline long long NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace netrec_icmp
