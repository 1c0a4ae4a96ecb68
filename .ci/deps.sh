#!/usr/bin/env bash
# Installs the outside tools a make target uses, from Debian packages:
#   deps.sh run      what `make run` needs (/etc/mime.types, the example's TypesConfig)
#   deps.sh profile  what `make profile` needs (wrk)
#   deps.sh          everything the test suite uses (`make test`, CI)
# Tests never skip for a missing tool: in CI it is installed here.
set -euo pipefail
need=()
[ -e /etc/mime.types ]  || need+=(media-types)   # TypesConfig of the examples and tests
case "${1:-test}" in
run) ;;
profile)
  command -v wrk     >/dev/null || need+=(wrk) ;;
test)
  command -v curl    >/dev/null || need+=(curl)
  command -v ab      >/dev/null || need+=(apache2-utils)
  command -v wrk     >/dev/null || need+=(wrk)
  command -v protoc  >/dev/null || need+=(protobuf-compiler)
  command -v prometheus-apache-exporter >/dev/null || need+=(prometheus-apache-exporter)
  command -v slowhttptest >/dev/null || need+=(slowhttptest)
  command -v systemd-socket-activate >/dev/null || need+=(systemd)
  command -v goaccess >/dev/null || need+=(goaccess)
  # the real Apache beside ours in the differential tests (host/e2e/apache_test.go)
  [ -x /usr/sbin/apache2 ] || need+=(apache2)
  # a real PHP behind mod_proxy_fcgi (host/e2e/phpfpm_test.go): /usr/sbin/php-fpmX.Y
  compgen -G '/usr/sbin/php-fpm*' >/dev/null || need+=(php-fpm)
  # go test -race needs cgo, hence a C compiler (Go from go.dev brings none).
  command -v gcc     >/dev/null || need+=(gcc libc6-dev) ;;
*) echo "usage: deps.sh [run|profile|test]" >&2; exit 2 ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing tools; as root run: apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "==> apt-get install ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages with a service (apache2, nginx) must not start it: it would take port 80,
# and a start that fails (port taken, no init) fails the install. Debian's
# policy-rc.d convention: exit 101 forbids every service action meanwhile.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q >/dev/null
apt-get install -y -q "${need[@]}" >/dev/null
