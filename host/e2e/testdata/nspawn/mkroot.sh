#!/usr/bin/env bash
# Builds (once) a minimal Debian root with systemd for TestSystemdInContainer
# and prints its path. Needs root, debootstrap and systemd-container (both
# installed here with apt-get when missing) and Debian's package mirror.
set -euo pipefail
dir=${HTTPD_NSPAWN_CACHE:-/var/tmp/httpd-mpm-nspawn}
root=$dir/bookworm-systemd-1
if [ -x "$root/lib/systemd/systemd" ] && [ -x "$root/usr/bin/curl" ] && [ -x "$root/usr/bin/pgrep" ]; then
  echo "$root"; exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "building the container root needs root (debootstrap, systemd-nspawn)" >&2; exit 1
fi
need=()
command -v debootstrap    >/dev/null || need+=(debootstrap)
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> apt-get install ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
echo "==> debootstrap bookworm into $root (a few minutes, once)" >&2
rm -rf "$root.tmp"; mkdir -p "$dir"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,procps bookworm "$root.tmp" "$mirror" >"$dir/debootstrap.log" 2>&1 \
  || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
mv "$root.tmp" "$root"
echo "$root"
