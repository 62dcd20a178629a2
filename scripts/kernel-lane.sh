#!/usr/bin/env bash
# The full-kernel lane: run the netns test suite inside Debian's distribution
# kernel (which has dummy, 8021q, bonding, vrf, ...) under qemu, with this
# machine's root shared read-only over 9p and a second, writable 9p share
# that carries the request in and the TAP output and exit code back.
#
#   npm run test:kernels [-- TEST_PATH...]
#
# Without paths it runs the netns test files that need a full kernel: those
# that ask the kernel what it lacks (missingKind in helpers/traffic.ts), i.e.
# the link-kind tests and the vlan/vrf topologies. Software emulation makes
# every netrec run about 10-15 times slower than on this machine, so the rest
# of the suite (which the host lane runs) would not fit the time budget; pass
# dist/netns-tests/ to run all of it anyway.
#
# The same file is the guest's init: run as PID 1 it takes the guest branch.
# Environment: KERNEL_LANE_TIMEOUT (seconds the guest may take, default 1200),
# KERNEL_LANE_MEMORY (default 4G), KERNEL_LANE_SKIP_BUILD=1 (dist/ is fresh),
# KERNEL_LANE_KEEP=1 (keep the results share: console.log, guest.log, tap).
set -uo pipefail

SELF="$(readlink -f "$0")"
REPO="$(dirname "$(dirname "$SELF")")"
GUEST_MODULES="dummy 8021q bonding vrf veth bridge vxlan macvlan macvtap ipvlan ip_gre ip6_gre ipip sit ip6_tunnel geneve"
# 9p root and results share; update-initramfs adds their dependencies too.
INITRAMFS_MODULES="virtio_pci virtio_ring netfs fscache 9pnet 9pnet_virtio 9p"

# ---------------------------------------------------------------- guest (PID 1)

# Stage 1: make the read-only shared root writable in memory (an overlay with
# a tmpfs upper layer, so nothing the suite writes reaches this machine), then
# continue in it as stage 2.
guest_stage1() {
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  mountpoint -q /proc || mount -t proc proc /proc
  mountpoint -q /sys || mount -t sysfs sysfs /sys
  mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
  mount -t tmpfs -o mode=755 tmpfs /run
  mkdir -p /run/overlay/upper /run/overlay/work /run/overlay/root
  modprobe overlay
  if ! mount -t overlay overlay -o lowerdir=/,upperdir=/run/overlay/upper,workdir=/run/overlay/work /run/overlay/root; then
    echo "kernel-lane guest: cannot mount the overlay root" >&2
    guest_poweroff
  fi
  local m
  for m in /proc /sys /dev; do mount --move "$m" "/run/overlay/root$m"; done
  exec chroot /run/overlay/root /bin/bash "$SELF" guest-stage2
}

# Stage 2: load the link kinds, run the suite, leave TAP and the exit code
# in the results share, power off.
guest_stage2() {
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
  # /tmp is writable through the overlay (and may hold the repository, so it
  # is not covered); /run starts empty, as after a boot.
  mount -t tmpfs -o mode=755 tmpfs /run
  mkdir -p /run/netns /run/kernel-lane
  if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /run/kernel-lane; then
    echo "kernel-lane guest: cannot mount the results share" >&2
    guest_poweroff
  fi
  local out=/run/kernel-lane m
  {
    echo "kernel $(uname -r)"
    for m in $GUEST_MODULES; do
      if modprobe "$m" 2>&1; then echo "module $m loaded"; else echo "module $m FAILED"; fi
    done
  } >"$out/guest.log" 2>&1
  ip link set lo up
  local secs tests
  secs="$(sed -n 's/^timeout=//p' "$out/request")"
  tests="$(sed -n 's/^tests=//p' "$out/request")"
  cd "$REPO" || guest_poweroff
  echo "kernel-lane guest: running the suite ($tests) on $(uname -r) at $(cut -d' ' -f1 /proc/uptime)s"
  # shellcheck disable=SC2086 # the test paths are a word list on purpose
  timeout --kill-after=10 "$secs" node --test --test-concurrency=1 --test-reporter=tap $tests \
    >"$out/tap" 2>"$out/stderr"
  echo "$?" >"$out/exit-code.tmp" && mv "$out/exit-code.tmp" "$out/exit-code"
  echo "kernel-lane guest: suite done at $(cut -d' ' -f1 /proc/uptime)s"
  guest_poweroff
}

guest_poweroff() {
  sync
  echo o >/proc/sysrq-trigger
  sleep 30
  exit 1 # init exiting panics the kernel; panic=1 and -no-reboot end qemu either way
}

if [ "$$" = 1 ]; then
  if [ "${1:-}" = guest-stage2 ]; then guest_stage2; else guest_stage1; fi
fi

# ---------------------------------------------------------------- host

say() { printf 'kernel-lane: %s\n' "$*" >&2; }
die() { say "$*"; echo "kernels: 0 passed, 1 failed, 0 skipped"; exit 1; }

APT_UPDATED=
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq || die "apt-get update failed"; APT_UPDATED=1; fi
  say "installing $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

newest_kernel() {
  local v best=
  for f in /boot/vmlinuz-*; do
    [ -e "$f" ] || continue
    v="${f#/boot/vmlinuz-}"
    [ -d "/lib/modules/$v" ] && best="$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n1)"
  done
  echo "$best"
}

