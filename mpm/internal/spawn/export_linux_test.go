package spawn

var (
	ParseCredential    = parseCredential
	PlainlyTrusted     = plainlyTrusted
	ParentCapabilities = uint64(parentCapabilities)
	CapabilitiesKept   = capabilitiesKept
)
