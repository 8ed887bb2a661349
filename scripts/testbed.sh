#!/usr/bin/env bash
# kiln's test bench: the real BuildKit engines kiln is tested against, on this machine.
#
#   scripts/testbed.sh up       bring everything up (idempotent; repairs a half-finished run)
#   scripts/testbed.sh down     stop what `up` started, by pid, and unmount the chroot
#   scripts/testbed.sh status   one line per piece
#   scripts/testbed.sh env      shell exports for tests (eval "$(scripts/testbed.sh env)")
#   scripts/testbed.sh purge    `down`, then remove what `up` installed and every state it left
#                               (packages, Docker's and the bench's data): a fresh machine again
#
# What `up` brings up (see docs/testbed.md):
#   - Docker 20.10 from Debian (BuildKit v0.8) on the host, default socket /var/run/docker.sock;
#   - Docker 28.5 from Debian sid in a chroot, on its own socket and bridge (a current BuildKit);
#   - buildx (sid's docker-buildx) as a CLI plugin of the newer `docker` client;
#   - a registry on 127.0.0.1:5000;
#   - QEMU user emulation through binfmt_misc, so arm64 steps run;
#   - a standalone buildkitd (built once from Debian sid's packaged BuildKit source) in the sid
#     chroot, on a unix socket and on TCP with mutual TLS, and buildx's `remote` driver on it;
#   - base images in the registry: localhost:5000/busybox:1 (amd64 + arm64) and
#     localhost:5000/debian:bookworm.
# Needs root. Every failure prints one line naming the piece and why, and exits non-zero.
set -euo pipefail

STATE=${KILN_TESTBED_STATE:-/var/lib/kiln-testbed}
ROOT28=$STATE/sid
LOGS=$STATE/logs
REGISTRY=127.0.0.1:5000
D20_SOCK=/var/run/docker.sock
D28_SOCK=$ROOT28/run/d28.sock
BRIDGE28=br28
HERE=$(cd "$(dirname "$0")" && pwd)
# Debian's sid snapshot on the mirror can carry an expired Release date.
APT_SID=(-o Acquire::Check-Valid-Until=false -o Dpkg::Use-Pty=0)

source "$HERE/testbed/buildkit.sh"

fail() { echo "testbed: $1: $2" >&2; exit 1; }
say() { printf 'testbed: %s\n' "$*"; }
timed() {
  local piece=$1; shift
  local start=$SECONDS
  "$@"
  say "$piece ready ($((SECONDS - start)) s)"
}

