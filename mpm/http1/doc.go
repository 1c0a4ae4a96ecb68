// Package http1 is the HTTP/1.x connection engine shared by every MPM: it turns the
// bytes of one accepted connection into *http.Request values, runs a standard
// net/http Handler, and writes the response with apache2's framing, headers and error
// pages.
//
// The engine owns one request at a time and no scheduling. An MPM wraps each accepted
// connection with Server.NewConn and calls Conn.ServeRequest once per request, deciding
// itself how to wait for the next one:
//
//	c := srv.NewConn(nc)        // 1. StateNew
//	for {
//		keep, err := c.ServeRequest() // 2. StateActive while a request is served
//		if !keep {                   //    (err is informational)
//			break
//		}
//		// 3. StateIdle: prefork/worker simply loop; the event MPM may check
//		//    c.Buffered(), call c.Release() and park the socket in epoll until
//		//    it is readable again.
//	}
//	c.Close()                   // 4. StateClosed: lingering close, buffers back to the pools
//
// Behaviour follows apache2 2.4.71 (checked against /usr/sbin/apache2): strict request
// line and header parsing (single spaces, CRLF line ends, tokens as field names, no
// control characters), LimitRequestLine/FieldSize/Fields/Body with Apache's defaults,
// Host validation, the keep-alive decision of ap_set_keepalive (HTTP/1.0 needs the
// keep-alive token; "Keep-Alive: timeout=N, max=M" is sent only to clients that sent
// the token, as apache2 does; statuses 400, 408, 411, 413, 414, 500, 501 and 503 close),
// the header order of apache2 for the common headers, and its error pages (WriteError).
//
// Deliberate differences from apache2: HTTP/0.9 requests and HTTP major versions other
// than 1 are refused (400, 505) where apache2 serves them; a request with both
// Transfer-Encoding and Content-Length is refused with 400 (apache2 ignores the
// Content-Length and closes afterwards); request trailers are read and discarded;
// responses carry no trailers; the Hijacker interface is not offered.
package http1
