#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl of the pinned
# Kubernetes release from the Go module proxy (go.mod beside this script), into a cache outside the
# work tree keyed by version, so every clone and CI run on this machine reuses them.
#
#   controlplane/build.sh          build what is missing, print the binaries directory
#   controlplane/build.sh --dir    print the binaries directory only (nothing is built)
#
# The directory is laid out as kube-api-test's offline mode reads it:
#   $SAFEROLLOUT_K8S_CACHE/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl,...}
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(cd "$here" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
etcd_version="$(cd "$here" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
[ -n "$version" ] && [ -n "$etcd_version" ] || { echo "build.sh: cannot read the pinned versions from $here/go.mod" >&2; exit 2; }
arch="$(go env GOOS)-$(go env GOARCH)"
cache="${SAFEROLLOUT_K8S_CACHE:-$HOME/.cache/saferollout}"
dir="$cache/k8s/${version#v}-$arch"
commands=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl)

if [ "${1:-}" = "--dir" ]; then echo "$dir"; exit 0; fi

missing=()
for c in "${commands[@]}"; do [ -x "$dir/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$dir"; exit 0; fi

# The release's own version stamps (hack/lib/version.sh sets the same), so /version reports it.
minor="${version#v1.}"; minor="${minor%%.*}"
stamp() {
  printf -- "-X '%s.gitVersion=%s' -X '%s.gitMajor=1' -X '%s.gitMinor=%s' -X '%s.gitTreeState=clean' -X '%s.buildDate=1970-01-01T00:00:00Z' " \
    "$1" "$version" "$1" "$1" "$minor" "$1" "$1"
}
k8s_ldflags="-s -w $(stamp k8s.io/component-base/version)$(stamp k8s.io/client-go/pkg/version)"
tmp="$(mktemp -d "$cache/.build.XXXXXX" 2>/dev/null || { mkdir -p "$cache" && mktemp -d "$cache/.build.XXXXXX"; })"
trap 'rm -rf "$tmp"' EXIT
cd "$here"
for c in "${missing[@]}"; do
  echo "building $c ($version) ..." >&2
  if [ "$c" = etcd ]; then
    go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
  else
    go build -trimpath -ldflags "$k8s_ldflags" -o "$tmp/$c" "k8s.io/kubernetes/cmd/$c"
  fi
done
mkdir -p "$dir"
# Moved in only once built, so an interrupted build never leaves a half-written binary behind.
for c in "${missing[@]}"; do mv "$tmp/$c" "$dir/$c"; done
echo "$version etcd $etcd_version" > "$dir/VERSION"
echo "$dir"
