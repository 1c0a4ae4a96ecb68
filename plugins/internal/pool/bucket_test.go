package pool

import (
	"testing"

	"github.com/httpd-mpm/httpd-mpm/mpm"
)

func TestBucketOf(t *testing.T) {
	one := []mpm.Listener{{Name: "a"}, {Name: "b"}}
	if got := bucketOf(one, 5); len(got) != 2 {
		t.Errorf("without buckets a child gets every listener: %v", got)
	}
	two := []mpm.Listener{{Name: "a", Bucket: 0}, {Name: "a", Bucket: 1}, {Name: "b", Bucket: 0}, {Name: "b", Bucket: 1}}
	for slot, want := range map[int]int{0: 0, 1: 1, 2: 0, 3: 1} {
		got := bucketOf(two, slot)
		if len(got) != 2 || got[0].Bucket != want || got[1].Bucket != want || got[0].Name != "a" || got[1].Name != "b" {
			t.Errorf("slot %d: %+v, want both listeners of bucket %d", slot, got, want)
		}
	}
}
