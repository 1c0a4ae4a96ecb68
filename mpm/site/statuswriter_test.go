package site

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestStatusWriterFlushHeld: an ErrorDocument whose script answers an
// error of its own and flushes (PHP's flush() through mod_proxy_fcgi)
// sends nothing while that error is held back; the error's own page then
// goes out with its status, not the engine's default 200.
func TestStatusWriterFlushHeld(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusNotFound}
		sw.Header().Set("X-Nf", "1")
		sw.WriteHeader(http.StatusNotFound)
		if _, err := sw.Write([]byte("custom\n")); err != nil {
			t.Error(err)
		}
		if err := http.NewResponseController(sw).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		if _, err := sw.Write([]byte("more\n")); err != nil {
			t.Error(err)
		}
		if sw.failed != 0 {
			clear(w.Header())
			w.WriteHeader(sw.status)
			io.WriteString(w, "error page\n")
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/ed/missing")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNotFound || string(body) != "error page\n" || resp.Header.Get("X-Nf") != "" {
		t.Fatalf("got %d %q X-Nf %q, want 404 %q and no X-Nf", resp.StatusCode, body, resp.Header.Get("X-Nf"), "error page\n")
	}
}

// TestStatusWriterFlushMapped: a document answering 200 that flushes
// sends the error's status.
func TestStatusWriterFlushMapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusServiceUnavailable}
		io.WriteString(sw, "part\n")
		if err := http.NewResponseController(sw).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		io.WriteString(sw, "rest\n")
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || string(body) != "part\nrest\n" {
		t.Fatalf("got %d %q, want 503 %q", resp.StatusCode, body, "part\nrest\n")
	}
}