# A daemon may remove its pid file while we look: read it once, quietly.
alive() { local pid; pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

wait_for() { # wait_for SECONDS PIECE COMMAND...
  local deadline=$((SECONDS + $1)) piece=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

require_root() {
  [ "$(id -u)" = 0 ] || fail "root" "the bench installs packages and starts daemons: run it as root"
}

# --- packages -------------------------------------------------------------------------------
packages() {
  local wanted=(docker.io docker-registry busybox-static debootstrap qemu-user-static binfmt-support
                iptables curl python3 git dpkg-dev gnupg)
  local missing=()
  for p in "${wanted[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$LOGS/apt.log" 2>&1 \
    || { apt-get update -qq >>"$LOGS/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq "${missing[@]}" >>"$LOGS/apt.log" 2>&1; } \
    || fail "packages" "apt-get install ${missing[*]} failed (log: $LOGS/apt.log)"
}

# --- QEMU -----------------------------------------------------------------------------------
qemu() {
  if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
      || fail "qemu" "cannot mount binfmt_misc (missing kernel feature?)"
  fi
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 >"$LOGS/binfmt.log" 2>&1 \
      || update-binfmts --import qemu-aarch64 >>"$LOGS/binfmt.log" 2>&1 || true
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] \
    || fail "qemu" "the aarch64 binfmt handler is not registered (log: $LOGS/binfmt.log)"
}

# --- registry -------------------------------------------------------------------------------
registry() {
  local pid=$STATE/registry.pid
  if alive "$pid" && curl -sf "http://$REGISTRY/v2/" >/dev/null; then return 0; fi
  [ -f "$pid" ] && kill "$(cat "$pid" 2>/dev/null)" 2>/dev/null || true
  if curl -sf "http://$REGISTRY/v2/" >/dev/null; then return 0; fi  # one started by someone else
  mkdir -p "$STATE/registry"
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
  setsid docker-registry serve "$STATE/registry.yml" >"$LOGS/registry.log" 2>&1 < /dev/null &
  echo $! >"$pid"
  wait_for 20 registry curl -sf "http://$REGISTRY/v2/" \
    || fail "registry" "not answering on $REGISTRY (port in use? log: $LOGS/registry.log)"
}

# --- Docker 20.10 on the host -----------------------------------------------------------------
docker20() {
  if DOCKER_HOST=unix://$D20_SOCK /usr/bin/docker info >/dev/null 2>&1; then return 0; fi
  local pid=/var/run/docker.pid
  if [ -f "$pid" ] && ! alive "$pid"; then rm -f "$pid"; fi  # stale from a killed daemon
  alive "$pid" && kill "$(cat "$pid" 2>/dev/null)" 2>/dev/null && sleep 2 || true
  rm -f /var/run/docker.pid
  # A containerd left over from a killed dockerd keeps its socket; dockerd starts its own.
  setsid dockerd --pidfile "$pid" -H "unix://$D20_SOCK" >"$LOGS/docker20.log" 2>&1 < /dev/null &
  wait_for 60 docker20 env DOCKER_HOST=unix://$D20_SOCK /usr/bin/docker info \
    || fail "docker20" "dockerd did not come up: $(tail -n 1 "$LOGS/docker20.log")"
}

# --- Docker 28.5 in a Debian sid chroot ------------------------------------------------------
sid_root() {
  if [ ! -x "$ROOT28/usr/sbin/dockerd" ]; then
    if [ ! -x "$ROOT28/usr/bin/apt-get" ]; then
      rm -rf "$ROOT28"
      debootstrap --variant=minbase sid "$ROOT28" http://deb.debian.org/debian >"$LOGS/debootstrap-sid.log" 2>&1 \
        || fail "docker28" "debootstrap of sid failed (log: $LOGS/debootstrap-sid.log)"
    fi
    cp /etc/resolv.conf "$ROOT28/etc/resolv.conf"
    chroot "$ROOT28" apt-get "${APT_SID[@]}" update -qq >"$LOGS/sid-apt.log" 2>&1 \
      && chroot "$ROOT28" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_SID[@]}" install -y -qq \
           --no-install-recommends docker.io iptables ca-certificates git >>"$LOGS/sid-apt.log" 2>&1 \
      || fail "docker28" "installing docker.io in the sid chroot failed (log: $LOGS/sid-apt.log)"
  fi
}

# BuildKit fetches git sources with the git program of the daemon's machine.
sid_git() {
  [ -x "$ROOT28/usr/bin/git" ] && return 0
  chroot "$ROOT28" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_SID[@]}" install -y -qq \
    --no-install-recommends git >>"$LOGS/sid-apt.log" 2>&1 \
    || fail "docker28" "installing git in the sid chroot failed (log: $LOGS/sid-apt.log)"
}

sid_mounts() {
  # dockerd needs its root to be a mount point ("remount /, flags: 0x84000: invalid argument").
  mountpoint -q "$ROOT28" || { mount --bind "$ROOT28" "$ROOT28" && mount --make-private "$ROOT28"; } \
    || fail "docker28" "cannot bind-mount $ROOT28"
  mountpoint -q "$ROOT28/proc" || mount -t proc proc "$ROOT28/proc"
  mountpoint -q "$ROOT28/sys" || mount --rbind /sys "$ROOT28/sys"
  mountpoint -q "$ROOT28/dev" || mount --rbind /dev "$ROOT28/dev"
  cp /etc/resolv.conf "$ROOT28/etc/resolv.conf"
}

bridge28() {
  ip link show "$BRIDGE28" >/dev/null 2>&1 || ip link add "$BRIDGE28" type bridge \
    || fail "docker28" "cannot create bridge $BRIDGE28"
  # Read the addresses first: with pipefail, `ip ... | grep -q` fails when grep exits before ip
  # has written everything (SIGPIPE), and adding an existing address is an error.
  local addrs
  addrs=$(ip -o addr show dev "$BRIDGE28")
  case "$addrs" in
    *" 172.31.0.1/16 "*) ;;
    *) ip addr add 172.31.0.1/16 dev "$BRIDGE28" || fail "docker28" "cannot address bridge $BRIDGE28" ;;
  esac
  ip link set "$BRIDGE28" up
}

