//go:build !mpmchild

package mpm

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

// server adapts an MPM to the gRPC service. It is the only place in the
// SDK that sees proto types.
type server struct {
	mpmv1.UnimplementedMPMServer
	impl MPM
	log  hclog.Logger
	ctx  context.Context // ends when the host is gone
}

var _ mpmv1.MPMServer = (*server)(nil)

func (s *server) Describe(context.Context, *mpmv1.DescribeRequest) (*mpmv1.DescribeResponse, error) {
	d := s.impl.Describe()
	resp := &mpmv1.DescribeResponse{
		Module: d.Module, Name: d.Name, Version: d.Version, Source: d.Source,
		Threaded: d.Threaded, Forked: d.Forked, ApiVersions: []string{wire.APIVersion},
		Features: wire.Features,
	}
	for _, dir := range d.Directives {
		lo, hi := dir.ArgRange()
		resp.Directives = append(resp.Directives, &mpmv1.Directive{
			Name: dir.Name, Kind: argKindToProto(dir.Kind), DefaultValue: dir.Default,
			Min: dir.Min, Max: dir.Max, Help: dir.Help, MinArgs: int32(lo), MaxArgs: int32(hi),
		})
	}
	return resp, nil
}

func (s *server) Configure(_ context.Context, req *mpmv1.ConfigureRequest) (*mpmv1.ConfigureResponse, error) {
	if req.GetApiVersion() != wire.APIVersion {
		return nil, fmt.Errorf("api version %q not supported (plugin speaks %s)", req.GetApiVersion(), wire.APIVersion)
	}
	cfg := &Config{Core: coreFromProto(req.GetCore()), LogLevel: req.GetLogLevel()}
	for _, st := range req.GetSettings() {
		cfg.Settings = append(cfg.Settings, Setting{Name: st.GetName(), Args: st.GetArgs(), File: st.GetFile(), Line: int(st.GetLine())})
	}
	resp := &mpmv1.ConfigureResponse{}
	for _, d := range configure(s.impl, s.log, cfg) {
		sev := mpmv1.Severity_SEVERITY_ERROR
		if d.Severity == SeverityWarning {
			sev = mpmv1.Severity_SEVERITY_WARNING
		}
		resp.Diagnostics = append(resp.Diagnostics, &mpmv1.Diagnostic{Severity: sev, Message: d.Message, File: d.File, Line: int32(d.Line)})
	}
	return resp, nil
}

func (s *server) Run(_ context.Context, req *mpmv1.RunRequest) (*mpmv1.RunResponse, error) {
	defer discardEarly() // they were for the children Run starts
	table := make([]fdEntry, 0, len(req.GetListeners()))
	for _, l := range req.GetListeners() {
		table = append(table, fdEntry{uintptr(l.GetFd()), l.GetName(), l.GetNetwork(), l.GetAddress()})
	}
	ls, err := adoptListeners(table)
	if err != nil {
		return nil, err
	}
	for i, l := range req.GetListeners() {
		ls[i].Bucket = int(l.GetBucket())
	}
	if err := s.impl.Run(s.ctx, ls); err != nil {
		return nil, err
	}
	return &mpmv1.RunResponse{}, nil
}

func (s *server) Watch(_ *mpmv1.WatchRequest, stream mpmv1.MPM_WatchServer) error {
	return watch(stream.Context(), s.impl, func(st Status) error {
		return stream.Send(&mpmv1.Event{UnixNano: time.Now().UnixNano(), Kind: &mpmv1.Event_Status{Status: statusToProto(st)}})
	})
}

func (s *server) Stop(ctx context.Context, req *mpmv1.StopRequest) (*mpmv1.StopResponse, error) {
	stopCtx := context.WithoutCancel(ctx)
	if ms := req.GetTimeoutMs(); ms > 0 {
		var cancel context.CancelFunc
		stopCtx, cancel = context.WithTimeout(stopCtx, time.Duration(ms)*time.Millisecond)
		defer cancel()
	}
	if err := s.impl.Stop(stopCtx, req.GetGraceful()); err != nil {
		return nil, err
	}
	_ = os.Stdout.Sync()
	return &mpmv1.StopResponse{}, nil
}

