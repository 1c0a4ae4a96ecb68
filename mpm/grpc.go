//go:build !mpmchild

package mpm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/httpd-mpm/httpd-mpm/internal/apconf"
	"github.com/httpd-mpm/httpd-mpm/internal/rpcwire"
	"github.com/httpd-mpm/httpd-mpm/internal/wire"
	"github.com/httpd-mpm/httpd-mpm/mpm/http1"
	"github.com/httpd-mpm/httpd-mpm/mpm/site"
	"github.com/httpd-mpm/httpd-mpm/mpm/static"
	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
	"google.golang.org/protobuf/proto"
)

// server adapts an MPM to the gRPC service. It is the only place in the
// SDK that sees proto types.
type server struct {
	mpmv1.UnimplementedMPMServer
	impl MPM
	log  hclog.Logger
	ctx  context.Context // ends when the host is gone
	pre  *preconfig      // the Preconfig taken at exec, if any
}

// preconfig is what came of the Preconfig the plugin took at exec
// (preconfigure): the diagnostics of its configuration, and its Run.
type preconfig struct {
	diags []Diagnostic
	run   *mpmv1.RunRequest // the Run the acknowledgement starts (diagnostics to print first), or nil
	ran   chan struct{}     // closed once the Run started at exec has returned
	err   error             // its error, once ran is closed
}

var _ mpmv1.MPMServer = (*server)(nil)

