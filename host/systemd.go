package host

import (
	"fmt"
	"os"
	"time"

	"github.com/coreos/go-systemd/v22/activation"
	"github.com/coreos/go-systemd/v22/daemon"
	"golang.org/x/sys/unix"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/host/listen"
	"github.com/httpd-mpm/httpd-mpm/mpm"
)

// notify sends a state to systemd's NOTIFY_SOCKET (Type=notify); without
// one it does nothing.
func notify(state string) {
	_, _ = daemon.SdNotify(false, state)
}

func notifyReady() {
	notify(fmt.Sprintf("READY=1\nSTATUS=Processing requests...\nMAINPID=%d", os.Getpid()))
}

func notifyReloading() {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	notify(fmt.Sprintf("RELOADING=1\nSTATUS=Reading configuration...\nMONOTONIC_USEC=%d", ts.Nano()/1000))
}

func notifyStopping() { notify("STOPPING=1\nSTATUS=Shutting down...") }

// statusLine is mod_systemd's STATUS text: request total, idle/busy worker
// percentages, and rates since the previous report.
func statusLine(st, prev mpm.Status, elapsed time.Duration) string {
	idle, busy := 0, 0
	if total := st.IdleWorkers + st.BusyWorkers; total > 0 {
		idle = st.IdleWorkers * 100 / total
		busy = 100 - idle
	}
	secs := elapsed.Seconds()
	var rps, bps float64
	if secs > 0 && st.TotalAccesses >= prev.TotalAccesses {
		rps = float64(st.TotalAccesses-prev.TotalAccesses) / secs
		bps = float64(st.TotalBytes-prev.TotalBytes) / secs
	}
	return fmt.Sprintf("READY=1\nSTATUS=Total requests: %d; Idle/Busy workers %d/%d;Requests/sec: %.3g; Bytes served/sec: %sB/sec\n",
		st.TotalAccesses, idle, busy, rps, strfsize(bps))
}

// strfsize formats a size in 4 characters as APR's apr_strfsize does:
// "  0 ", " 12 ", "1.2K", " 12M".
func strfsize(n float64) string {
	if n < 973 {
		return fmt.Sprintf("%3d ", int(n))
	}
	for _, unit := range "KMGTPE" {
		n /= 1024
		if n < 9.95 {
			return fmt.Sprintf("%3.1f%c", n, unit)
		}
		if n < 973 {
			return fmt.Sprintf("%3d%c", int(n+0.5), unit)
		}
	}
	return "  - "
}

// activatedSockets adopts the listening sockets systemd passed
// (LISTEN_FDS); the variables are removed so no plugin sees them.
func activatedSockets(log func(string, ...any)) []*listen.Socket {
	var out []*listen.Socket
	for _, f := range activation.Files(true) {
		s, err := listen.Adopt(f)
		if err != nil {
			log("socket activation: %v; ignoring it", err)
			f.Close()
			continue
		}
		out = append(out, s)
	}
	return out
}

// takeActivated finds the systemd socket for a Listen argument.
func (s *server) takeActivated(arg string) *listen.Socket {
	for i, sock := range s.activated {
		if sock != nil && listen.Match(arg, sock.Addr) {
			s.activated[i] = nil
			sock.Name = arg
			s.log.Printf("core", errorlog.Info, "Listen %s: using the socket %s passed by systemd", arg, sock.Addr)
			return sock
		}
	}
	return nil
}
