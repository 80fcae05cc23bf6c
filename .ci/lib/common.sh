# shellcheck shell=bash disable=SC2034 # the scripts that source this use its variables
# Shared helpers for the deployment and lint checks under .ci/.
# Source it from a script that has `set -euo pipefail`; it changes to the
# repository root.
#
# Tool binaries are built once from the Go module proxy at the versions
# pinned below and cached under $XYTE_CI_CACHE/bin, one file per name and
# version, so a version bump rebuilds and an unchanged pin costs nothing.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
ROOT=$PWD

XYTE_CI_CACHE=${XYTE_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xyte-mcp-ci}
CI_BIN=$XYTE_CI_CACHE/bin
mkdir -p "$CI_BIN"

# Pinned tool versions. Change them here only.
HELM_VERSION=v4.3.2
STATICCHECK_VERSION=v0.8.2
GOLANGCI_LINT_VERSION=v2.15.0
GOSEC_VERSION=v2.30.0
GOVULNCHECK_VERSION=v1.10.0
ACTIONLINT_VERSION=v1.7.12
# The Go vulnerability database as a Go module (data as of its date).
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018

CI_START=$(date +%s)

log() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
die() {
  printf '\nFAIL: %s\n' "$*" >&2
  exit 1
}

# elapsed prints the seconds since the script started.
elapsed() { echo "$(($(date +%s) - CI_START))s"; }

# go_tool NAME PACKAGE VERSION prints the path of the cached binary NAME,
# building it with `go install PACKAGE@VERSION` first if it is missing.
go_tool() {
  local name=$1 pkg=$2 version=$3
  local bin=$CI_BIN/$name-$version
  if [ ! -x "$bin" ]; then
    local tmp
    tmp=$(mktemp -d)
    printf '   building %s %s (go install %s@%s)\n' "$name" "$version" "$pkg" "$version" >&2
    if ! GOBIN=$tmp GOFLAGS=-buildvcs=false go install "$pkg@$version" >&2; then
      rm -rf "$tmp"
      die "could not build $name $version from the Go module proxy"
    fi
    mv -f "$tmp/$name" "$bin" # atomic: a parallel run sees the old or the new file
    rm -rf "$tmp"
  fi
  echo "$bin"
}

# repo_tool NAME prints the path of one of our own programs under tools/cmd,
# rebuilt whenever the tools module's sources change.
repo_tool() {
  local name=$1 sum bin
  sum=$(cd "$ROOT/tools" && find . -name '*.go' -o -name go.mod -o -name go.sum |
    LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
  bin=$CI_BIN/$name-src-$sum
  if [ ! -x "$bin" ]; then
    printf '   building tools/cmd/%s\n' "$name" >&2
    (cd "$ROOT/tools" && GOFLAGS=-buildvcs=false go build -o "$bin.tmp.$$" "./cmd/$name") >&2 ||
      die "could not build tools/cmd/$name"
    mv -f "$bin.tmp.$$" "$bin"
    # Drop builds of older sources of the same program.
    find "$CI_BIN" -maxdepth 1 -name "$name-src-*" ! -name "$name-src-$sum" -delete
  fi
  echo "$bin"
}

# apt_need CMD PACKAGE... installs the Debian packages when CMD is missing.
apt_need() {
  local cmd=$1
  shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  note "installing $* with apt (no $cmd on PATH)"
  command -v apt-get >/dev/null || die "$cmd is missing and apt-get is not available; install: $*"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${CI_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null || die "apt-get update failed"
    CI_APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
  command -v "$cmd" >/dev/null || die "$cmd is still missing after installing $*"
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}
