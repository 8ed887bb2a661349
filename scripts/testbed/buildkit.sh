# The bench's third engine: a standalone buildkitd with buildctl, the way CI fleets and
# Kubernetes run BuildKit. Sourced by scripts/testbed.sh (it uses STATE, ROOT28, LOGS, APT_SID,
# fail, alive, wait_for and the sid chroot's mounts from there).
#
# No BuildKit binary is packaged, but Debian sid's golang-github-docker-docker-dev ships the
# moby/buildkit tree that Docker 28.5 embeds, and sid's golang-go builds cmd/buildkitd and
# cmd/buildctl from Debian's packaged Go sources in GOPATH mode. Four optional backends whose
# libraries are not packaged are replaced by the small shims in scripts/testbed/buildkit/.
# The binaries are static (CGO_ENABLED=0): buildctl runs on the host, buildkitd in the sid
# chroot next to Docker 28, where runc is.

BK_BUILD=$STATE/buildkit/build-root        # a sid chroot with Go and the sources (build only)
BK_BIN=$STATE/buildkit/bin                 # buildkitd and buildctl, kept across runs
BK_CERTS=$STATE/buildkit/certs             # CA, server and client certificates (openssl)
BK_SOCK_IN=/run/kiln-buildkitd.sock        # as seen inside the chroot
BK_SOCK=$ROOT28$BK_SOCK_IN
BK_TCP=127.0.0.1:18372                     # the same daemon over TCP with mutual TLS
BK_CONF_IN=/etc/kiln-buildkit
BK_PID=$ROOT28/run/kiln-buildkitd.pid
BK_VERSION=v0.25-debian                    # what `buildctl --version` reports

# Build the binaries once; a warm `up` finds them in the state directory.
buildkit_binaries() {
  [ -x "$BK_BIN/buildkitd" ] && [ -x "$BK_BIN/buildctl" ] && return 0
  local root=$BK_BUILD start=$SECONDS
  if [ ! -x "$root/usr/bin/go" ]; then
    if [ ! -x "$root/usr/bin/apt-get" ]; then
      rm -rf "$root"
      mkdir -p "$(dirname "$root")"
      debootstrap --variant=minbase sid "$root" http://deb.debian.org/debian >"$LOGS/buildkit-debootstrap.log" 2>&1 \
        || fail "buildkitd" "debootstrap of the build chroot failed (log: $LOGS/buildkit-debootstrap.log)"
    fi
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    grep -q '^deb-src' "$root/etc/apt/sources.list" \
      || sed -n 's/^deb /deb-src /p' "$root/etc/apt/sources.list" >>"$root/etc/apt/sources.list"
    local apt=(chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_SID[@]}" -y -qq)
    { chroot "$root" apt-get "${APT_SID[@]}" update -qq \
      && "${apt[@]}" install --no-install-recommends golang-go golang-github-docker-docker-dev ca-certificates git \
      && "${apt[@]}" build-dep docker.io golang-github-docker-buildx-dev \
      && "${apt[@]}" install --no-install-recommends golang-github-coreos-go-systemd-dev \
           golang-github-mitchellh-hashstructure-dev golang-github-tonistiigi-go-archvariant-dev
    } >"$LOGS/buildkit-apt.log" 2>&1 \
      || fail "buildkitd" "installing Go and BuildKit's sources in the build chroot failed (log: $LOGS/buildkit-apt.log)"
    say "buildkitd: build chroot with Go and BuildKit's sources ($((SECONDS - start)) s)"
  fi
  start=$SECONDS
  buildkit_overlay "$root/tmp/ov"
  # Go finds its GOROOT through /proc/self/exe.
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" || fail "buildkitd" "cannot mount proc in $root"
  local go=(chroot "$root" env GO111MODULE=off GOPATH=/tmp/ov:/usr/share/gocode GOFLAGS=-buildvcs=false
            CGO_ENABLED=0 GOTELEMETRY=off GOCACHE=/tmp/gocache HOME=/tmp go build -trimpath
            -ldflags "-s -w -X github.com/moby/buildkit/version.Version=$BK_VERSION")
  mkdir -p "$root/tmp/out"
  local built=0
  { "${go[@]}" -o /tmp/out/buildctl github.com/moby/buildkit/cmd/buildctl \
    && "${go[@]}" -o /tmp/out/buildkitd github.com/moby/buildkit/cmd/buildkitd
  } >"$LOGS/buildkit-go.log" 2>&1 || built=$?
  umount "$root/proc" 2>/dev/null || true
  [ $built -eq 0 ] || fail "buildkitd" "go build failed (log: $LOGS/buildkit-go.log)"
  say "buildkitd: go build of buildctl and buildkitd ($((SECONDS - start)) s)"
  mkdir -p "$BK_BIN"
  install -m 0755 "$root/tmp/out/buildctl" "$root/tmp/out/buildkitd" "$BK_BIN/"
  # The build chroot is about 3 GB; the binaries are all the bench keeps of it.
  rm -rf "$root"
}

