package launch

import (
	"github.com/httpd-mpm/httpd-mpm/mpm"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

func descFromProto(d *mpmv1.DescribeResponse) mpm.Description {
	desc := mpm.Description{
		Module: d.GetModule(), Name: d.GetName(), Source: d.GetSource(), Version: d.GetVersion(),
		Threaded: d.GetThreaded(), Forked: d.GetForked(),
	}
	for _, dir := range d.GetDirectives() {
		desc.Directives = append(desc.Directives, mpm.Directive{
			Name: dir.GetName(), Kind: argKindFromProto(dir.GetKind()), Default: dir.GetDefaultValue(),
			Min: dir.GetMin(), Max: dir.GetMax(), Help: dir.GetHelp(),
			MinArgs: int(dir.GetMinArgs()), MaxArgs: int(dir.GetMaxArgs()),
		})
	}
	return desc
}

func argKindFromProto(k mpmv1.ArgKind) mpm.ArgKind {
	switch k {
	case mpmv1.ArgKind_ARG_KIND_INT:
		return mpm.KindInt
	case mpmv1.ArgKind_ARG_KIND_FLOAT:
		return mpm.KindFloat
	case mpmv1.ArgKind_ARG_KIND_FLAG:
		return mpm.KindFlag
	default:
		return mpm.KindString
	}
}

func credentialToProto(c *mpm.Credential) *mpmv1.Credential {
	if c == nil {
		return nil
	}
	return &mpmv1.Credential{Uid: c.Uid, Gid: c.Gid, Groups: c.Groups}
}

func coreToProto(c mpm.Core) *mpmv1.Core {
	return &mpmv1.Core{
		ServerRoot: c.ServerRoot, ServerName: c.ServerName, DocumentRoot: c.DocumentRoot,
		DirectoryIndex: c.DirectoryIndex, TypesConfig: c.TypesConfig, AddTypes: c.AddTypes,
		KeepAlive: c.KeepAlive, KeepAliveTimeoutMs: c.KeepAliveTimeout.Milliseconds(),
		MaxKeepAliveRequests: int32(c.MaxKeepAliveRequests), TimeoutMs: c.Timeout.Milliseconds(),
		User: c.User, Group: c.Group, Software: c.Software,
		MaxConnectionsPerChild:    int64(c.MaxConnectionsPerChild),
		GracefulShutdownTimeoutMs: c.GracefulShutdownTimeout.Milliseconds(),
		ServerBuilt:               c.ServerBuilt,
		ExtendedStatus:            c.ExtendedStatus,
		Handlers:                  handlersToProto(c.Handlers),
		ServerAdmin:               c.ServerAdmin,
		ServerBanner:              c.Banner,
		ServerSignature:           mpmv1.ServerSignature(c.ServerSignature),
		TraceEnable:               mpmv1.TraceEnable(c.TraceEnable),
		FileEtag:                  uint32(c.FileETag),
		LimitRequestLine:          int32(c.LimitRequestLine),
		LimitRequestFieldSize:     int32(c.LimitRequestFieldSize),
		LimitRequestFields:        int32(c.LimitRequestFields),
		LimitRequestBody:          c.LimitRequestBody,
		BodyTimeoutMs:             c.BodyTimeout.Milliseconds(),
		BodyMinRate:               int32(c.BodyMinRate),
		Credential:                credentialToProto(c.Credential),
		AccessLogs:                accessLogsToProto(c.AccessLogs),
		ServerDirectives:          directivesToProto(c.ServerDirectives),
		Sections:                  sectionsToProto(c.Sections),
		OneProcess:                c.OneProcess,
		VirtualHosts:              vhostsToProto(c.VirtualHosts),
		ErrorLog:                  errorLogToProto(c.ErrorLog),
		Tls:                       tlsToProto(c.TLS),
	}
}

func vhostsToProto(vs []mpm.VirtualHost) []*mpmv1.VirtualHost {
	var out []*mpmv1.VirtualHost
	for _, v := range vs {
		p := &mpmv1.VirtualHost{
			ServerName: v.ServerName, ServerAliases: v.ServerAliases, DocumentRoot: v.DocumentRoot,
			ServerAdmin: v.ServerAdmin, ServerDirectives: directivesToProto(v.ServerDirectives),
			Sections: sectionsToProto(v.Sections), AccessLogs: accessLogsToProto(v.AccessLogs),
			File: v.File, Line: int32(v.Line), Handlers: handlersToProto(v.Handlers),
			ErrorLog: errorLogToProto(v.ErrorLog), LogLevel: v.LogLevel, Tls: tlsToProto(v.TLS),
			Settings: &mpmv1.VirtualHostSettings{
				AddTypes: v.AddTypes, KeepAlive: v.KeepAlive, MaxKeepAliveRequests: int32(v.MaxKeepAliveRequests),
				ServerSignature: mpmv1.ServerSignature(v.ServerSignature), TraceEnable: mpmv1.TraceEnable(v.TraceEnable),
				LimitRequestBody: v.LimitRequestBody,
				BodyTimeoutMs:    v.BodyTimeout.Milliseconds(), BodyMinRate: int32(v.BodyMinRate),
				LimitRequestLine: int32(v.LimitRequestLine), LimitRequestFieldSize: int32(v.LimitRequestFieldSize),
				LimitRequestFields: int32(v.LimitRequestFields),
				TimeoutMs:          v.Timeout.Milliseconds(), KeepAliveTimeoutMs: v.KeepAliveTimeout.Milliseconds(),
				OwnKeepAliveTimeout: v.OwnKeepAliveTimeout,
			},
		}
		for _, a := range v.Addrs {
			p.Addrs = append(p.Addrs, &mpmv1.VirtualHostAddr{Ip: a.IP, Port: int32(a.Port), Name: a.Name})
		}
		out = append(out, p)
	}
	return out
}

// errorLogToProto is l, nil when it is unset.
func errorLogToProto(l mpm.ErrorLog) *mpmv1.ErrorLog {
	if l.FD == 0 {
		return nil
	}
	return &mpmv1.ErrorLog{Target: l.Target, Fd: uint32(l.FD)}
}

func accessLogsToProto(ls []mpm.AccessLog) []*mpmv1.AccessLog {
	var out []*mpmv1.AccessLog
	for _, l := range ls {
		out = append(out, &mpmv1.AccessLog{Target: l.Target, Format: l.Format, Condition: l.Condition, Fd: uint32(l.FD)})
	}
	return out
}

func directivesToProto(ds []site.Directive) []*mpmv1.Setting {
	var out []*mpmv1.Setting
	for _, d := range ds {
		out = append(out, &mpmv1.Setting{Name: d.Name, Args: d.Args, File: d.File, Line: int32(d.Line), Seq: int32(d.Seq)})
	}
	return out
}

func sectionsToProto(ss []site.Section) []*mpmv1.Section {
	var out []*mpmv1.Section
	for _, s := range ss {
		out = append(out, &mpmv1.Section{Kind: s.Kind, Pattern: s.Pattern, Regex: s.Regex,
			Directives: directivesToProto(s.Directives), Sections: sectionsToProto(s.Sections),
			File: s.File, Line: int32(s.Line), Seq: int32(s.Seq)})
	}
	return out
}

func handlersToProto(hs []mpm.Handler) []*mpmv1.Handler {
	var out []*mpmv1.Handler
	for _, h := range hs {
		out = append(out, &mpmv1.Handler{Path: h.Path, Name: h.Name})
	}
	return out
}

func statusFromProto(s *mpmv1.Status) mpm.Status {
	st := mpm.Status{
		Processes: int(s.GetProcesses()), BusyWorkers: int(s.GetBusyWorkers()), IdleWorkers: int(s.GetIdleWorkers()),
		TotalAccesses: s.GetTotalAccesses(), TotalBytes: s.GetTotalBytes(), Scoreboard: s.GetScoreboard(),
	}
	for _, pid := range s.GetPids() {
		st.Pids = append(st.Pids, int(pid))
	}
	return st
}

func tlsToProto(t *mpm.TLS) *mpmv1.TLS {
	if t == nil {
		return nil
	}
	out := &mpmv1.TLS{Certificate: t.Certificate, Key: t.Key, MinVersion: uint32(t.MinVersion),
		MaxVersion: uint32(t.MaxVersion), HonorCipherOrder: t.HonorCipherOrder, Name: t.Name,
		VerifyClient: int32(t.VerifyClient), VerifyDepth: int32(t.VerifyDepth), CaCertificates: t.CACertificates,
		SessionCache: t.SessionCache, SessionTicketsOff: t.SessionTicketsOff}
	for _, c := range t.CipherSuites {
		out.CipherSuites = append(out.CipherSuites, uint32(c))
	}
	return out
}
