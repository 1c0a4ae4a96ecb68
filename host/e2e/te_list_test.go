package e2e_test

import "testing"

// TestTransferEncodingListParity: apache2 reads a request body as chunked
// when its Transfer-Encoding, the fields merged, ends in chunked (any case,
// after a comma): "gzip, chunked", "identity, chunked", two fields "gzip" and
// "chunked", and keeps the connection; one that does not ("chunked, gzip",
// "gzip", "gzip chunked", "chunked;q=1", two fields "chunked" and "gzip") is
// a 400 that closes; with a Content-Length too the connection closes after
// the answer (expect). Not compared: "chunked, chunked", a coding with
// parameters and HTTP/1.0, which apache2 keeps and ours closes after.
func TestTransferEncodingListParity(t *testing.T) {
	p := startPair(t, 1, `ServerName main.test
Listen 127.0.0.1:@P0@
DocumentRoot @DOCS@
KeepAlive On
`, map[string]string{"x.txt": "x\n", "y.txt": "y\n"})
	next := "GET /y.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n"
	const body = "3\r\nabc\r\n0\r\n\r\n"
	ask := func(fields ...string) string {
		return rawRequest("GET /x.txt HTTP/1.1", append([]string{"Host: main.test"}, fields...)...) + body
	}
	for _, te := range []string{"chunked", "Chunked", "gzip, chunked", "gzip,chunked", "identity, chunked", "gzip , chunked", "gzip, deflate, CHUNKED",
		"chunked, gzip", "chunked,", "gzip", "xchunked", "gzip chunked", "chunked;q=1", "chunked, identity"} {
		p.checkFraming("Transfer-Encoding: "+te, ask("Transfer-Encoding: "+te), next)
		p.checkFraming("Transfer-Encoding: "+te+", Content-Length", ask("Transfer-Encoding: "+te, "Content-Length: 3"), next)
	}
	p.checkFraming("two fields, gzip then chunked", ask("Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), next)
	p.checkFraming("two fields, chunked then gzip", ask("Transfer-Encoding: chunked", "Transfer-Encoding: gzip"), next)
	p.checkFraming("two fields, gzip then chunked, Content-Length", ask("Transfer-Encoding: gzip", "Transfer-Encoding: chunked", "Content-Length: 3"), next)
}
