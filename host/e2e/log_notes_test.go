package e2e_test

import (
	"os"
	"path/filepath"
	"testing"
)

// logNotesConf runs a script whose header is bad, with and without a local
// ErrorDocument for its 500, and logs the request's notes: error-notes, one
// nothing sets, and error-notes as ap_expr's note() and env() read them.
const logNotesConf = `LoadModule cgid_module ` + apacheModuleDir + `/mod_cgid.so
` + mainSite + `ScriptAlias /cgi-bin/ @DOCS@/bin/
ScriptAlias /ed/ @DOCS@/bin/
<Directory @DOCS@>
    Require all granted
</Directory>
<Location /ed>
    ErrorDocument 500 /err.txt
</Location>
Header always set X-Note "expr=%{note:error-notes}"
Header always set X-Env "expr=%{env:error-notes}"
LogFormat "%U %>s \"%{error-notes}n\" \"%<{error-notes}n\" \"%>{error-notes}n\" %<{no-such-note}n %{no-such-note}n \"%{X-Note}o\" \"%{X-Env}o\"" notes
CustomLog logs/notes_log notes
`

// TestLogNotes: %{NAME}n logs the request's note as apache2's: the
// error-notes a script's bad header leaves, "-" for a note nothing set, and
// none after an internal redirect to an ErrorDocument (a new request, whose
// notes are empty) but for %<{NAME}n, which logs the original request's;
// ap_expr's note() and env() read the same notes.
func TestLogNotes(t *testing.T) {
	p := startPair(t, 1, logNotesConf, map[string]string{
		"bin/bad.cgi": "#!/bin/sh\nprintf 'Bad header line\\r\\n\\r\\nhi\\n'\n",
		"err.txt":     "error\n",
		"a.txt":       "a\n",
	})
	must(t, os.Chmod(filepath.Join(p.apache.docs, "bin/bad.cgi"), 0o755))
	p.compareEach([]string{
		get("/cgi-bin/bad.cgi", "main.test"),
		get("/ed/bad.cgi", "main.test"),
		get("/a.txt", "main.test"),
	}, (*diffServer).headerAnswer)
	p.checkLogs("notes_log")
}
