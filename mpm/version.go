package mpm

import "github.com/httpd-mpm/httpd-mpm/internal/wire"

// APIVersion is the MPM API version this SDK speaks. [Serve] declares it
// to the host in Describe; a host that does not speak it refuses the plugin
// and names both versions.
const APIVersion = wire.APIVersion
