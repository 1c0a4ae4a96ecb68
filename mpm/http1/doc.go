// Package http1 is the HTTP/1.x connection engine shared by every MPM: it turns the
// bytes of one accepted connection into *http.Request values, runs a standard
// net/http Handler, and writes the response with apache2's framing, headers and error
// pages.
//
// The engine owns one request at a time and no scheduling. An MPM wraps each accepted
// connection with Server.NewConn and calls Conn.ServeRequest once per request, deciding
// itself how to wait for the next one:
//
//	c := srv.NewConn(nc)                  // 1. StateNew; c owns nc from now on
//	for {
//		keep, err := c.ServeRequest() // 2. StateActive while a request is served
//		if !keep {                    //    (err is informational)
//			break
//		}
//		// 3. StateIdle: prefork and worker simply loop; the event MPM may check
//		//    c.Quiet() (nothing buffered, over TLS in the tls.Conn too), call
//		//    c.Release() and park the socket until it is readable again, or even
//		//    give c up with c.Detach() and serve the next request on
//		//    srv.Resume(nc, idle).
//	}
//	// With Server.WriteCompletion, before 3 (and before closing): if c.Unsent()
//	// is not nil, the MPM writes that rest of the response itself (see Unsent).
//	c.Close() // 4. StateClosed: lingering close, buffers back to the pools
//
// # Behaviour
//
// It follows apache2 2.4.71, checked request by request against /usr/sbin/apache2:
//
//   - Parsing is apache2's strict mode: one SP between the parts of the request line,
//     "HTTP/" DIGIT "." DIGIT, CRLF line ends (a bare LF is 400), tokens as field names
//     (no space before the colon), no control characters in values, obs-fold joined with
//     one space, at most 10 empty lines before a request. HTTP/1.1 needs exactly one
//     valid Host; an absolute-form target's authority replaces it (an empty port is
//     the scheme's; without a path the target is "*" to OPTIONS). A chunked
//     Transfer-Encoding with a (valid) Content-Length is read as chunked, the
//     Content-Length dropped from the request, and the connection closes after the
//     response, as apache2's ap_read_request does; only a handler that reads the body
//     (a script's) reads it then: the engine's discards (DiscardAll, DiscardBody and
//     the one after the handler) leave it unread and send no "100 Continue", as
//     apache2's ap_discard_request_body on a connection it closes.
//   - Limits have apache2's defaults: LimitRequestLine 8190 (414), LimitRequestFieldSize
//     8190 and LimitRequestFields 100 (400 with apache2's note), LimitRequestBody 1 GiB
//     (413). Like apache2, a line of exactly limit+1 bytes is still accepted. A body
//     over LimitRequestBody fails its read (the handler's, or the engine's, below).
//   - As apache2's ap_finalize_request_protocol, the engine reads what the handler left
//     of a request body before a response none of which has gone out (up to 256 KiB;
//     not after a status that closes the connection, nor while the client waits for
//     "100 Continue", though a Content-Length over LimitRequestBody is refused then
//     too): a body that fails then (malformed chunks 400, over LimitRequestBody 413,
//     a timeout 408) is answered instead, with apache2's recursive error page naming
//     the handler's status ("Additionally, a 302 Found error was encountered ...",
//     sent without a Content-Length, the close ending it), or after a 200 as
//     Server.ErrorPage says.
//   - Keep-alive is ap_set_keepalive: HTTP/1.0 needs the keep-alive token and a known
//     length (a HEAD answer has no body to delimit); "Keep-Alive: timeout=T, max=M" and "Connection: Keep-Alive" are sent only
//     to clients that sent the token (apache2 sends neither to a plain HTTP/1.1
//     client); MaxKeepAliveRequests N allows N kept-alive responses, so the response to
//     request N+1 carries "Connection: close"; statuses 400, 408, 411, 413, 414, 500,
//     501 and 503 close; so does a handler's "Connection: close", and draining.
//   - Responses start with Date and Server, then the handler's fields in apache2's order
//     for the usual ones (Last-Modified, ETag, Accept-Ranges, others by name,
//     Content-Length, Content-Range), then Keep-Alive, Connection, Transfer-Encoding and
//     Content-Type. A body that fits 4 KiB and has no length gets a Content-Length; a
//     longer one is chunked (HTTP/1.1) or delimited by the close (HTTP/1.0). HEAD keeps
//     the Content-Length (of what the handler declared or wrote) and sends no body, but
//     never says "Content-Length: 0" (apache2 drops it: a handler may have skipped the
//     body); the error pages answer HEAD without a page, hence without a length, and
//     the connection stays open as after any HEAD; 1xx, 204 and 304 have neither body nor
//     Content-Length nor Content-Type. No Content-Type is guessed (apache2 sends none
//     for an unknown type; net/http would sniff one).
//   - Error pages (WriteError, and the engine's own 400, 408, 413, 414, 417) are
//     byte for byte apache2's, see testdata/apache2-error-pages.txt. The engine's own
//     take the method from the request line even when the rest of the head is refused
//     (as apache2 does), so a refused HEAD gets no page. A request refused as its head
//     is read goes to Server.ErrorPage first (apache2's ap_die: the ErrorDocument of the
//     server the request has by then, see Refused), with the server Server.Identify
//     gives for the Host the engine kept (none before apache2 would read it).
//   - TRACE is answered by the engine for every path, before the handler, as apache2's
//     TraceEnable says (Server.TraceEnable; its zero value is Off, the configuration's
//     default On, as apache2's): 405 with an empty Allow; or an echo of the request
//     line and fields as received, as message/http (413 for a body unless Extended). A
//     refusal is answered by Server.ErrorPage (the server's ErrorDocument) when set. A
//     TRACE of "*" goes to the handler, which answers 400, as apache2. Difference: the
//     echo has a Content-Length (apache2 sends it chunked).
//   - Virtual hosts: Server.Identify names a request's server once its head has parsed,
//     and that Identity's HostConfig (KeepAlive, MaxKeepAliveRequests, ServerSignature,
//     TraceEnable, LimitRequestBody, the body timeout, Timeout for the body and the
//     response, the announced KeepAliveTimeout) holds for the request, as apache2's
//     r->server after ap_update_vhost_from_headers; the first request is waited for and
//     every request line and header read with the limits and Timeout of the connection's
//     Server.BaseIdentity (apache2's c->base_server), and the wait for the next request
//     is the identity's KeepAliveTimeout only if it sets its own, else the base's.
//   - A request body is read with "100 Continue" sent on the handler's first Read (to an
//     HTTP/1.1 client, before any of the response); what the handler leaves unread is
//     discarded up to 256 KiB before the next request, otherwise the connection closes.
//     As apache2's ap_set_keepalive, a request with "Expect: 100-continue" that got no
//     "100 Continue" (HTTP/1.0, no body, a body left unread) closes the connection. As
//     apache2's ap_finalize_request_protocol, the body a 2xx answer left is read after
//     the handler returns, a "100 Continue" first, before the answer goes out, which
//     then keeps the connection, or is replaced by the 400, 413 or 408 of a body that
//     fails; that is only while none of the answer went out: an answer of a declared
//     length waits uncommitted for it up to 4 KiB (apache2 holds 8 KiB of any), and a
//     Content-Length over the 256 KiB drain limit gets no 100 either.
//
// A request line's version may be any "HTTP/x.y" but for x = 0, as apache2's: HTTP/2.0
// or HTTP/3.0 on this connection is served as HTTP/1.1 is (its Host wanted, kept
// alive, the answer chunked, "HTTP/1.1" its status line), its own version in the
// access log's %H and a script's SERVER_PROTOCOL.
//
// Deliberate differences from apache2: HTTP/0.9 requests are refused (400) where
// apache2 (HttpProtocolOptions Allow0.9) serves them; a Transfer-Encoding list
// that ends in chunked is read as chunked, as apache2 reads it, but closes the
// connection after the response when chunked is in it twice or another element is not
// a bare coding name, or on HTTP/1.0 (apache2 keeps it); an unknown Expect gets 417 with
// "Connection: close" (apache2 closes without saying so); request trailers are read and
// discarded; responses carry no trailers; there is no Hijacker (SwitchProtocols hands a
// connection over after a 101, for mod_proxy's tunnel) and no request-context
// cancellation when the client goes away (the context ends with Close).
package http1
