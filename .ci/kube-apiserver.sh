#!/usr/bin/env bash
# Builds the kube-apiserver the Kubernetes tests run (test/helpers/kube-apiserver.ts) and caches it
# outside the checkout, so only a fresh machine pays the ~6 minutes. No registry ships a
# kube-apiserver binary and Debian packages none, so it is built from Debian bookworm's own
# `kubernetes` source package with Debian's Go 1.19.
#
# Needs the Debian packages dpkg-dev (apt-get source), rsync and make (the Makefile), golang-1.19-go and
# golang-github-modern-go-reflect2-dev; .ci/run installs them.
#
# Environment: MESHDNS_CI_CACHE (default /var/cache/meshdns-ci) holds the binary and the build folder.
set -euo pipefail

version=1.20.2
cache="${MESHDNS_CI_CACHE:-/var/cache/meshdns-ci}"
binary="$cache/kube-apiserver-$version/kube-apiserver"
build="$cache/build"

cached() {
  [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1
}
if cached; then
  echo "kube-apiserver: cached at $binary ($("$binary" --version))"
  exit 0
fi
# One build at a time (several checkouts may run .ci/run at once); the winner's binary serves the rest.
mkdir -p "$cache"
exec 9>"$cache/kube-apiserver.lock"
flock 9
if cached; then
  echo "kube-apiserver: built meanwhile, cached at $binary"
  exit 0
fi

for tool in apt-get dpkg-source rsync make /usr/lib/go-1.19/bin/go; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "kube-apiserver: $tool is missing; install the Debian packages dpkg-dev rsync make golang-1.19-go golang-github-modern-go-reflect2-dev" >&2
    exit 1
  }
done
reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -d "$reflect2" ] || {
  echo "kube-apiserver: $reflect2 is missing; install the Debian package golang-github-modern-go-reflect2-dev" >&2
  exit 1
}

started=$(date +%s)
rm -rf "$build"
mkdir -p "$build/apt/lists/partial" "$build/apt/archives/partial" "$build/apt/sources.list.d" "$build/source"

# An apt configuration of our own: the system's sources (so no mirror is named here) as deb-src,
# its own lists, nothing of the system's apt state touched.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$build/apt/sources.list.d/debian.sources"
else
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$build/apt/sources.list.d/debian.list"
fi
cat >"$build/apt/apt.conf" <<EOF
Dir::Etc::sourcelist "/dev/null";
Dir::Etc::sourceparts "$build/apt/sources.list.d";
Dir::State::lists "$build/apt/lists";
Dir::Cache "$build/apt/cache";
Dir::Cache::archives "$build/apt/archives";
APT::Sandbox::User "root";
EOF
export APT_CONFIG="$build/apt/apt.conf"
apt-get update -qq
(cd "$build/source" && apt-get source -qq kubernetes >/dev/null)
unset APT_CONFIG
source_dir=$(find "$build/source" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
[ -n "$source_dir" ] || { echo "kube-apiserver: apt-get source kubernetes unpacked nothing" >&2; exit 1; }
echo "kube-apiserver: building from $(basename "$source_dir")"

# The vendored reflect2 1.0.1 mis-links on Go >= 1.18 (it reaches runtime internals by name);
# Debian's 1.0.2 does not.
rm -rf "$source_dir/vendor/github.com/modern-go/reflect2"
cp -r "$reflect2" "$source_dir/vendor/github.com/modern-go/reflect2"

export PATH="/usr/lib/go-1.19/bin:$PATH"
export GOPATH="$build/gopath" GOCACHE="$build/gocache" GOFLAGS=-mod=vendor CGO_ENABLED=0
# The Makefile's version stamping wants git; the source package has none, so the version is given.
export KUBE_GIT_VERSION="v$version" KUBE_GIT_TREE_STATE=clean
make -C "$source_dir" WHAT=cmd/kube-apiserver

built="$source_dir/_output/local/bin/linux/amd64/kube-apiserver"
[ -x "$built" ] || built=$(find "$source_dir/_output" -type f -name kube-apiserver | head -n 1)
mkdir -p "$(dirname "$binary")"
cp "$built" "$binary.tmp"
mv "$binary.tmp" "$binary"
"$binary" --version
rm -rf "$build"
echo "kube-apiserver: built in $(($(date +%s) - started)) s, cached at $binary"
