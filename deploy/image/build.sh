#!/usr/bin/env bash
# Builds the Arca container image archive without a Docker daemon:
#   1. a Debian base image from `debootstrap --variant=minbase` (cached, see below),
#   2. deploy/image/Dockerfile over that base with `buildah bud --isolation chroot`,
#   3. `buildah push` into a docker-archive that `podman load` / `docker load` read.
#
# Usage: build.sh --dist ARCA_TARBALL --version VERSION --output ARCHIVE [--work DIR]
#
# Environment:
#   ARCA_IMAGE_CACHE    where the base rootfs tarballs and the container storage live
#                       (default ~/.cache/arca-image). Delete it to start from scratch.
#   ARCA_IMAGE_REFRESH_BASE=1  debootstrap the base again even if a cached one matches.
#   ARCA_IMAGE_MIRROR   Debian mirror (default http://deb.debian.org/debian, the one apt uses here).
#   ARCA_IMAGE_SECURITY_MIRROR  default http://deb.debian.org/debian-security.
#
# The base is keyed by suite and by the Date of the suite's Release file on the mirror: a new
# point release or stable update makes a new base; otherwise repeated builds reuse it. When the
# mirror cannot be reached, the newest cached base of the suite is used.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
suite=trixie
pg_suite=forky
dist="" version="" output="" work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$dist" ] && [ -n "$version" ] && [ -n "$output" ] || {
  echo "usage: build.sh --dist ARCA_TARBALL --version VERSION --output ARCHIVE [--work DIR]" >&2; exit 2; }
[ -f "$dist" ] || {
  echo "build.sh: the Arca tarball '$dist' does not exist; build it first (mvn -B package -pl arca-dist -am)" >&2; exit 1; }
case "$dist" in *.tar.gz) ;; *) echo "build.sh: '$dist' is not a .tar.gz" >&2; exit 1 ;; esac

need() { # program, Debian package
  command -v "$1" >/dev/null 2>&1 || { echo "build.sh: '$1' is missing: apt-get install $2" >&2; exit 1; }
}
need debootstrap debootstrap
need buildah buildah
need curl curl
[ "$(id -u)" = 0 ] || { echo "build.sh: debootstrap and buildah (chroot isolation) need root" >&2; exit 1; }

mirror="${ARCA_IMAGE_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${ARCA_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cache="${ARCA_IMAGE_CACHE:-$HOME/.cache/arca-image}"
output="$(realpath -m "$output")"
work="$(realpath -m "${work:-$(dirname "$output")/image-build}")"
mkdir -p "$cache" "$work" "$(dirname "$output")"

# A private container storage, so the build neither needs nor touches the machine's default one.
# vfs works everywhere (no overlay or fuse needed); cached in $cache so that layers are reused.
export CONTAINERS_STORAGE_CONF="$cache/storage.conf"
cat > "$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "vfs"
graphroot = "$cache/storage"
runroot = "$cache/run"
CONF
export BUILDAH_ISOLATION=chroot

log() { echo "[arca-image] $*" >&2; }
started=$SECONDS

# ---- 1. the base image ------------------------------------------------------------------------
release_date() { # suite -> YYYYMMDDTHHMMSSZ of its Release file, empty when unreachable
  curl -fsS -m 20 "$mirror/dists/$1/Release" 2>/dev/null | sed -n 's/^Date: //p' | head -1 \
    | { read -r d && date -u -d "$d" +%Y%m%dT%H%M%SZ; } || true
}
stamp="$(release_date "$suite")"
if [ -z "$stamp" ]; then
  stamp="$(ls "$cache" 2>/dev/null | sed -n "s/^base-$suite-\(.*\)\.tar$/\1/p" | sort | tail -1)"
  [ -n "$stamp" ] || { echo "build.sh: cannot reach $mirror and no cached $suite base in $cache" >&2; exit 1; }
  log "mirror unreachable: using the cached $suite base of $stamp"
fi
base_image="localhost/arca-base-debian:$suite-$stamp"
rootfs_tar="$cache/base-$suite-$stamp.tar"

if [ "${ARCA_IMAGE_REFRESH_BASE:-0}" = 1 ]; then
  rm -f "$rootfs_tar"; buildah rmi -f "$base_image" >/dev/null 2>&1 || true
