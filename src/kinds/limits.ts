// MTU bounds the kinds' setup functions use (include/uapi/linux/if_ether.h,
// include/linux/ipv6.h); net/core/dev.c dev_validate_mtu refuses below
// min_mtu, and above max_mtu when max_mtu is not 0.

/** ETH_MIN_MTU, ETH_MAX_MTU: ether_setup's range. */
export const ETH_MIN_MTU = 68;
export const ETH_MAX_MTU = 65535;
/** IPV6_MIN_MTU: below it the kernel turns IPv6 off on the device and drops its addresses (addrconf_notify). */
export const IPV6_MIN_MTU = 1280;
/** IP6_MAX_MTU: 65535 + the IPv6 header. */
export const IP6_MAX_MTU = 65535 + 40;
/** Typed limits for the descriptors: ether_setup's. */
export const ETHER = { mtu: [ETH_MIN_MTU, ETH_MAX_MTU], ethernet: true } as const;
