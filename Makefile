# httpd-mpm: build, run, test. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
PROTOC_VERSION             := 3.21.12
TOOLS := $(CURDIR)/.tools
MPMS  := prefork worker event

# Which MPMs, as Apache's configure picks them:
#   MPM=NAME            link NAME into bin/httpd, run in-process (--with-mpm=NAME)
#   MPMS_SHARED=all|"a b"  build those as plugins in modules/ (--enable-mpms-shared);
#                       all by default, none by default with MPM= set.
# conf/httpd.conf, the config `make run` serves, is examples/httpd.conf with
# the MPM line for this build: none for a linked-in MPM, else the plugins'
# LoadModule lines with all but the default commented out. The default is
# the platform's by Apache's rule (internal/defaultmpm: event with epoll or
# kqueue, worker with threads only, prefork with neither) if it is built,
# else the first plugin built.
MPM ?=
ifeq ($(MPM),)
MPMS_SHARED ?= all
else
MPMS_SHARED ?=
endif
ifneq ($(filter-out $(MPMS),$(MPM)),)
$(error MPM=$(MPM): one of $(MPMS))
endif
ifneq ($(words $(MPM)),$(filter 0 1,$(words $(MPM))))
$(error MPM=$(MPM): one MPM only)
endif
SHARED := $(if $(filter all,$(MPMS_SHARED)),$(MPMS),$(MPMS_SHARED))
ifneq ($(filter-out $(MPMS),$(SHARED)),)
$(error MPMS_SHARED=$(MPMS_SHARED): all or a list of $(MPMS))
endif
ifeq ($(MPM)$(SHARED),)
$(error MPM= and MPMS_SHARED= leave no MPM to build)
endif
# Build tags of every program that links gRPC (the host, the plugins):
# grpcnotrace leaves golang.org/x/net/trace (gRPC's optional request
# tracing, off by default, and the HTTP handlers it registers) out of
# them, a binary ~0.6-4 MB smaller with less to initialise at each start.
# internal/wire.BuildTags is the same for the binaries tests and tools build.
GOTAGS := grpcnotrace
comma := ,
space := $(subst ,, )
# Evaluated only where used; the rule runs on the build machine for the target's GOOS.
DEFAULT_MPM = $(shell env -u GOOS -u GOARCH $(GO) run ./internal/defaultmpm $$($(GO) env GOOS))

.PHONY: all build conf run test cross test-go test-example fuzz test-systemd test-deps proto check-proto bench profile robust help clean

all: build ## build bin/httpd and modules/mod_mpm_*.so with their .child programs (MPM=NAME links one in; MPMS_SHARED=all|list)

# The host and the built-in MPM plugins are built without cgo: a static
# binary starts ~2 ms sooner (no ld.so, no libc), and the host, the plugin
# and each of its children start one after the other before the first
# request is served. User and Group are still looked up as glibc's NSS
# does (internal/nss: the files where nsswitch.conf lets them decide, else
# getent), by the host, which hands the result to the plugin
# (mpm.Core.Credential).
build: ## build the host (MPM=NAME: with NAME linked in), the MPM plugins (MPMS_SHARED) and conf/httpd.conf
	@echo "==> Building bin/httpd$(if $(MPM), with the $(MPM) MPM linked in)$(if $(SHARED), and modules/ ($(SHARED)))"
	@mkdir -p bin modules
	CGO_ENABLED=0 $(GO) build -tags $(subst $(space),$(comma),$(strip $(GOTAGS) $(if $(MPM),mpm_$(MPM)))) -ldflags "-X github.com/httpd-mpm/httpd-mpm/host.Built=$$(date -u +%Y-%m-%dT%H:%M:%S)" -o bin/httpd ./cmd/httpd
	$(if $(MPM),CGO_ENABLED=0 $(GO) build -tags mpmchild -o bin/mod_mpm_$(MPM).child ./plugins/$(MPM)/child)
	@for m in $(SHARED); do \
		echo "CGO_ENABLED=0 $(GO) build -tags $(GOTAGS) -o modules/mod_mpm_$$m.so ./plugins/$$m"; CGO_ENABLED=0 $(GO) build -tags $(GOTAGS) -o modules/mod_mpm_$$m.so ./plugins/$$m || exit 1; \
		echo "CGO_ENABLED=0 $(GO) build -tags mpmchild -o modules/mod_mpm_$$m.child ./plugins/$$m/child"; CGO_ENABLED=0 $(GO) build -tags mpmchild -o modules/mod_mpm_$$m.child ./plugins/$$m/child || exit 1; \
	done
	$(if $(SHARED),$(GO) -C examples/mpm-percore build -tags $(GOTAGS) -o $(CURDIR)/modules/mod_mpm_percore.so .)
	@$(MAKE) --no-print-directory conf

