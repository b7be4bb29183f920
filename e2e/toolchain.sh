#!/usr/bin/env bash
# Builds the pinned end-to-end toolchain (etcd, kube-apiserver, the Pulumi CLI, providers, ...)
# from the Go module proxy into a cache directory keyed by the pinned versions.
#
#   e2e/toolchain.sh [core|knative|cloudflare|anylang|node|serving|all]   build that group (default: core)
#   e2e/toolchain.sh --print-bin-dir                  print the bin directory and nothing else
#   e2e/toolchain.sh --check [GROUP]                  exit 0 if GROUP (default core) is complete, else 1
#
# Versions: e2e/versions.env (the only pinned file). Wrapper modules: e2e/toolchain/<name>/.
# Cache: ${WS_EXPOSURE_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ws-exposure/toolchain}/<hash>/bin
# where <hash> covers versions.env and every file under e2e/toolchain/.
# Idempotent: a binary that is already in bin/ is not rebuilt; each group writes a stamp when done.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSIONS_FILE="$HERE/versions.env"
WRAPPERS="$HERE/toolchain"
# Targets added without moving the cache dir: their wrappers and versions live here, not hashed.
EXTRA="$HERE/toolchain-extra"

# shellcheck source=versions.env
source "$VERSIONS_FILE"

toolchain_hash() {
  (
    cd "$HERE"
    printf '%s\n' "versions.env"
    cat versions.env
    find toolchain -type f | LC_ALL=C sort | while IFS= read -r f; do
      printf '\n%s\n' "$f"
      cat "$f"
    done
  ) | sha256sum | cut -c1-16
}

CACHE_ROOT="${WS_EXPOSURE_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ws-exposure/toolchain}"
TC_DIR="$CACHE_ROOT/$(toolchain_hash)"
BIN="$TC_DIR/bin"
WORK="$TC_DIR/work"
TIMES_FILE="$TC_DIR/build-times.tsv"

group_targets() {
  case "$1" in
  core) echo "etcd kube-apiserver kube-controller-manager pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-resource-kubernetes" ;;
  knative) echo "queue-1.22 knative-webhook-1.22 queue-1.21 knative-webhook-1.21" ;;
  cloudflare) echo "pulumi-resource-cloudflare" ;;
  anylang) echo "pulumi-language-yaml pulumi-language-go" ;;
  node) echo "kubelet kube-scheduler kube-proxy coredns metallb-controller" ;;
  serving) echo "knative-controller-1.22 knative-autoscaler-1.22 knative-activator-1.22" ;;
  all) echo "$(group_targets core) $(group_targets knative) $(group_targets cloudflare)" ;;
  *) return 1 ;;
  esac
}

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

group_complete() {
  local g="$1" t
  [[ -f "$TC_DIR/stamp-$g" ]] || return 1
  for t in $(group_targets "$g"); do
    [[ -x "$BIN/$t" ]] || return 1
  done
}