fi
if ! buildah inspect --type image "$base_image" >/dev/null 2>&1; then
  if [ ! -f "$rootfs_tar" ]; then
    log "debootstrap --variant=minbase $suite from $mirror (Release of $stamp)"
    rootfs="$work/rootfs"
    rm -rf "$rootfs"
    debootstrap --variant=minbase --arch=amd64 "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
      tail -30 "$work/debootstrap.log" >&2; echo "build.sh: debootstrap failed (log: $work/debootstrap.log)" >&2; exit 1; }
    # Make it look like Debian's own debian:<suite>-slim, so that the Dockerfile runs the same over both:
    # deb822 sources with updates and security, no docs/man/locales (the dpkg excludes the slim image has).
    rm -f "$rootfs/etc/apt/sources.list"
    cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EXC'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EXC
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
    rm -rf "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
      "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
      "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old
    : > "$rootfs/etc/machine-id" 2>/dev/null || true
    tar --numeric-owner --xattrs -C "$rootfs" -cf "$rootfs_tar.part" .
    mv -f "$rootfs_tar.part" "$rootfs_tar"
    rm -rf "$rootfs"
  fi
  log "importing $rootfs_tar as $base_image"
  ctr="$(buildah from scratch)"
  mnt="$(buildah mount "$ctr")"
  tar --numeric-owner --xattrs -C "$mnt" -xf "$rootfs_tar"
  buildah umount "$ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd bash --os linux --arch amd64 \
    --label "org.opencontainers.image.description=debootstrap --variant=minbase $suite ($mirror, Release $stamp)" \
    "$ctr"
  buildah commit --rm --quiet "$ctr" "$base_image" >/dev/null
  buildah tag "$base_image" "localhost/arca-base-debian:$suite"
else
  log "reusing base $base_image"
fi

# ---- 2. the image from the Dockerfile ------------------------------------------------------------
# Debian testing's Release files carry a Valid-Until a week ahead; a frozen mirror (as in this
# project's build machines) serves an expired one, which apt refuses. Only then is the check
# turned off, and only for the testing suite.
check_valid_until=true
valid_until="$(curl -fsS -m 20 "$mirror/dists/$pg_suite/Release" 2>/dev/null | sed -n 's/^Valid-Until: //p' | head -1)" || true
if [ -n "$valid_until" ] && [ "$(date -u -d "$valid_until" +%s)" -lt "$(date -u +%s)" ]; then
  log "the mirror's $pg_suite Release expired on $valid_until: building with APT_CHECK_VALID_UNTIL=false"
  check_valid_until=false
fi

context="$work/context"
rm -rf "$context"; mkdir -p "$context"
dist_name="$(basename "$dist")"
ln "$(realpath "$dist")" "$context/$dist_name" 2>/dev/null || cp "$(realpath "$dist")" "$context/$dist_name"
tag="localhost/arca:$version"
log "buildah bud $here/Dockerfile over $base_image"
buildah bud --isolation chroot --layers --pull=false \
  --build-arg BASE="$base_image" \
  --build-arg DIST="$dist_name" \
  --build-arg VERSION="$version" \
  --label "org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --label "org.opencontainers.image.base.name=$base_image" \
  --build-arg APT_CHECK_VALID_UNTIL="$check_valid_until" \
  -f "$here/Dockerfile" -t "$tag" "$context" >"$work/bud.log" 2>&1 || {
    tail -40 "$work/bud.log" >&2; echo "build.sh: buildah bud failed (log: $work/bud.log)" >&2; exit 1; }

# ---- 3. the archive -------------------------------------------------------------------------------
rm -f "$output"
buildah push --quiet "$tag" "docker-archive:$output:$tag" >/dev/null

# Keep the cache bounded: the current base and the layers this build used or made, nothing older.
keep=" $(buildah images -q --no-trunc "$base_image") $(buildah images -q --no-trunc "$tag") "
keep+="$(sed -n 's/^--> \(Using cache \)\{0,1\}\([0-9a-f]\{11,\}\)$/\2/p' "$work/bud.log" | tr '\n' ' ')"
for id in $(buildah images -q --all --no-trunc); do
  short="${id#sha256:}"; short="${short:0:11}"
  case "$keep" in *"$short"*) ;; *) buildah rmi -f "$id" >/dev/null 2>&1 || true ;; esac
done
find "$cache" -maxdepth 1 -name "base-$suite-*.tar" ! -name "$(basename "$rootfs_tar")" -delete

size="$(du -m "$output" | cut -f1)"
log "wrote $output ($size MB, $tag) in $((SECONDS - started)) s"