# conf/.httpd.conf.made is what make last wrote: a conf/httpd.conf that
# differs from it was edited, and make keeps it (one written by a make from
# before that record, by its first line, counts as make's own).
conf: ## write conf/httpd.conf: examples/httpd.conf with this build's MPM line (an edited one is kept)
	@mkdir -p conf
	@if [ -n "$(MPM)" ]; then \
		lines="# The $(MPM) MPM is linked into bin/httpd (make MPM=$(MPM)): no LoadModule; httpd -l lists it."; \
	else \
		def=$(DEFAULT_MPM); case " $(SHARED) " in *" $$def "*) ;; *) def=$(firstword $(SHARED));; esac; \
		lines="# The platform's default MPM is $(DEFAULT_MPM); built as plugins: $(SHARED)."; \
		for m in $(SHARED); do c='#'; [ $$m = $$def ] && c=; lines="$$lines\n$${c}LoadModule mpm_$${m}_module modules/mod_mpm_$$m.so"; done; \
	fi; \
	awk -v lines="$$lines" 'BEGIN { print "# Written by make from examples/httpd.conf for this build (MPM=$(MPM) MPMS_SHARED=$(MPMS_SHARED))." } \
		/^LoadModule mpm_/ { print lines; next } { print }' examples/httpd.conf > conf/.httpd.conf.new; \
	if [ ! -e conf/.httpd.conf.made ] && head -1 conf/httpd.conf 2>/dev/null | grep -q '^# Written by make from examples/httpd.conf'; then \
		cp conf/httpd.conf conf/.httpd.conf.made; \
	fi; \
	if [ ! -e conf/httpd.conf ] || cmp -s conf/httpd.conf conf/.httpd.conf.made || cmp -s conf/httpd.conf conf/.httpd.conf.new; then \
		cp conf/.httpd.conf.new conf/httpd.conf; mv conf/.httpd.conf.new conf/.httpd.conf.made; rm -f conf/httpd.conf.new; \
		echo "==> conf/httpd.conf: $$(grep -E '^(LoadModule mpm_|# The .* linked)' conf/httpd.conf)"; \
	elif cmp -s conf/.httpd.conf.new conf/.httpd.conf.made; then \
		rm -f conf/.httpd.conf.new conf/httpd.conf.new; echo "==> conf/httpd.conf: kept (edited)"; \
	else \
		mv conf/.httpd.conf.new conf/httpd.conf.new; \
		echo "==> conf/httpd.conf: kept (edited); this build's would be conf/httpd.conf.new (rm conf/httpd.conf to take it)"; \
	fi

run: build ## build, then serve examples/htdocs on 127.0.0.1:8080 in the foreground (conf/httpd.conf)
	@bash .ci/deps.sh run
	@echo "==> http://127.0.0.1:8080/  (Ctrl-C stops)"
	@mkdir -p logs
	./bin/httpd -d $(CURDIR) -f conf/httpd.conf -D FOREGROUND

test: test-deps build check-proto cross test-go test-example fuzz test-systemd ## the whole test suite (what CI runs)

# Platforms whose build (and vet) is checked; linux/amd64 remains the runtime
# proof. Linux's others: system call numbers and struct stat differ (arm64 has
# no dup2, 386 makes socket calls through socketcall, 32-bit int and stat fields).
CROSS := freebsd/amd64 darwin/arm64 linux/arm64 linux/386 linux/arm

cross: ## build and vet everything for FreeBSD and macOS (the event MPM's kqueue poller) and Linux's other architectures
	@for p in $(CROSS); do \
		echo "==> GOOS=$${p%/*} GOARCH=$${p#*/} go build + vet ./..."; \
		GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build ./... && GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) vet ./... || exit 1; \
		GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -tags mpmchild $(foreach m,$(MPMS),./plugins/$(m)/child) || exit 1; \
	done

