#!/usr/bin/env bash
# A safe first run: everything happens in a throwaway network namespace that
# is deleted at the end; the host's own network is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  if unshare -Urnm true 2>/dev/null; then
    exec unshare -Urnm --propagation private bash -c 'mount -t tmpfs tmpfs /run && exec bash "$0"' "$0"
  fi
  echo "The demo needs root (or unprivileged user namespaces) to make a network namespace." >&2
  exit 1
fi
NS="netrec-demo-$$"
# netrec, as root, applies only configs that nobody but root could have
# written (docs/state.md): a clone owned by a user is not one. The demo's
# config is copied into a directory of root's own, made for this run.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/netrec-demo.XXXXXX")"
trap 'ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp examples/edge-router.yaml "$WORK/"
CONFIG="$WORK/edge-router.yaml"
ip netns add "$NS"
netrec() { node bin/netrec.js "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "netrec validate $CONFIG"
netrec validate "$CONFIG"
step "netrec plan $CONFIG --netns $NS   (a fresh, empty namespace)"
netrec plan "$CONFIG" --netns "$NS"
step "netrec apply $CONFIG --netns $NS"
netrec apply "$CONFIG" --netns "$NS"
step "netrec apply again: nothing left to do"
netrec apply "$CONFIG" --netns "$NS"
step "netrec show --netns $NS"
netrec show --netns "$NS"
step "what ip sees: ip -n $NS -br addr; ip -n $NS route"
ip -n "$NS" -br addr
ip -n "$NS" route
echo
echo "Done; the namespace $NS is deleted now."
