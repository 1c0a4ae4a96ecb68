package mpm

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"

	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
)

// NewHTTPServer builds the HTTP/1.1 engine for the configuration: static
// files from DocumentRoot with DirectoryIndex and the MIME types of
// TypesConfig plus AddType. The MPM decides how connections wait; see
// package http1. A missing TypesConfig is not fatal (no types, as Apache
// would refuse to start; the host checks it first).
func NewHTTPServer(cfg *Config) (*http1.Server, error) {
	types := map[string]string{}
	if cfg.Core.TypesConfig != "" {
		t, err := static.LoadTypes(cfg.Core.TypesConfig)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("TypesConfig %s: %w", cfg.Core.TypesConfig, err)
		}
		types = t
		if types == nil {
			types = map[string]string{}
		}
	}
	maps.Copy(types, cfg.Core.AddTypes)
	h := &static.Handler{
		DocumentRoot:   cfg.Core.DocumentRoot,
		DirectoryIndex: cfg.Core.DirectoryIndex,
		Types:          types,
	}
	srv := &http1.Server{
		Handler:              h,
		Timeout:              cfg.Core.Timeout,
		KeepAlive:            cfg.Core.KeepAlive,
		KeepAliveTimeout:     cfg.Core.KeepAliveTimeout,
		MaxKeepAliveRequests: cfg.Core.MaxKeepAliveRequests,
		ServerName:           cfg.Core.ServerName,
		Software:             cfg.Core.Software,
	}
	if cfg.Log != nil {
		log := cfg.Log
		srv.ErrorLog = func(format string, args ...any) { log.Error(fmt.Sprintf(format, args...)) }
	}
	return srv, nil
}