test-go: ## go vet and go test -race ./... (the unit and end-to-end tests)
	@echo "==> go vet"
	$(GO) vet ./...
	@echo "==> go test -race"
	HTTPD_BIN=$(CURDIR)/bin/httpd HTTPD_MODULES=$(CURDIR)/modules $(GO) test -race -count=1 -timeout=30m ./...

test-example: ## vet and test examples/mpm-percore and examples/mpm-minimal, modules of their own that go test ./... does not enter
	@echo "==> examples/mpm-percore, examples/mpm-minimal (third-party MPMs on the public SDK)"
	$(GO) -C examples/mpm-percore vet ./...
	$(GO) -C examples/mpm-percore test -race -count=1 ./...
	$(GO) -C examples/mpm-minimal vet ./...
	$(GO) -C examples/mpm-minimal test -race -count=1 ./...

# Fuzz targets as package:Func. A short run each (FUZZTIME) in `make test`;
# a crasher is written to the package's testdata/fuzz and fails the run,
# and it stays there as a regression case of the plain `go test`.
# FUZZTIME is a count of inputs, not a duration: Go 1.26's coordinator can
# report "context deadline exceeded" as a failure when a duration runs out
# under a busy worker (golang/go#75804, fixed in 1.27).
FUZZTIME ?= 10000x
FUZZ := host/config:FuzzParse host/config:FuzzParseHCL host/config:FuzzQuoteArg \
	mpm/http1:FuzzReadRequest mpm/http1:FuzzChunkedBody mpm:FuzzRunRequest

fuzz: ## run every fuzz target for FUZZTIME inputs (default 10000x) each
	@for t in $(FUZZ); do \
		echo "==> fuzz $${t#*:} ($${t%%:*}, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$${t#*:}$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s -parallel=1 ./$${t%%:*} || exit 1; \
	done

test-systemd: build ## boot real systemd in a container (systemd-nspawn) and run httpd as a service there
	@echo "==> systemd as PID 1 in systemd-nspawn"
	HTTPD_NSPAWN_ROOT=$$(bash host/e2e/testdata/nspawn/mkroot.sh) HTTPD_BIN=$(CURDIR)/bin/httpd HTTPD_MODULES=$(CURDIR)/modules \
		$(GO) test -count=1 -run TestSystemdInContainer -v ./host/e2e/

test-deps: ## install the outside tools the tests use (Debian packages; needs root)
	@bash .ci/deps.sh test

proto: ## regenerate proto/ with pinned generators
	@echo "==> Generating proto/mpm/v1"
	@protoc --version | grep -q "$(PROTOC_VERSION)" || { echo "protoc $(PROTOC_VERSION) required (Debian bookworm: apt-get install protobuf-compiler)"; exit 1; }
	@GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	@GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	PATH=$(TOOLS):$$PATH protoc --go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative proto/mpm/v1/mpm.proto

check-proto: proto ## fail if the committed generated code drifts from the .proto
	@git diff --exit-code -- proto/ || { echo "proto/ drifted: run make proto and commit"; exit 1; }

BENCH_ROUNDS ?= 3
bench: build ## benchmarks side by side with Apache and nginx, BENCH_ROUNDS rounds (BENCHFLAGS=-quick BENCH_ROUNDS=1 for a smoke run)
	$(GO) run ./internal/bench -rounds=$(BENCH_ROUNDS) $(BENCHFLAGS)

profile: ## pprof CPU profiles of an MPM's children under wrk, printed (top) and kept in profile/ (PROFILEFLAGS=-mpm=prefork -path=/100k.bin -close -d=20s)
	@bash .ci/deps.sh profile
	$(GO) run ./internal/profile $(PROFILEFLAGS)

robust: build test-deps ## attacks and faults against the real server under load; prints a table, fails if a row is out of bound (ROBUSTFLAGS=-mpm=event -only=...)
	$(GO) run ./internal/robust $(ROBUSTFLAGS)

clean: ## remove build output (and conf/httpd.conf with any edits: make writes it afresh)
	rm -rf bin modules conf .tools profile

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "%-12s %s\n",$$1,$$2}'