prepare_host() {
  [ "$(id -u)" = 0 ] || die "needs root (apt, initramfs, and the guest suite runs as root)"
  [ -x "$SELF" ] || die "$SELF must be executable: the guest runs it as init"
  command -v qemu-system-x86_64 >/dev/null || apt_install qemu-system-x86
  command -v update-initramfs >/dev/null || apt_install initramfs-tools
  # The 9p modules go in before the kernel is installed, so its first initramfs has them.
  local modfile=/etc/initramfs-tools/modules m
  for m in $INITRAMFS_MODULES; do
    grep -qx "$m" "$modfile" 2>/dev/null || echo "$m" >>"$modfile"
  done
  KVER="$(newest_kernel)"
  [ -n "$KVER" ] || { apt_install linux-image-amd64; KVER="$(newest_kernel)"; }
  [ -n "$KVER" ] || die "no kernel in /boot with its /lib/modules directory"
  KERNEL="/boot/vmlinuz-$KVER"
  INITRD="/boot/initrd.img-$KVER"
  if [ ! -e "$INITRD" ] || [ "$modfile" -nt "$INITRD" ] || ! lsinitramfs "$INITRD" | grep "/9pnet_virtio\.ko" >/dev/null; then
    say "regenerating $INITRD with the 9p modules"
    update-initramfs -c -k "$KVER" >/dev/null 2>&1 || update-initramfs -u -k "$KVER" >/dev/null || die "update-initramfs failed"
  fi
}

# Prints the TAP summary and the one-line count; returns the lane's status.
report() {
  local results="$1" rc="$2"
  local tap="$results/tap"
  cat "$tap"
  if [ -s "$results/stderr" ]; then say "guest stderr:"; sed 's/^/  /' "$results/stderr" >&2; fi
  local pass fail skip cancelled
  pass="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n1)"
  fail="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n1)"
  skip="$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap" | tail -n1)"
  cancelled="$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -n1)"
  if [ -z "$pass" ]; then
    say "the guest's TAP has no summary (suite interrupted or timed out; exit code $rc)"
    pass=$(grep -cE '^\s*ok ' "$tap"); fail=$(( $(grep -cE '^\s*not ok ' "$tap") + 1 )); skip=0; cancelled=0
  fi
  fail=$((fail + ${cancelled:-0}))
  say "guest: $(sed -n 's/^kernel //p' "$results/guest.log"); $(grep -c ' loaded$' "$results/guest.log") of $(wc -w <<<"$GUEST_MODULES") kind modules loaded"
  grep ' FAILED$' "$results/guest.log" >&2
  echo "kernels: $pass passed, $fail failed, ${skip:-0} skipped"
  [ "$rc" = 0 ] && [ "$fail" = 0 ]
}

host_main() {
  local started=$SECONDS
  cd "$REPO" || die "no repository at $REPO"
  prepare_host
  if [ "${KERNEL_LANE_SKIP_BUILD:-}" != 1 ]; then
    say "building"
    npm run -s prepare || die "the build failed"
  fi
  local tests="$*" timeout_s="${KERNEL_LANE_TIMEOUT:-1200}"
  [ -n "$tests" ] || tests="$(grep -rl --include='*.test.js' 'missingKind(' dist/netns-tests | sort | tr '\n' ' ')"
  [ -n "$tests" ] || die "no test file in dist/netns-tests needs a full kernel"
  RESULTS="$(mktemp -d /tmp/netrec-kernel-lane.XXXXXX)"
  if [ "${KERNEL_LANE_KEEP:-}" = 1 ]; then say "results kept in $RESULTS"; else trap 'rm -rf "$RESULTS"' EXIT; fi
  # The guest stops the suite a little before the host gives up on the guest.
  printf 'tests=%s\ntimeout=%s\n' "$tests" "$((timeout_s - 90))" >"$RESULTS/request"
  say "booting $KVER under qemu (software emulation, 2 CPUs); suite: $tests; limit ${timeout_s}s"
  local boot=$SECONDS
  # qemu64 rather than max: V8 runs faster on it under software emulation.
  timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
    -machine pc -cpu qemu64 -smp 2 -m "${KERNEL_LANE_MEMORY:-4G}" \
    -nodefaults -display none -no-reboot \
    -serial "file:$RESULTS/console.log" \
    -device virtio-rng-pci \
    -kernel "$KERNEL" -initrd "$INITRD" \
    -append "root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$SELF console=ttyS0 panic=1 printk.time=1" \
    -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
    -fsdev "local,id=results,path=$RESULTS,security_model=none" \
    -device virtio-9p-pci,fsdev=results,mount_tag=results
  local qrc=$?
  say "guest ran $((SECONDS - boot))s (qemu exit $qrc)"
  if [ ! -e "$RESULTS/exit-code" ]; then
    say "the guest did not report a result$([ "$qrc" = 124 ] && echo " within ${timeout_s}s"); its console:"
    tail -n 60 "$RESULTS/console.log" >&2
    [ -s "$RESULTS/tap" ] && { say "partial TAP:"; tail -n 40 "$RESULTS/tap" >&2; }
    echo "kernels: 0 passed, 1 failed, 0 skipped"
    say "total $((SECONDS - started))s"
    exit 1
  fi
  report "$RESULTS" "$(cat "$RESULTS/exit-code")"
  local rc=$?
  say "total $((SECONDS - started))s"
  exit "$rc"
}

host_main "$@"