func statusToProto(st Status) *mpmv1.Status {
	p := &mpmv1.Status{
		Processes: int32(st.Processes), BusyWorkers: int32(st.BusyWorkers), IdleWorkers: int32(st.IdleWorkers),
		TotalAccesses: st.TotalAccesses, TotalBytes: st.TotalBytes, Scoreboard: st.Scoreboard,
	}
	for _, pid := range st.Pids {
		p.Pids = append(p.Pids, int32(pid))
	}
	return p
}

func argKindToProto(k ArgKind) mpmv1.ArgKind {
	switch k {
	case KindInt:
		return mpmv1.ArgKind_ARG_KIND_INT
	case KindFloat:
		return mpmv1.ArgKind_ARG_KIND_FLOAT
	case KindFlag:
		return mpmv1.ArgKind_ARG_KIND_FLAG
	default:
		return mpmv1.ArgKind_ARG_KIND_STRING
	}
}

func coreFromProto(c *mpmv1.Core) Core {
	core := Core{
		ServerRoot: c.GetServerRoot(), ServerName: c.GetServerName(), DocumentRoot: c.GetDocumentRoot(),
		DirectoryIndex: c.GetDirectoryIndex(), TypesConfig: c.GetTypesConfig(), AddTypes: c.GetAddTypes(),
		KeepAlive: c.GetKeepAlive(), KeepAliveTimeout: time.Duration(c.GetKeepAliveTimeoutMs()) * time.Millisecond,
		MaxKeepAliveRequests: int(c.GetMaxKeepAliveRequests()), Timeout: time.Duration(c.GetTimeoutMs()) * time.Millisecond,
		User: c.GetUser(), Group: c.GetGroup(), Software: c.GetSoftware(),
		MaxConnectionsPerChild:  int(c.GetMaxConnectionsPerChild()),
		GracefulShutdownTimeout: time.Duration(c.GetGracefulShutdownTimeoutMs()) * time.Millisecond,
		ServerBuilt:             c.GetServerBuilt(),
		ExtendedStatus:          c.GetExtendedStatus(),
		Handlers:                handlersFromProto(c.GetHandlers()),
		ServerAdmin:             c.GetServerAdmin(),
		Banner:                  c.GetServerBanner(),
		ServerSignature:         http1.Signature(c.GetServerSignature()),
		TraceEnable:             http1.Trace(c.GetTraceEnable()),
		FileETag:                static.FileETag(c.GetFileEtag()),
		LimitRequestLine:        int(c.GetLimitRequestLine()),
		LimitRequestFieldSize:   int(c.GetLimitRequestFieldSize()),
		LimitRequestFields:      int(c.GetLimitRequestFields()),
		LimitRequestBody:        c.GetLimitRequestBody(),
		BodyTimeout:             time.Duration(c.GetBodyTimeoutMs()) * time.Millisecond,
		BodyMinRate:             int(c.GetBodyMinRate()),
		Credential:              credentialFromProto(c.GetCredential()),
		AccessLogs:              accessLogsFromProto(c.GetAccessLogs()),
		ServerDirectives:        directivesFromProto(c.GetServerDirectives()),
		Sections:                sectionsFromProto(c.GetSections()),
		OneProcess:              c.GetOneProcess(),
		ErrorLog:                errorLogFromProto(c.GetErrorLog()),
		TLS:                     tlsFromProto(c.GetTls()),
	}
	core.VirtualHosts = vhostsFromProto(c.GetVirtualHosts(), &core)
	return core
}