docker28() {
  if [ -S "$D28_SOCK" ] && DOCKER_HOST=unix://$D28_SOCK /usr/bin/docker info >/dev/null 2>&1; then
    sid_git
    return 0
  fi
  sid_root
  sid_git
  sid_mounts
  bridge28
  local pid=$ROOT28/run/d28.pid
  alive "$pid" && kill "$(cat "$pid" 2>/dev/null)" 2>/dev/null && sleep 2 || true
  rm -f "$pid" "$D28_SOCK"
  setsid chroot "$ROOT28" dockerd -H unix:///run/d28.sock --data-root /var/lib/docker28 \
    --exec-root /run/d28 --pidfile /run/d28.pid --bridge "$BRIDGE28" \
    --containerd-namespace d28 --containerd-plugins-namespace d28p \
    >"$LOGS/docker28.log" 2>&1 < /dev/null &
  wait_for 90 docker28 env DOCKER_HOST=unix://$D28_SOCK /usr/bin/docker info \
    || fail "docker28" "dockerd in the sid chroot did not come up: $(tail -n 1 "$LOGS/docker28.log")"
}

# --- buildx ---------------------------------------------------------------------------------
buildx() {
  local plugin=$HOME/.docker/cli-plugins/docker-buildx
  [ -x "$plugin" ] && return 0
  local tmp=$ROOT28/tmp/buildx
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$tmp" && chroot "$ROOT28" sh -c "cd /tmp/buildx && apt-get ${APT_SID[*]} download docker-buildx") \
    >"$LOGS/buildx.log" 2>&1 || fail "buildx" "cannot download docker-buildx in the sid chroot (log: $LOGS/buildx.log)"
  dpkg-deb -x "$tmp"/docker-buildx_*.deb "$tmp/x"
  mkdir -p "$(dirname "$plugin")"
  install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-buildx" "$plugin"
}

# --- base images ----------------------------------------------------------------------------
busybox_rootfs() { # busybox_rootfs BUSYBOX_BINARY OUT.tar
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/root"
  install -m 0755 "$1" "$dir/bin/busybox"
  # Applet links, from the host's busybox (same version, same applet list).
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  chmod 1777 "$dir/tmp"
  tar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name -C "$dir" -cf "$2" .
  rm -rf "$dir"
}

images() {
  local cache=$STATE/images
  mkdir -p "$cache"
  if ! curl -sf -o /dev/null -H "Accept: application/vnd.docker.distribution.manifest.list.v2+json" \
       "http://$REGISTRY/v2/busybox/manifests/1"; then
    if [ ! -f "$cache/busybox-arm64" ]; then
      (cd "$cache" && dpkg --add-architecture arm64 \
        && { apt-get download busybox-static:arm64 >"$LOGS/busybox-arm64.log" 2>&1 \
             || { apt-get update -qq >>"$LOGS/busybox-arm64.log" 2>&1 && apt-get download busybox-static:arm64 >>"$LOGS/busybox-arm64.log" 2>&1; }; } \
        && dpkg-deb -x busybox-static_*_arm64.deb arm64 && cp arm64/bin/busybox busybox-arm64) \
        || fail "images" "cannot get the arm64 busybox-static (log: $LOGS/busybox-arm64.log)"
    fi
    busybox_rootfs /bin/busybox "$cache/busybox-amd64.tar"
    busybox_rootfs "$cache/busybox-arm64" "$cache/busybox-arm64.tar"
    python3 "$HERE/testbed/push_image.py" "$REGISTRY" busybox:1 \
      "linux/amd64=$cache/busybox-amd64.tar,cmd=sh" "linux/arm64=$cache/busybox-arm64.tar,cmd=sh" \
      >"$LOGS/push-busybox.log" 2>&1 || fail "images" "pushing busybox failed (log: $LOGS/push-busybox.log)"
  fi
  if ! curl -sf -o /dev/null -H "Accept: application/vnd.docker.distribution.manifest.v2+json" \
       "http://$REGISTRY/v2/debian/manifests/bookworm"; then
    if [ ! -f "$cache/debian-bookworm.tar" ]; then
      local root=$cache/bookworm
      rm -rf "$root"
      debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$LOGS/debootstrap-bookworm.log" 2>&1 \
        || fail "images" "debootstrap of bookworm failed (log: $LOGS/debootstrap-bookworm.log)"
      rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
      tar --numeric-owner -C "$root" -cf "$cache/debian-bookworm.tar" .
      rm -rf "$root"
    fi
    python3 "$HERE/testbed/push_image.py" "$REGISTRY" debian:bookworm \
      "linux/amd64=$cache/debian-bookworm.tar,cmd=bash" \
      >"$LOGS/push-debian.log" 2>&1 || fail "images" "pushing debian failed (log: $LOGS/push-debian.log)"
  fi
}