func (s *server) Describe(context.Context, *mpmv1.DescribeRequest) (*mpmv1.DescribeResponse, error) {
	d := s.impl.Describe()
	resp := &mpmv1.DescribeResponse{
		Module: d.Module, Name: d.Name, Version: d.Version, Source: d.Source,
		Threaded: d.Threaded, Forked: d.Forked, ApiVersions: []string{wire.APIVersion},
		Features: wire.Features, Preconfigured: s.pre != nil,
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
	var diags []Diagnostic
	if req.GetPreconfigured() {
		if s.pre == nil {
			return nil, errors.New("configure: acknowledges a preconfiguration this plugin did not take")
		}
		diags = s.pre.diags
	} else {
		diags = configure(s.impl, s.log, configFromProto(req))
	}
	resp := &mpmv1.ConfigureResponse{}
	for _, d := range diags {
		sev := mpmv1.Severity_SEVERITY_ERROR
		if d.Severity == SeverityWarning {
			sev = mpmv1.Severity_SEVERITY_WARNING
		}
		resp.Diagnostics = append(resp.Diagnostics, &mpmv1.Diagnostic{Severity: sev, Message: d.Message, File: d.File, Line: int32(d.Line)})
	}
	return resp, nil
}

// configFromProto is the Config a Configure request carries.
func configFromProto(req *mpmv1.ConfigureRequest) *Config {
	cfg := &Config{Core: coreFromProto(req.GetCore()), LogLevel: req.GetLogLevel()}
	for _, st := range req.GetSettings() {
		cfg.Settings = append(cfg.Settings, Setting{Name: st.GetName(), Args: st.GetArgs(), File: st.GetFile(), Line: int(st.GetLine())})
	}
	return cfg
}

func (s *server) Run(ctx context.Context, req *mpmv1.RunRequest) (*mpmv1.RunResponse, error) {
	if req.GetPreconfigured() {
		if s.pre == nil {
			return nil, errors.New("run: acknowledges a preconfiguration this plugin did not take")
		}
		if s.pre.run != nil {
			if err := s.run(s.pre.run); err != nil {
				return nil, err
			}
			return &mpmv1.RunResponse{}, nil
		}
		select {
		case <-s.pre.ran:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if s.pre.err != nil {
			return nil, s.pre.err
		}
		return &mpmv1.RunResponse{}, nil
	}
	if err := s.run(req); err != nil {
		return nil, err
	}
	return &mpmv1.RunResponse{}, nil
}

// run adopts the listeners of req and runs the MPM on them.
func (s *server) run(req *mpmv1.RunRequest) error {
	defer discardEarly() // they were for the children Run starts
	table := make([]fdEntry, 0, len(req.GetListeners()))
	for _, l := range req.GetListeners() {
		table = append(table, fdEntry{uintptr(l.GetFd()), l.GetName(), l.GetNetwork(), l.GetAddress()})
	}
	ls, err := adoptListeners(table)
	if err != nil {
		return err
	}
	for i, l := range req.GetListeners() {
		ls[i].Bucket = int(l.GetBucket())
	}
	return s.impl.Run(s.ctx, ls)
}

// preconfigure takes the Preconfig the host handed over at exec
// (wire.PreconfigEnv), if there is one and the MPM declares each of its
// settings that is not the core's, with a number of arguments in its
// range: it configures the MPM from the settings it declares and, unless
// that gives an error diagnostic, starts its Run, which then overlaps the
// handshake. Otherwise the plugin waits for Configure and Run as without
// one. The host acknowledges a Preconfig taken (Describe says so) with
// Configure and Run requests that carry only `preconfigured`; it ends the
// plugin if its own checks of the configuration, made once Describe has
// told it the MPM's directives, fail.
func (s *server) preconfigure() {
	v, ok := os.LookupEnv(wire.PreconfigEnv)
	if !ok {
		return
	}
	os.Unsetenv(wire.PreconfigEnv)
	pre, err := readPreconfig(v)
	if err != nil {
		s.log.Warn("cannot read the host's preconfiguration; waiting for Configure", "error", err)
		return
	}
	if pre == nil {
		return // the host sent none
	}
	req := pre.GetConfigure()
	if req.GetApiVersion() != wire.APIVersion {
		s.log.Debug("preconfiguration of another API version; waiting for Configure", "version", req.GetApiVersion())
		return
	}
	d := s.impl.Describe()
	if d.Module != pre.GetModule() {
		s.log.Debug("preconfiguration for another module; waiting for Configure", "module", pre.GetModule())
		return
	}
	cfg := configFromProto(req)
	var why string
	if cfg.Settings, why = ownSettings(d, cfg.Settings, pre.GetCoreSettings()); why != "" {
		s.log.Debug("preconfiguration not taken; waiting for Configure", "reason", why)
		return
	}
	p := &preconfig{ran: make(chan struct{}), diags: configure(s.impl, s.log, cfg)}
	s.pre = p
	s.log.Debug("configured from the host's preconfiguration, ahead of the handshake")
	if len(p.diags) > 0 {
		// The host prints them before the MPM runs (and an error ends it):
		// Run waits for its acknowledgement.
		p.run = pre.GetRun()
		return
	}
	go func() {
		defer close(p.ran)
		p.err = s.run(pre.GetRun())
	}()
	// Run starts on this thread now, until it waits (a child's start):
	// the first child's spec is what the first request waits for, and the
	// goroutine otherwise queued behind plugin.Serve's handshake, ~1-2 ms
	// at start on a busy 2-core machine.
	runtime.Gosched()
}

// running says whether preconfigure started the MPM's Run: it took a
// Preconfig that gave no diagnostics.
func (s *server) running() bool { return s.pre != nil && s.pre.run == nil }

// readPreconfig reads the descriptor fd (a decimal number) to its end,
// closes it and decodes the Preconfig it held: nil for nothing.
func readPreconfig(fd string) (*mpmv1.Preconfig, error) {
	n, err := strconv.Atoi(fd)
	if err != nil || n <= LifelineFD {
		return nil, fmt.Errorf("%s=%q: not a descriptor of the host's", wire.PreconfigEnv, fd)
	}
	f := os.NewFile(uintptr(n), "preconfig")
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, rpcwire.MaxConfig+1))
	if err != nil {
		return nil, fmt.Errorf("read descriptor %d: %w", n, err)
	}
	if len(b) > rpcwire.MaxConfig {
		return nil, fmt.Errorf("descriptor %d holds more than %d MiB", n, rpcwire.MaxConfig>>20)
	}
	if len(b) == 0 {
		return nil, nil
	}
	pre := &mpmv1.Preconfig{}
	if err := proto.Unmarshal(b, pre); err != nil {
		return nil, fmt.Errorf("decode descriptor %d: %w", n, err)
	}
	return pre, nil
}

// ownSettings returns the settings that are d's directives, or why the
// Preconfig of settings is not to be taken: one that is not the core's
// (its index is not in core) and not d's, or one of d's with a number of
// arguments out of its range.
func ownSettings(d Description, settings []Setting, core []uint32) ([]Setting, string) {
	var own []Setting
	for i, st := range settings {
		j := slices.IndexFunc(d.Directives, func(dir Directive) bool { return apconf.SameName(dir.Name, st.Name) })
		switch {
		case j < 0 && slices.Contains(core, uint32(i)):
			continue
		case j < 0:
			return nil, fmt.Sprintf("%s (line %d of %s) is not a directive of this MPM", st.Name, st.Line, st.File)
		}
		if lo, hi := d.Directives[j].ArgRange(); len(st.Args) < lo || (hi >= 0 && len(st.Args) > hi) {
			return nil, fmt.Sprintf("%s (line %d of %s) has %d arguments", st.Name, st.Line, st.File, len(st.Args))
		}
		own = append(own, st)
	}
	return own, ""
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
