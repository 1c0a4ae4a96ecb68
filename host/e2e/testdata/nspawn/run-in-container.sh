#!/bin/sh
# Runs inside a systemd-nspawn container booted with real systemd as PID 1
# (see nspawn_test.go). Each check prints "ok NAME" or "FAIL NAME: why";
# everything goes to /out/result.txt, then the container powers off.
exec > /out/result.txt 2>&1
set -u
conf=/etc/httpd-mpm/conf/httpd.conf
ok()   { echo "ok $1"; }
fail() { echo "FAIL $1: $2"; }
get()  { curl -s --max-time 10 http://127.0.0.1:8080/index.html; }
mpm()  { /usr/local/sbin/httpd -d /etc/httpd-mpm -f conf/httpd.conf -V | sed -n 's/^Server MPM: *//p'; }
plugin() { readlink /proc/$(pgrep -P "$(systemctl show -p MainPID --value httpd.service)" | head -1)/exe; }

# 1. Type=notify: start returns once READY=1 arrived, the unit is active.
if systemctl start httpd.service && [ "$(systemctl is-active httpd.service)" = active ]; then ok start; else fail start "$(systemctl status httpd.service --no-pager 2>&1 | tail -5)"; fi
[ "$(get)" = "hello from nspawn" ] && ok serve || fail serve "got '$(get)'"
status=$(systemctl show -p StatusText --value httpd.service)
[ -n "$status" ] && ok status-text || fail status-text "empty StatusText"
echo "status: $status"

# 2. Reload swaps the MPM: edit LoadModule, systemctl reload.
before=$(plugin)
sed -i 's/^LoadModule mpm_event_module modules\/mod_mpm_event.so/LoadModule mpm_worker_module modules\/mod_mpm_worker.so/' $conf
if systemctl reload httpd.service; then ok reload; else fail reload "rc=$?"; fi
i=0; while [ $i -lt 50 ] && [ "$(plugin)" = "$before" ]; do sleep 0.2; i=$((i+1)); done
after=$(plugin)
case "$after" in *mod_mpm_worker.so) ok swap;; *) fail swap "plugin before $before after $after";; esac
[ "$(mpm)" = worker ] && ok mpm-v || fail mpm-v "httpd -V says $(mpm)"
[ "$(get)" = "hello from nspawn" ] && ok serve-after-reload || fail serve-after-reload "got '$(get)'"
[ "$(systemctl is-active httpd.service)" = active ] && ok active-after-reload || fail active-after-reload "$(systemctl is-active httpd.service)"

# 3. A broken config: reload fails, the server keeps serving.
echo "NoSuchDirective 1" >> $conf
if systemctl reload httpd.service; then fail broken-reload "reload succeeded"; else ok broken-reload; fi
[ "$(get)" = "hello from nspawn" ] && ok serve-after-broken || fail serve-after-broken "got '$(get)'"
sed -i '/^NoSuchDirective/d' $conf

# 4. Stop: graceful stop, unit inactive, no process left.
main=$(systemctl show -p MainPID --value httpd.service)
systemctl stop httpd.service
[ "$(systemctl is-active httpd.service)" = inactive ] && ok stop || fail stop "$(systemctl is-active httpd.service)"
left=$(pgrep -f mod_mpm_ | wc -l)
[ "$left" = 0 ] && ok no-orphans || fail no-orphans "$left plugin processes left"

# 5. The journal has our log lines.
if journalctl -u httpd.service --no-pager | grep -q "configured -- resuming normal operations"; then ok journal; else fail journal "$(journalctl -u httpd.service --no-pager | tail -5)"; fi
journalctl -u httpd.service --no-pager | tail -8

# 6. Socket activation: httpd.socket binds, the first request starts httpd.
systemctl start httpd.socket
[ "$(systemctl is-active httpd.service)" = inactive ] && ok socket-idle || fail socket-idle "service already $(systemctl is-active httpd.service)"
[ "$(get)" = "hello from nspawn" ] && ok socket-activated || fail socket-activated "got '$(get)'"
[ "$(systemctl is-active httpd.service)" = active ] && ok socket-service-active || fail socket-service-active "$(systemctl is-active httpd.service)"
journalctl -u httpd.service --no-pager | grep -q "passed by systemd" && ok socket-adopted || fail socket-adopted "no adoption line in the journal"
systemctl stop httpd.service httpd.socket

echo done
systemctl poweroff
