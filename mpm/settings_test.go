package mpm

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	dirs := []Directive{
		{Name: "StartServers", Kind: KindInt, Default: "3", Min: 1, Max: 10, Help: "Number of child processes"},
		{Name: "Factor", Kind: KindFloat, Default: "2"},
		{Name: "Flag", Kind: KindFlag, Default: "Off"},
		{Name: "Name", Kind: KindString},
	}
	at := func(name string, args ...string) Setting {
		return Setting{Name: name, Args: args, File: "/x.conf", Line: 7}
	}
	cases := []struct {
		name     string
		settings []Setting
		check    func(t *testing.T, v Values)
		diag     string // substring of the only diagnostic, "" for none
	}{
		{"defaults", nil, func(t *testing.T, v Values) {
			if v.Int("StartServers") != 3 || v.Float("Factor") != 2 || v.Flag("Flag") || v.String("Name") != "" {
				t.Errorf("defaults: %d %g %v %q", v.Int("StartServers"), v.Float("Factor"), v.Flag("Flag"), v.String("Name"))
			}
			if v.Setting("StartServers") != nil {
				t.Error("default has a setting")
			}
		}, ""},
		{"last wins, any case", []Setting{at("startservers", "4"), at("STARTSERVERS", "6")}, func(t *testing.T, v Values) {
			if v.Int("StartServers") != 6 {
				t.Errorf("got %d", v.Int("StartServers"))
			}
			if s := v.Setting("startservers"); s == nil || s.Line != 7 {
				t.Errorf("setting %+v", s)
			}
		}, ""},
		{"flag on", []Setting{at("Flag", "on")}, func(t *testing.T, v Values) {
			if !v.Flag("Flag") {
				t.Error("flag off")
			}
		}, ""},
		{"unknown", []Setting{at("Bogus", "1")}, nil, "Invalid command 'Bogus', perhaps misspelled"},
		{"not a number", []Setting{at("StartServers", "many")}, nil, "StartServers: 'many' is not a whole number"},
		{"out of range", []Setting{at("StartServers", "11")}, nil, "StartServers: 11 is out of range 1 to 10"},
		{"arg count", []Setting{at("StartServers", "1", "2")}, nil, "StartServers takes one argument, Number of child processes"},
		{"bad float", []Setting{at("Factor", "x")}, nil, "Factor: 'x' is not a number"},
		{"bad flag", []Setting{at("Flag", "yes")}, nil, "Flag must be On or Off"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, diags := Decode(dirs, c.settings)
			if c.diag == "" {
				if len(diags) != 0 {
					t.Fatalf("diagnostics %+v", diags)
				}
				c.check(t, v)
				return
			}
			if len(diags) != 1 || !strings.Contains(diags[0].Message, c.diag) {
				t.Fatalf("diagnostics %+v, want one containing %q", diags, c.diag)
			}
			if d := diags[0]; d.File != "/x.conf" || d.Line != 7 || d.Severity != SeverityError {
				t.Errorf("diagnostic position/severity %+v", d)
			}
		})
	}
}

func TestLevelFromApache(t *testing.T) {
	for in, want := range map[string]string{"emerg": "info", "error": "info", "warn": "info", "": "info", "notice": "info", "info": "info", "debug": "debug", "trace3": "trace", "bogus": "info"} {
		if got := strings.ToLower(LevelFromApache(in).String()); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}