// vhostsFromProto reads the virtual hosts; one without settings (from an
// older host) takes main's.
func vhostsFromProto(vs []*mpmv1.VirtualHost, main *Core) []VirtualHost {
	var out []VirtualHost
	for _, p := range vs {
		v := VirtualHost{
			ServerName: p.GetServerName(), ServerAliases: p.GetServerAliases(), DocumentRoot: p.GetDocumentRoot(),
			ServerAdmin: p.GetServerAdmin(), ServerDirectives: directivesFromProto(p.GetServerDirectives()),
			Sections: sectionsFromProto(p.GetSections()), AccessLogs: accessLogsFromProto(p.GetAccessLogs()),
			File: p.GetFile(), Line: int(p.GetLine()), Handlers: handlersFromProto(p.GetHandlers()),
			AddTypes: main.AddTypes, HostConfig: main.hostConfig(),
			ErrorLog: errorLogFromProto(p.GetErrorLog()), LogLevel: p.GetLogLevel(),
			TLS: tlsFromProto(p.GetTls()),
		}
		if st := p.GetSettings(); st != nil {
			v.AddTypes, v.KeepAlive, v.MaxKeepAliveRequests = st.GetAddTypes(), st.GetKeepAlive(), int(st.GetMaxKeepAliveRequests())
			v.ServerSignature, v.TraceEnable = http1.Signature(st.GetServerSignature()), http1.Trace(st.GetTraceEnable())
			v.LimitRequestBody = st.GetLimitRequestBody()
			v.BodyTimeout, v.BodyMinRate = time.Duration(st.GetBodyTimeoutMs())*time.Millisecond, int(st.GetBodyMinRate())
			v.LimitRequestLine, v.LimitRequestFieldSize = int(st.GetLimitRequestLine()), int(st.GetLimitRequestFieldSize())
			v.LimitRequestFields = int(st.GetLimitRequestFields())
			if t := st.GetTimeoutMs(); t > 0 {
				v.Timeout = time.Duration(t) * time.Millisecond
			}
			if t := st.GetKeepAliveTimeoutMs(); t > 0 {
				v.KeepAliveTimeout = time.Duration(t) * time.Millisecond
			}
			v.OwnKeepAliveTimeout = st.GetOwnKeepAliveTimeout()
		}
		for _, a := range p.GetAddrs() {
			v.Addrs = append(v.Addrs, VirtualHostAddr{IP: a.GetIp(), Port: int(a.GetPort()), Name: a.GetName()})
		}
		out = append(out, v)
	}
	return out
}

func credentialFromProto(c *mpmv1.Credential) *Credential {
	if c == nil {
		return nil
	}
	return &Credential{Uid: c.GetUid(), Gid: c.GetGid(), Groups: c.GetGroups()}
}

func handlersFromProto(hs []*mpmv1.Handler) []Handler {
	var out []Handler
	for _, h := range hs {
		out = append(out, Handler{Path: h.GetPath(), Name: h.GetName()})
	}
	return out
}

func directivesFromProto(ss []*mpmv1.Setting) []site.Directive {
	var out []site.Directive
	for _, s := range ss {
		out = append(out, site.Directive{Name: s.GetName(), Args: s.GetArgs(), File: s.GetFile(), Line: int(s.GetLine()), Seq: int(s.GetSeq())})
	}
	return out
}

func sectionsFromProto(ss []*mpmv1.Section) []site.Section {
	var out []site.Section
	for _, s := range ss {
		out = append(out, site.Section{Kind: s.GetKind(), Pattern: s.GetPattern(), Regex: s.GetRegex(),
			Directives: directivesFromProto(s.GetDirectives()), Sections: sectionsFromProto(s.GetSections()),
			File: s.GetFile(), Line: int(s.GetLine()), Seq: int(s.GetSeq())})
	}
	return out
}

func errorLogFromProto(l *mpmv1.ErrorLog) ErrorLog {
	return ErrorLog{Target: l.GetTarget(), FD: int(l.GetFd())}
}

func accessLogsFromProto(ls []*mpmv1.AccessLog) []AccessLog {
	var out []AccessLog
	for _, l := range ls {
		out = append(out, AccessLog{Target: l.GetTarget(), Format: l.GetFormat(), Condition: l.GetCondition(), FD: int(l.GetFd())})
	}
	return out
}

func tlsFromProto(t *mpmv1.TLS) *TLS {
	if t == nil {
		return nil
	}
	out := &TLS{Certificate: t.GetCertificate(), Key: t.GetKey(), MinVersion: uint16(t.GetMinVersion()),
		MaxVersion: uint16(t.GetMaxVersion()), HonorCipherOrder: t.GetHonorCipherOrder(), Name: t.GetName(),
		VerifyClient: int(t.GetVerifyClient()), VerifyDepth: int(t.GetVerifyDepth()), CACertificates: t.GetCaCertificates(),
		SessionCache: t.GetSessionCache(), SessionTicketsOff: t.GetSessionTicketsOff()}
	for _, c := range t.GetCipherSuites() {
		out.CipherSuites = append(out.CipherSuites, uint16(c))
	}
	return out
}
