package host

import (
	"fmt"
	"os"
	"syscall"

	"github.com/httpd-mpm/httpd-mpm/host/config"
	"github.com/httpd-mpm/httpd-mpm/host/errorlog"
	"github.com/httpd-mpm/httpd-mpm/internal/pipedlog"
)

// typesConfigOK is mod_mime's post_config check, made once the error log
// is open, at startup and on each restart (not by -t, which Apache ends
// before post_config): the main server's TypesConfig must open as a
// regular file. Otherwise it logs Apache's lines (AH00554 for a file that
// is not regular, then AH01597 with the errno) and returns false; our
// AH01597 names the TypesConfig line after Apache's text. Only a
// TypesConfig line is checked: without one, the default file
// (conf/mime.types) is read when it exists and the server has no types
// otherwise, where Apache would refuse to start.
func typesConfigOK(log *errorlog.Log, srv *config.Server) bool {
	at := srv.TypesConfigAt
	if at.File == "" {
		return true
	}
	f, err := os.Open(srv.TypesConfig)
	if err == nil {
		fi, statErr := f.Stat()
		f.Close()
		switch {
		case statErr != nil:
			err = statErr
		case !fi.Mode().IsRegular() && srv.TypesConfig != os.DevNull:
			log.Printf("core", errorlog.Error, "AH00554: Access to file %s denied by server: not a regular file", srv.TypesConfig)
			err = syscall.EBADF
		}
	}
	if err == nil {
		return true
	}
	where := fmt.Sprintf("on line %d of %s", at.Line, at.File)
	if at.File == config.CommandLineFile {
		where = "in a -C/-c directive"
	}
	log.Printf("mime", errorlog.Error, "%sAH01597: could not open mime types config file %s. (TypesConfig %s)",
		pipedlog.ErrnoPrefix(err), srv.TypesConfig, where)
	return false
}

// docRootProblems is config.CheckDocumentRoots unless -T turned it off.
func docRootProblems(o *options, cfg *config.Config) ([]string, config.Errors) {
	if o.noDocCheck {
		return nil, nil
	}
	return config.CheckDocumentRoots(cfg)
}
