#!/usr/bin/env bash
# Builds (or reuses) HAProxy 3.2 for the integration tests: a root filesystem made by mmdebstrap from
# Debian's packages (scripts/haproxy32.env pins suite and version), kept in a cache outside the
# checkout. The tests run it through the root filesystem's own dynamic loader, not chroot: configs,
# certificates and unix sockets then stay at the host paths the tests create, and no mount is made.
#   scripts/haproxy32.sh              build unless cached; prints the binary and its version
#   scripts/haproxy32.sh --print-bin  the binary's path (whether or not it is built yet)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=haproxy32.env
source "$here/haproxy32.env"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/ws-exposure/haproxy-3.2/${HAPROXY32_DEB_VERSION}-${HAPROXY32_SUITE}"
bin="$cache/bin/haproxy"
if [ "${1:-}" = "--print-bin" ]; then
  echo "$bin"
  exit 0
fi

if [ -f "$cache/complete" ] && "$bin" -v >/dev/null 2>&1; then
  echo "haproxy32: cached $bin: $("$bin" -v | head -1)"
  exit 0
fi

command -v mmdebstrap >/dev/null || {
  echo "haproxy32: mmdebstrap not found (apt-get install --no-install-recommends mmdebstrap)" >&2
  exit 1
}
started=$SECONDS
rm -rf "$cache"
mkdir -p "$cache"
work="$(mktemp -d "$cache.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# The testing suite's Release file may be past its Valid-Until date on a mirror: hence the aptopt.
# unshare mode keeps mmdebstrap's own mounts in a namespace of its own.
mmdebstrap --mode=unshare --variant=essential --include="haproxy=$HAPROXY32_DEB_VERSION" \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
  "$HAPROXY32_SUITE" "$work/rootfs.tar" "$HAPROXY32_MIRROR"

# mmdebstrap once exited 0 with its tar incomplete: check the files the tests use are in it.
listing="$work/listing"
tar -tf "$work/rootfs.tar" >"$listing"
for f in ./usr/sbin/haproxy ./usr/lib64/ld-linux-x86-64.so.2 ./usr/lib/x86_64-linux-gnu/libc.so.6 \
  ./usr/lib/x86_64-linux-gnu/libssl.so.3; do
  grep -qxF "$f" "$listing" || {
    echo "haproxy32: $f missing from mmdebstrap's tar: incomplete, not used" >&2
    exit 1
  }
done
mkdir "$work/rootfs"
tar -xf "$work/rootfs.tar" -C "$work/rootfs" --exclude='./dev/*'
rm "$work/rootfs.tar"
mv "$work/rootfs" "$cache/rootfs"

# The wrapper runs the binary through the root filesystem's loader and libraries. --argv0 keeps
# argv[0] the wrapper: HAProxy's master re-executes argv[0] on a reload (SIGUSR2).
root="$cache/rootfs"
mkdir -p "$cache/bin"
cat >"$bin" <<WRAPPER
#!/bin/sh
exec "$root/usr/lib64/ld-linux-x86-64.so.2" --library-path "$root/usr/lib/x86_64-linux-gnu" --argv0 "\$0" "$root/usr/sbin/haproxy" "\$@"
WRAPPER
chmod 755 "$bin"
version="$("$bin" -v | head -1)"
case "$version" in
"HAProxy version 3.2."*) ;;
*)
  echo "haproxy32: expected HAProxy 3.2.x, got: $version" >&2
  exit 1
  ;;
esac
touch "$cache/complete"
echo "haproxy32: built $bin in $((SECONDS - started)) s: $version"
