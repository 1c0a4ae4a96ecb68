package cgi

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

// scriptLog appends one entry to ScriptLog, as log_scripterror does: the
// request line, the status and the file, then text; nothing when there is
// no ScriptLog or it has grown past ScriptLogLength.
func (h *Handler) scriptLog(r *http.Request, status int, file, text string) {
	name := h.Server.Log
	if name == "" {
		return
	}
	if fi, err := os.Stat(name); err == nil && fi.Size() > h.Server.LogLength {
		return
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	q := ""
	if r.URL.RawQuery != "" {
		q = "?" + r.URL.RawQuery
	}
	fmt.Fprintf(f, "%%%% [%s] %s %s%s %s\n%%%% %d %s\n%s", time.Now().Format("Mon Jan 02 15:04:05 2006"),
		r.Method, r.URL.Path, q, r.Proto, status, file, text)
}