# --- commands -------------------------------------------------------------------------------
up() {
  require_root
  mkdir -p "$STATE" "$LOGS"
  local start=$SECONDS
  timed packages packages
  timed qemu qemu
  timed registry registry
  timed "docker 20.10" docker20
  timed "docker 28 (sid chroot)" docker28
  timed buildx buildx
  timed "base images" images
  timed "buildkitd (sid chroot)" buildkitd
  timed "buildx remote builder" buildkit_buildx_builder
  say "up in $((SECONDS - start)) s"
}

down() {
  require_root
  local pid
  buildkit_down
  for pid in "$ROOT28/run/d28.pid" /var/run/docker.pid "$STATE/registry.pid"; do
    if alive "$pid"; then
      kill "$(cat "$pid" 2>/dev/null)" 2>/dev/null || true
      for _ in $(seq 40); do alive "$pid" || break; sleep 0.5; done
      alive "$pid" && kill -9 "$(cat "$pid" 2>/dev/null)" 2>/dev/null || true
    fi
    rm -f "$pid"
  done
  for m in "$ROOT28/dev" "$ROOT28/sys" "$ROOT28/proc" "$ROOT28"; do
    mountpoint -q "$m" 2>/dev/null && umount -R -l "$m" || true
  done
  ip link show "$BRIDGE28" >/dev/null 2>&1 && ip link delete "$BRIDGE28" || true
  say "down"
}

# The packages `up` installs that a fresh machine of our CI's kind does not have.
BENCH_ONLY_PACKAGES=(docker.io containerd runc tini docker-registry busybox-static debootstrap
                     qemu-user-static binfmt-support iptables)

purge() {
  require_root
  down
  # Nothing may still be mounted below the state directory before it is deleted (the chroot
  # binds /dev and /sys).
  if grep -q " $STATE" /proc/mounts; then
    fail "purge" "still mounted below $STATE: $(grep " $STATE" /proc/mounts | head -n 1)"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${BENCH_ONLY_PACKAGES[@]}" >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >/dev/null 2>&1 || true
  # Docker's own state too: its networks remember addresses, its store images.
  # A directory that is a mount point of its own (some machines mount /var/lib/docker) is
  # emptied instead: the mount point itself cannot go.
  local dir
  for dir in /var/lib/docker /var/lib/containerd /etc/docker /run/docker /run/containerd \
    "$STATE" "$HOME/.docker/cli-plugins/docker-buildx" "$HOME/.docker/buildx"; do
    if mountpoint -q "$dir"; then
      find "$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    else
      rm -rf "$dir"
    fi
  done
  ip link show docker0 >/dev/null 2>&1 && ip link delete docker0 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo -1 >/proc/sys/fs/binfmt_misc/qemu-aarch64 || true
  say "purged: packages (${BENCH_ONLY_PACKAGES[*]}), Docker's data, $STATE"
}

status() {
  local ok=0
  check() { if "${@:2}" >/dev/null 2>&1; then say "$1: up"; else say "$1: down"; ok=1; fi; }
  check "registry $REGISTRY" curl -sf "http://$REGISTRY/v2/"
  check "docker 20.10 ($D20_SOCK)" env DOCKER_HOST=unix://$D20_SOCK /usr/bin/docker info
  check "docker 28 ($D28_SOCK)" env DOCKER_HOST=unix://$D28_SOCK /usr/bin/docker info
  check "buildkitd ($BK_SOCK, tcp://$BK_TCP)" buildkit_answers
  check "buildx" test -x "$HOME/.docker/cli-plugins/docker-buildx"
  check "qemu aarch64" test -e /proc/sys/fs/binfmt_misc/qemu-aarch64
  return $ok
}

env_exports() {
  cat <<EOF
export KILN_DOCKER20_HOST=unix://$D20_SOCK
export KILN_DOCKER28_HOST=unix://$D28_SOCK
export KILN_BUILDKITD_HOST=unix://$BK_SOCK
export KILN_BUILDKITD_TCP=tcp://$BK_TCP
export KILN_BUILDKIT_CERTS=$BK_CERTS
export KILN_BUILDCTL=$BK_BIN/buildctl
export KILN_REGISTRY=localhost:5000
export KILN_TESTBED_STATE=$STATE
EOF
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) env_exports ;;
  purge) purge ;;
  *) echo "usage: $0 up|down|status|env|purge" >&2; exit 2 ;;
esac
