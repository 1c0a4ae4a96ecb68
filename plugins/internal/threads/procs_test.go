package threads

import "testing"

func TestChildProcs(t *testing.T) {
	for _, tc := range []struct {
		cpus, servers int
		env           string
		want          int
		ok            bool
	}{
		{2, 2, "", 1, true},
		{2, 1, "", 2, true},
		{8, 3, "", 2, true},
		{2, 5, "", 1, true},
		{4, 0, "", 4, true},
		{2, 2, "4", 0, false},
	} {
		n, ok := childProcs(tc.cpus, tc.servers, tc.env)
		if n != tc.want || ok != tc.ok {
			t.Errorf("childProcs(%d, %d, %q) = %d, %v; want %d, %v", tc.cpus, tc.servers, tc.env, n, ok, tc.want, tc.ok)
		}
	}
}
