package main

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm/mpmtest"
)

func TestConformance(t *testing.T) {
	mpmtest.Run(t, mpmtest.Build(t, "."), mpmtest.Options{})
}