# A GOPATH overlay in front of Debian's: the /vN module paths GOPATH mode needs, and a patched
# copy of BuildKit without the backends whose libraries are not packaged.
buildkit_overlay() {
  local ov=$1 src=$BK_BUILD/usr/share/gocode/src shims=$HERE/testbed/buildkit
  rm -rf "$ov" && mkdir -p "$ov/src/github.com/coreos/go-systemd" "$ov/src/github.com/mitchellh/hashstructure" \
    "$ov/src/github.com/moby/profiles/seccomp" "$ov/src/github.com/containerd/fuse-overlayfs-snapshotter/v2"
  ln -s /usr/share/gocode/src/github.com/coreos/go-systemd "$ov/src/github.com/coreos/go-systemd/v22"
  ln -s /usr/share/gocode/src/github.com/mitchellh/hashstructure "$ov/src/github.com/mitchellh/hashstructure/v2"
  cp -a "$src/github.com/moby/buildkit" "$ov/src/github.com/moby/buildkit"
  cp "$shims/gha.go.stub" "$ov/src/github.com/moby/buildkit/cache/remotecache/gha/gha.go"
  python3 "$shims/drop-stargz.py" "$ov/src/github.com/moby/buildkit/cmd/buildkitd/main_oci_worker.go"
  cp "$shims/seccomp.go.stub" "$ov/src/github.com/moby/profiles/seccomp/seccomp.go"
  cp "$shims/fuseoverlayfs.go.stub" "$ov/src/github.com/containerd/fuse-overlayfs-snapshotter/v2/stub.go"
}

# A CA, the daemon's certificate (for 127.0.0.1), a client certificate, and a second CA with a
# client certificate of its own that the daemon must refuse.
buildkit_certs() {
  [ -f "$BK_CERTS/client/key.pem" ] && [ -f "$BK_CERTS/stranger/key.pem" ] && return 0
  local d=$BK_CERTS
  rm -rf "$d" && mkdir -p "$d/daemon" "$d/client" "$d/stranger"
  {
    cert_authority "$d/ca" "kiln testbed CA"
    cert_authority "$d/stranger-ca" "a CA buildkitd does not trust"
    signed_cert "$d/daemon" "$d/ca" buildkitd "subjectAltName=IP:127.0.0.1,DNS:localhost" serverAuth
    signed_cert "$d/client" "$d/ca" kiln-client "" clientAuth
    signed_cert "$d/stranger" "$d/stranger-ca" stranger "" clientAuth
    cp "$d/ca.pem" "$d/daemon/ca.pem" && cp "$d/ca.pem" "$d/client/ca.pem" && cp "$d/ca.pem" "$d/stranger/ca.pem"
  } >"$LOGS/buildkit-certs.log" 2>&1 || fail "buildkitd" "making certificates failed (log: $LOGS/buildkit-certs.log)"
}

cert_authority() { # cert_authority PREFIX SUBJECT
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=$2" -keyout "$1-key.pem" -out "$1.pem"
}