TMP_OUT=""
cleanup() {
  if [[ -n "$TMP_OUT" && -e "$TMP_OUT" ]]; then rm -f "$TMP_OUT"; fi
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
log() { printf '[toolchain %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Substitutes @KEY@ by the value of KEY for every KEY defined in versions.env.
render_template() {
  local src="$1" dst="$2" sed_args=() key
  while IFS= read -r key; do
    sed_args+=(-e "s|@${key}@|${!key}|g")
  done < <(grep -oE '^[A-Z0-9_]+=' "$VERSIONS_FILE" | tr -d '=')
  sed "${sed_args[@]}" "$src" >"$dst"
  if grep -q '@[A-Z0-9_]*@' "$dst"; then
    echo "toolchain.sh: unresolved placeholder in $src: $(grep -o '@[A-Z0-9_]*@' "$dst" | head -1)" >&2
    return 1
  fi
}

# Module-cache path of a module's go.mod (downloads it if needed).
gomod_path() { (cd / && go mod download -json "$1") | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'; }
# Module-cache directory of a module's extracted zip (downloads it if needed).
moddir_path() { (cd / && go mod download -json "$1") | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'; }
# Commit time of a module version as recorded by the proxy (RFC 3339).
modtime() { (cd / && go list -m -json "$1") | sed -n 's/^[[:space:]]*"Time": "\(.*\)",\{0,1\}$/\1/p'; }

# prepare_module NAME [HOOK]: copies e2e/toolchain/NAME into $WORK/NAME, renders go.mod.in into
# go.mod, runs HOOK (in the module dir) to add what depends on upstream files, then `go mod tidy`.
# Done once per cache directory (a stamp marks a finished module).
prepare_module() {
  local name="$1" hook="${2:-}" dst="$WORK/$1"
  [[ -f "$dst/.prepared" ]] && return 0
  rm -rf "$dst" "$dst.tmp"
  mkdir -p "$dst.tmp"
  cp -R "$WRAPPERS/$name/." "$dst.tmp/"
  render_template "$dst.tmp/go.mod.in" "$dst.tmp/go.mod"
  rm -f "$dst.tmp/go.mod.in"
  if [[ -n "$hook" ]]; then (cd "$dst.tmp" && "$hook"); fi
  log "$name: resolving modules (go mod tidy)"
  (cd "$dst.tmp" && go mod tidy)
  touch "$dst.tmp/.prepared"
  mv "$dst.tmp" "$dst"
}

# go_build MODULE OUT PKG [LDFLAGS...]: builds PKG inside the wrapper module into $BIN/OUT, through
# a temporary file that is renamed into place only when the build succeeded.
go_build() {
  local module="$1" out="$2" pkg="$3"
  shift 3
  TMP_OUT="$BIN/.$out.tmp.$$"
  (cd "$WORK/$module" && go build -trimpath -ldflags "-s -w $*" -o "$TMP_OUT" "$pkg")
  mv -f "$TMP_OUT" "$BIN/$out"
  TMP_OUT=""
}

# ---- targets ------------------------------------------------------------------------------------

build_etcd() {
  prepare_module etcd
  # (etcd's GitSHA ldflag stays unset: the module proxy does not tell the commit of a version.)
  go_build etcd etcd .
}

kubernetes_hook() {
  local upstream mod
  upstream="$(gomod_path "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  {
    echo
    echo "// copied from k8s.io/kubernetes@$KUBERNETES_VERSION go.mod"
    grep -E '^godebug' "$upstream" || true
    echo
    echo "replace ("
    # every `k8s.io/X => ./staging/...` replace whose module k8s.io/kubernetes also requires
    for mod in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$upstream"); do
      if grep -qE "^[[:space:]]*(require[[:space:]]+)?${mod//./\\.}[[:space:]]+v" "$upstream"; then
        echo "	$mod => $mod $KUBERNETES_STAGING_VERSION"
      fi
    done
    echo ")"
  } >>go.mod
}

kubernetes_ldflags() {
  local minor build_date p
  minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"
  build_date="$(modtime "k8s.io/kubernetes@$KUBERNETES_VERSION")"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    # gitCommit is set empty: the module proxy does not tell the commit of a version.
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitCommit= -X %s.gitTreeState=clean -X %s.buildDate=%s ' \
      "$p" "$KUBERNETES_VERSION" "$p" "$p" "$minor" "$p" "$p" "$p" "$build_date"
  done
}

build_kube_apiserver() {
  prepare_module kubernetes kubernetes_hook
  go_build kubernetes kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$(kubernetes_ldflags)"
}

build_kube_controller_manager() {
  prepare_module kubernetes kubernetes_hook
  go_build kubernetes kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$(kubernetes_ldflags)"
}

# copy_nonlocal_replaces MODULE@VERSION: appends to ./go.mod every replace of that module's go.mod
# that points at another module version (a fork); replaces by local path (../sdk) are left out,
# the wrapper requires those sibling modules at the release version instead.
copy_nonlocal_replaces() {
  local upstream
  upstream="$(gomod_path "$1")"
  {
    echo
    echo "// non-local replaces copied from $1"
    awk '
      /^replace[[:space:]]*\($/ { inblock = 1; next }
      inblock && /^\)/ { inblock = 0; next }
      inblock { print; next }
      /^replace[[:space:]]/ { sub(/^replace[[:space:]]+/, ""); print }
    ' "$upstream" | sed 's#//.*##' | awk '{
      for (i = 1; i <= NF; i++) if ($i == "=>") break
      target = $(i + 1)
      if (target !~ /^(\.|\/)/ && $(i + 2) != "") print "replace " $0
    }'
  } >>go.mod
}

pulumi_hook() { copy_nonlocal_replaces "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION"; }

build_pulumi() {
  prepare_module pulumi pulumi_hook
  go_build pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
}

# Stand-in Node.js language host (e2e/toolchain/pulumi-language-nodejs/main.go says why).
build_pulumi_language_nodejs() {
  prepare_module pulumi-language-nodejs
  go_build pulumi-language-nodejs pulumi-language-nodejs . "-X main.version=${PULUMI_VERSION#v}+ws-exposure.standin"
}

# The plugin behind dynamic providers (`pulumi.dynamic.Resource`, e.g. the Knative admission check):
# a shell script the released CLI ships beside `pulumi`, taken from the same pinned sdk/v3 module.
build_pulumi_resource_pulumi_nodejs() {
  local src
  src="$(moddir_path "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION")/nodejs/dist/pulumi-resource-pulumi-nodejs"
  install -m 0755 "$src" "$BIN/pulumi-resource-pulumi-nodejs"
}

PULUMI_KUBERNETES_PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4

pulumi_kubernetes_hook() {
  local src
  copy_nonlocal_replaces "$PULUMI_KUBERNETES_PROVIDER_MODULE@$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION"
  src="$(moddir_path "$PULUMI_KUBERNETES_PROVIDER_MODULE@$PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION")/cmd/pulumi-resource-kubernetes"
  mkdir -p cmd/pulumi-resource-kubernetes
  cp "$src"/*.go "$src"/*.json cmd/pulumi-resource-kubernetes/
  chmod -R u+w cmd
}

build_pulumi_resource_kubernetes() {
  local cmd="$WORK/pulumi-kubernetes/cmd/pulumi-resource-kubernetes"
  prepare_module pulumi-kubernetes pulumi_kubernetes_hook
  if [[ ! -f "$cmd/schema-embed.json" ]]; then
    log "pulumi-resource-kubernetes: generating schema-embed.json (generate.go)"
    (cd "$cmd" && VERSION="$PULUMI_KUBERNETES_VERSION" go run generate.go)
  fi
  go_build pulumi-kubernetes pulumi-resource-kubernetes ./cmd/pulumi-resource-kubernetes \
    "-X $PULUMI_KUBERNETES_PROVIDER_MODULE/pkg/version.Version=$PULUMI_KUBERNETES_VERSION"
}

build_knative() { # build_knative RELEASE(1.22) CMD(queue|webhook) OUT
  prepare_module "knative-$1"
  go_build "knative-$1" "$3" "knative.dev/serving/cmd/$2"
}
build_queue_1_22() { build_knative 1.22 queue queue-1.22; }
build_knative_webhook_1_22() { build_knative 1.22 webhook knative-webhook-1.22; }
build_queue_1_21() { build_knative 1.21 queue queue-1.21; }
build_knative_webhook_1_21() { build_knative 1.21 webhook knative-webhook-1.21; }

# The Cloudflare provider cannot be built while the proxy serves no version of its provider module
# (versions.env says what was tried). This target asks the proxy again, so that the day it answers,
# the message says so instead of repeating an old finding.
build_pulumi_resource_cloudflare() {
  local mod=github.com/pulumi/pulumi-cloudflare/provider/v6 answer
  if answer="$(cd / && go mod download -json "$mod@$PULUMI_CLOUDFLARE_PROBE_MODULE_VERSION" 2>&1)"; then
    echo "toolchain.sh: the proxy now serves $mod@$PULUMI_CLOUDFLARE_PROBE_MODULE_VERSION;" \
      "pin the v$PULUMI_CLOUDFLARE_VERSION release commit in versions.env and add its wrapper" >&2
  else
    echo "toolchain.sh: cannot build pulumi-resource-cloudflare $PULUMI_CLOUDFLARE_VERSION: the Go module proxy" \
      "serves no version of $mod (no tags; pseudo-versions refused):" >&2
    echo "$answer" | tail -2 >&2
  fi
  return 1
}

# The Pulumi YAML language host, for the component package's YAML consumer (examples/yaml). Its
# wrapper and version are under e2e/toolchain-extra/ (outside the hash, see its versions.env).
build_pulumi_language_yaml() {
  local dst="$WORK/pulumi-language-yaml" PULUMI_YAML_VERSION
  # shellcheck source=toolchain-extra/versions.env
  PULUMI_YAML_VERSION="$(source "$EXTRA/versions.env" && echo "$PULUMI_YAML_VERSION")"
  if [[ ! -f "$dst/.prepared" ]]; then
    rm -rf "$dst" "$dst.tmp"
    mkdir -p "$dst.tmp"
    sed "s|@PULUMI_YAML_VERSION@|$PULUMI_YAML_VERSION|g" "$EXTRA/pulumi-language-yaml/go.mod.in" >"$dst.tmp/go.mod"
    log "pulumi-language-yaml: resolving modules"
    (cd "$dst.tmp" && go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$PULUMI_YAML_VERSION")
    touch "$dst.tmp/.prepared"
    mv "$dst.tmp" "$dst"
  fi
  go_build pulumi-language-yaml pulumi-language-yaml github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=${PULUMI_YAML_VERSION#v}"
}

# A stand-in Go language host (e2e/toolchain-extra/pulumi-language-go/main.go says why), built against
# the pulumi CLI's own module set: the wrapper reuses the prepared `pulumi` module's go.mod and go.sum.
build_pulumi_language_go() {
  local dst="$WORK/pulumi-language-go"
  prepare_module pulumi pulumi_hook
  rm -rf "$dst"
  mkdir -p "$dst"
  cp "$EXTRA/pulumi-language-go/main.go" "$dst/"
  sed 's|^module .*|module ws-exposure.local/toolchain/pulumi-language-go|' "$WORK/pulumi/go.mod" >"$dst/go.mod"
  cp "$WORK/pulumi/go.sum" "$dst/"
  go_build pulumi-language-go pulumi-language-go . "-X main.version=${PULUMI_VERSION#v}+ws-exposure.standin"
}

# ---- the real node (groups `node` and `serving`; wrappers and versions in e2e/toolchain-extra/) ----

# derive_module BASE NAME TOOL...: a module of its own whose go.mod and go.sum start as the prepared
# BASE module's (same requirements, replaces and godebug lines) plus `tool` lines for TOOL...; the
# BASE module is left as it is, so its binaries keep the module graph they were built with.
derive_module() {
  local base="$1" name="$2" dst="$WORK/$2" t
  shift 2
  [[ -f "$dst/.prepared" ]] && return 0
  rm -rf "$dst" "$dst.tmp"
  mkdir -p "$dst.tmp"
  {
    sed "s|^module .*|module ws-exposure.local/toolchain/$name|" "$WORK/$base/go.mod"
    for t in "$@"; do printf '\ntool %s\n' "$t"; done
  } >"$dst.tmp/go.mod"
  cp "$WORK/$base/go.sum" "$dst.tmp/"
  log "$name: resolving modules (go mod tidy)"
  (cd "$dst.tmp" && go mod tidy)
  touch "$dst.tmp/.prepared"
  mv "$dst.tmp" "$dst"
}

# prepare_extra_module NAME: like prepare_module, from e2e/toolchain-extra/NAME, with the versions of
# both versions.env files.
prepare_extra_module() {
  local name="$1" dst="$WORK/$1" sed_args=() key
  [[ -f "$dst/.prepared" ]] && return 0
  # shellcheck source=toolchain-extra/versions.env
  source "$EXTRA/versions.env"
  rm -rf "$dst" "$dst.tmp"
  mkdir -p "$dst.tmp"
  cp -R "$EXTRA/$name/." "$dst.tmp/"
  while IFS= read -r key; do
    sed_args+=(-e "s|@${key}@|${!key}|g")
  done < <(grep -ohE '^[A-Z0-9_]+=' "$VERSIONS_FILE" "$EXTRA/versions.env" | tr -d '=')
  sed "${sed_args[@]}" "$dst.tmp/go.mod.in" >"$dst.tmp/go.mod"
  rm -f "$dst.tmp/go.mod.in"
  if grep -q '@[A-Z0-9_]*@' "$dst.tmp/go.mod"; then
    echo "toolchain.sh: unresolved placeholder in $EXTRA/$name/go.mod.in" >&2
    return 1
  fi
  log "$name: resolving modules (go mod tidy)"
  (cd "$dst.tmp" && go mod tidy)
  touch "$dst.tmp/.prepared"
  mv "$dst.tmp" "$dst"
}

build_kubernetes_node() { # build_kubernetes_node CMD
  prepare_module kubernetes kubernetes_hook
  derive_module kubernetes kubernetes-node k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kube-proxy
  go_build kubernetes-node "$1" "k8s.io/kubernetes/cmd/$1" "$(kubernetes_ldflags)"
}
build_kubelet() { build_kubernetes_node kubelet; }
build_kube_scheduler() { build_kubernetes_node kube-scheduler; }
build_kube_proxy() { build_kubernetes_node kube-proxy; }

build_coredns() {
  prepare_extra_module coredns
  go_build coredns coredns .
}

build_metallb_controller() {
  prepare_extra_module metallb
  go_build metallb metallb-controller go.universe.tf/metallb/controller
}

build_knative_serving() { # build_knative_serving CMD OUT: Knative 1.22's controller, autoscaler, activator
  prepare_module knative-1.22
  derive_module knative-1.22 knative-serving-1.22 knative.dev/serving/cmd/controller \
    knative.dev/serving/cmd/autoscaler knative.dev/serving/cmd/activator
  go_build knative-serving-1.22 "$2" "knative.dev/serving/cmd/$1"
}
build_knative_controller_1_22() { build_knative_serving controller knative-controller-1.22; }
build_knative_autoscaler_1_22() { build_knative_serving autoscaler knative-autoscaler-1.22; }
build_knative_activator_1_22() { build_knative_serving activator knative-activator-1.22; }

# ---- driver -------------------------------------------------------------------------------------

run_target() {
  local t="$1" fn start secs
  if [[ -x "$BIN/$t" ]]; then
    log "$t: present, skipped"
    return 0
  fi
  fn="build_${t//[-.]/_}"
  log "$t: building"
  start=$SECONDS
  "$fn"
  secs=$((SECONDS - start))
  printf '%s\t%s\t%s\n' "$t" "$secs" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$TIMES_FILE"
  log "$t: built in $(fmt_secs "$secs")"
}

run_group() {
  local g="$1" t
  if group_complete "$g"; then
    log "group $g: complete (stamp present)"
    return 0
  fi
  for t in $(group_targets "$g"); do
    run_target "$t"
  done
  date -u +%Y-%m-%dT%H:%M:%SZ >"$TC_DIR/stamp-$g"
  log "group $g: done"
}

# ---- main ---------------------------------------------------------------------------------------
# Everything runs from main(), called on the file's last line: bash has then read the whole file
# before running anything, so editing this script while it runs cannot derail a build.
main() {
  local MODE=build GROUP=core go_version total_start
  while [[ $# -gt 0 ]]; do
    case "$1" in
    --print-bin-dir) MODE=print ;;
    --check) MODE=check ;;
    -h | --help)
      usage
      exit 0
      ;;
    core | knative | cloudflare | anylang | node | serving | all) GROUP="$1" ;;
    *)
      echo "toolchain.sh: unknown argument '$1'" >&2
      usage >&2
      exit 2
      ;;
    esac
    shift
  done

  if [[ "$MODE" == print ]]; then
    echo "$BIN"
    exit 0
  fi
  if [[ "$MODE" == check ]]; then
    if [[ "$GROUP" == all ]]; then
      group_complete core && group_complete knative && group_complete cloudflare
    else
      group_complete "$GROUP"
    fi
    exit $?
  fi

  command -v go >/dev/null || export PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null || {
    echo "toolchain.sh: no 'go' on PATH (expected /usr/local/go/bin)" >&2
    exit 1
  }
  export GOTOOLCHAIN=local # never download another Go toolchain
  export GOFLAGS="-mod=mod"
  export CGO_ENABLED=0
  export GOWORK=off
  # go build runs GOMAXPROCS (= cores) compile jobs at once; keep it that way on 2-core machines and
  # never run two `go build`s side by side from here.

  go_version="$(go env GOVERSION)"
  if [[ "$(printf '%s\n%s\n' "$GO_MIN_VERSION" "$go_version" | sort -V | head -1)" != "$GO_MIN_VERSION" ]]; then
    echo "toolchain.sh: $go_version is older than $GO_MIN_VERSION" >&2
    exit 1
  fi

  mkdir -p "$BIN" "$WORK"

  trap cleanup EXIT
  trap 'echo "toolchain.sh: interrupted" >&2; exit 130' INT TERM

  total_start=$SECONDS
  log "toolchain dir: $TC_DIR ($go_version)"
  if [[ "$GROUP" == all ]]; then
    run_group core
    run_group knative
    run_group cloudflare
  else
    run_group "$GROUP"
  fi
  log "finished in $(fmt_secs $((SECONDS - total_start)))"
  echo "$BIN"
}

main "$@"
exit $?
