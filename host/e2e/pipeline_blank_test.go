package e2e_test

import (
	"strings"
	"testing"
)

// TestPipelinedBlankLines: blank lines (a bare LF, CRLF) that follow a
// request in what the client sent are skipped before the next pipelined
// one, as apache2's ap_check_pipeline does, up to ten; an eleventh closes
// the connection after the response. mod_logio counts them for the next
// request as apache2's reads do (%I: 2 bytes an LF, 5 a CRLF; a CR
// without an LF is the next request's, a bad one, whose %I counts the
// two bytes apache2 read to look past that CR; ours did not).
func TestPipelinedBlankLines(t *testing.T) {
	p := startPair(t, 1, mainSite+"KeepAlive On\nLogFormat \"%r|%s|%I\" blank\nCustomLog logs/blank_log blank\n", map[string]string{"a.txt": "a\n"})
	first := "GET /a.txt HTTP/1.1\r\nHost: main.test\r\n\r\n"
	next := "GET /a.txt?next HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	var drs []diffRequest
	for _, blank := range []string{"\n", "\r\n\r\n", "\n\r\n\n", strings.Repeat("\n", 10), strings.Repeat("\n", 11), strings.Repeat("\r\n", 11),
		"\r\r\n", "\r\n\r\r\n", "\rGET"} {
		drs = append(drs, diffRequest{Raw: first + blank + next, Connection: true})
	}
	p.check(drs)
	p.checkLogs("blank_log")
}