signed_cert() { # signed_cert DIR CA_PREFIX CN SAN EXTENDED_USAGE
  local ext
  ext=$(mktemp)
  { echo "extendedKeyUsage=$5"; [ -n "$4" ] && echo "$4"; } >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
    -keyout "$1/key.pem" -out "$1/req.csr"
  openssl x509 -req -in "$1/req.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -days 3650 \
    -extfile "$ext" -out "$1/cert.pem"
  rm -f "$1/req.csr" "$ext"
}

# The daemon's configuration inside the chroot: the OCI worker (runc, overlayfs), the bench's
# plain-http registry, and a storage bound so the tests' caches are collected.
buildkit_config() {
  local conf=$ROOT28$BK_CONF_IN
  mkdir -p "$conf"
  cp -r "$BK_CERTS/daemon" "$conf/"
  cat >"$conf/buildkitd.toml.new" <<'EOF'
[worker.oci]
  enabled = true
  snapshotter = "overlayfs"
  gc = true
  gckeepstorage = "20GB"

[worker.containerd]
  enabled = false

[registry."localhost:5000"]
  http = true
  insecure = true

[registry."127.0.0.1:5000"]
  http = true
  insecure = true
EOF
  mv "$conf/buildkitd.toml.new" "$conf/buildkitd.toml"
  install -m 0755 "$BK_BIN/buildkitd" "$BK_BIN/buildctl" "$ROOT28/usr/local/bin/"
}

buildkit_answers() { "$BK_BIN/buildctl" --addr "unix://$BK_SOCK" debug workers >/dev/null 2>&1; }

buildkitd() {
  buildkit_binaries
  buildkit_certs
  if alive "$BK_PID" && buildkit_answers; then return 0; fi
  sid_mounts
  buildkit_config
  alive "$BK_PID" && kill "$(cat "$BK_PID" 2>/dev/null)" 2>/dev/null && sleep 2 || true
  rm -f "$BK_PID" "$BK_SOCK"
  local certs=$BK_CONF_IN/daemon
  setsid chroot "$ROOT28" sh -c "echo \$\$ >/run/kiln-buildkitd.pid; exec buildkitd \
      --config $BK_CONF_IN/buildkitd.toml --root /var/lib/kiln-buildkitd \
      --addr unix://$BK_SOCK_IN --addr tcp://$BK_TCP \
      --tlscacert $certs/ca.pem --tlscert $certs/cert.pem --tlskey $certs/key.pem" \
    >"$LOGS/buildkitd.log" 2>&1 </dev/null &
  wait_for 60 buildkitd buildkit_answers \
    || fail "buildkitd" "did not come up on $BK_SOCK: $(tail -n 1 "$LOGS/buildkitd.log")"
}

# buildx's `remote` driver on the bench's buildkitd, over TCP with the client certificate:
# `docker buildx --builder kiln-remote ...` (the builder kiln bake --builder is tested with).
buildkit_buildx_builder() {
  local docker=(env DOCKER_HOST=unix:///var/run/docker.sock /usr/bin/docker)
  "${docker[@]}" buildx inspect kiln-remote >/dev/null 2>&1 && return 0
  "${docker[@]}" buildx create --name kiln-remote --driver remote \
    --driver-opt "cacert=$BK_CERTS/client/ca.pem,cert=$BK_CERTS/client/cert.pem,key=$BK_CERTS/client/key.pem,servername=127.0.0.1" \
    "tcp://$BK_TCP" >"$LOGS/buildx-remote.log" 2>&1 \
    || fail "buildkitd" "buildx create --driver remote failed (log: $LOGS/buildx-remote.log)"
}

buildkit_down() {
  if alive "$BK_PID"; then
    kill "$(cat "$BK_PID" 2>/dev/null)" 2>/dev/null || true
    for _ in $(seq 40); do alive "$BK_PID" || break; sleep 0.5; done
    alive "$BK_PID" && kill -9 "$(cat "$BK_PID" 2>/dev/null)" 2>/dev/null || true
  fi
  rm -f "$BK_PID"
}
