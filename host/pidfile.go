package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
)

// readPid reads a PidFile.
func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("bad pid file contents %q", strings.TrimSpace(string(b)))
	}
	return pid, nil
}

// runningPid reports the pid in the PidFile if that process is alive and
// is not this one.
func runningPid(path string) (int, bool) {
	pid, err := readPid(path)
	if err != nil {
		return 0, false
	}
	if pid == os.Getpid() || syscall.Kill(pid, 0) != nil {
		return pid, false
	}
	return pid, true
}

// writePid writes "%d\n", mode 0644, as apache2's ap_log_pid: through a
// new file in the same directory (PATH.XXXXXX, made with O_CREAT|O_EXCL,
// which follows no symlink: one planted in a logs directory others may
// write cannot make httpd, as root, write through it) renamed to path, so
// that no reader sees it half written and a symlink or stale file at path
// is replaced, not followed. A failure is logged with apache2's messages
// (name is httpd's name, as argv[0]) and returned. A file already at path
// is warned about (AH00098) when first is set: apache2 warns only the first
// time a process writes it, not at its restarts.
func writePid(path, name string, first bool, log *errorlog.Log) error {
	if _, err := os.Stat(path); err == nil && first {
		log.Printf("core", errorlog.Warn, "AH00098: pid file %s overwritten -- Unclean shutdown of previous Apache run?", path)
	}
	tmp, err := replaceFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"))
	if err != nil && tmp == "" {
		tmp = path + ".XXXXXX"
		var pe *fs.PathError
		if errors.As(err, &pe) {
			tmp = pe.Path
		}
		log.Printf("core", errorlog.Error, "%sAH00099: could not create %s", pipedlog.ErrnoPrefix(err), tmp)
		log.Printf("core", errorlog.Error, "AH00100: %s: could not log pid to file %s", name, path)
		return err
	}
	if err != nil {
		log.Printf("core", errorlog.Error, "%sAH10231: %s: Failed creating pid file %s", pipedlog.ErrnoPrefix(err), name, tmp)
		return err
	}
	return nil
}

// replaceFile puts data, mode 0644, at path through a new file in the
// same directory (made with O_CREAT|O_EXCL, which follows no symlink)
// renamed to path, so that a symlink or other file planted at path is
// replaced, never written through (httpd writes as root into directories
// others may write), and no reader sees the file half written. It returns
// the new file's name, "" when it could not be made (err says why); on an
// error it leaves no new file behind.
func replaceFile(path string, data []byte) (tmp string, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644) // CreateTemp makes it 0600
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return f.Name(), err
}

// pidFileWritable says whether writePid can make its new file in path's
// directory (it makes one and removes it) and rename it to path (not a
// directory), without a warning first (first: a file at path).
func pidFileWritable(path string, first bool) bool {
	if fi, err := os.Lstat(path); err == nil && (first || fi.IsDir()) {
		return false
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

func removePid(path string, log *errorlog.Log) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		log.Printf("core", errorlog.Error, "AH00095: failed to remove PID file %s: %v", path, err)
		return
	}
	log.Printf("core", errorlog.Info, "AH00096: removed PID file %s (pid=%d)", path, os.Getpid())
}

// signalServer is -k stop|graceful-stop|restart|graceful, as Apache's
// ap_signal_server: the config is checked first, messages go to stdout.
func signalServer(o *options, stdout, stderr io.Writer) int {
	cfg, srv, mod, err := readConfig(o, stdout, stderr)
	if err != nil {
		return exitCode(err)
	}
	log := errorlog.New(stderr, o.startLevel)
	if o.signal == "restart" || o.signal == "graceful" {
		// As Apache: the new config must pass the whole check (the MPM's
		// directives included) before the running server is signalled.
		ctx, cancel := context.WithTimeout(context.Background(), pluginStartTimeout)
		defer cancel()
		l, err := startPlugin(ctx, o, cfg, srv, mod, nil, nil, log.PluginOutput(nil), stderr, false)
		if err != nil {
			return exitCode(err)
		}
		l.gen.Kill()
	}
	// Apache checks the config (check_config) before it signals, for every -k.
	if !checkConfig(log, false, stdout, stderr, cfg, srv) {
		return 1
	}
	pid, perr := readPid(srv.PidFile)
	running := perr == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == nil
	if perr != nil && !errors.Is(perr, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "AH00058: Error retrieving pid file %s\nAH00059: Remove it before continuing if it is corrupted.\n", srv.PidFile)
		return 1
	}
	sig := map[string]syscall.Signal{"stop": syscall.SIGTERM, "graceful-stop": syscall.SIGWINCH, "restart": syscall.SIGHUP, "graceful": syscall.SIGUSR1}[o.signal]
	if !running {
		switch o.signal {
		case "stop", "graceful-stop":
			if errors.Is(perr, fs.ErrNotExist) {
				fmt.Fprintln(stdout, "httpd (no pid file) not running")
			} else {
				fmt.Fprintf(stdout, "httpd (pid %d?) not running\n", pid)
			}
			return 0
		default:
			fmt.Fprintln(stdout, "httpd not running, trying to start")
			o.signal = "start"
			return run(o, stdout, stderr)
		}
	}
	if err := syscall.Kill(pid, sig); err != nil {
		fmt.Fprintf(stderr, "AH00057: sending signal to server: %v\n", err)
		if o.signal == "stop" {
			return 0
		}
		return 1
	}
	return 0
}

func absUnder(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}
