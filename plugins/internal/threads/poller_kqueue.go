//go:build freebsd || darwin

package threads

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// kqueuePoller is the BSD poller: a kqueue with a read and a write filter
// per descriptor, woken through an EVFILT_USER event. A kevent's udata is
// a pointer, so the tags are kept here by descriptor: kqueue drops a
// descriptor's events when it is closed, and each descriptor has one
// registration at a time, so the tag of an event is the one armed last.
type kqueuePoller struct {
	kq   int
	tags []int32 // by descriptor
	raw  []unix.Kevent_t
}

// wakeIdent is the EVFILT_USER event's identifier.
const wakeIdent = 0

func newPoller() (poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, fmt.Errorf("kqueue: %w", err)
	}
	unix.CloseOnExec(kq)
	p := &kqueuePoller{kq: kq}
	var ev unix.Kevent_t
	unix.SetKevent(&ev, wakeIdent, unix.EVFILT_USER, unix.EV_ADD|unix.EV_CLEAR)
	if err := p.change(ev); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// change applies changes, each with its own receipt; deleting a filter
// that is not there (a one-shot filter that fired) is no error.
func (p *kqueuePoller) change(changes ...unix.Kevent_t) error {
	for i := range changes {
		changes[i].Flags |= unix.EV_RECEIPT
	}
	var receipts [2]unix.Kevent_t
	n, err := unix.Kevent(p.kq, changes, receipts[:len(changes)], nil)
	if err != nil {
		return fmt.Errorf("kevent: %w", err)
	}
	for i, r := range receipts[:n] {
		gone := r.Data == int64(unix.ENOENT) && changes[i].Flags&unix.EV_DELETE != 0
		if r.Flags&unix.EV_ERROR != 0 && r.Data != 0 && !gone {
			return fmt.Errorf("kevent: %w", unix.Errno(r.Data))
		}
	}
	return nil
}

// filter is the change that makes filter f of fd wanted or not.
func filter(fd int, f int, want, added, once bool) (unix.Kevent_t, bool) {
	var ev unix.Kevent_t
	switch {
	case want && once:
		unix.SetKevent(&ev, fd, f, unix.EV_ADD|unix.EV_ENABLE|unix.EV_ONESHOT)
	case want:
		unix.SetKevent(&ev, fd, f, unix.EV_ADD|unix.EV_ENABLE)
	case added:
		unix.SetKevent(&ev, fd, f, unix.EV_DELETE)
	default:
		return ev, false
	}
	return ev, true
}

func (p *kqueuePoller) arm(fd int, in interest, tag int32, added bool) error {
	if fd >= len(p.tags) {
		grown := make([]int32, max(2*len(p.tags), fd+1, 1024))
		copy(grown, p.tags)
		p.tags = grown
	}
	p.tags[fd] = tag
	var changes []unix.Kevent_t
	if ev, ok := filter(fd, unix.EVFILT_READ, in&wantRead != 0, added, in&once != 0); ok {
		changes = append(changes, ev)
	}
	if ev, ok := filter(fd, unix.EVFILT_WRITE, in&wantWrite != 0, added, in&once != 0); ok {
		changes = append(changes, ev)
	}
	return p.change(changes...)
}

// parkMode is how a parked connection waits for its next request: one
// event, then armed again at the next park.
const parkMode = once

func (p *kqueuePoller) disarm(fd int) error {
	var ev unix.Kevent_t
	unix.SetKevent(&ev, fd, unix.EVFILT_READ, unix.EV_DELETE)
	return p.change(ev)
}

func (p *kqueuePoller) wait(evs []pollEvent, timeout int) (int, error) {
	if len(p.raw) < len(evs) {
		p.raw = make([]unix.Kevent_t, len(evs))
	}
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(timeout) * 1e6)
		ts = &t
	}
	n, err := unix.Kevent(p.kq, nil, p.raw[:len(evs)], ts)
	if err != nil {
		return 0, err
	}
	for i, ev := range p.raw[:n] {
		switch fd := int(ev.Ident); {
		case ev.Filter == unix.EVFILT_USER:
			evs[i] = pollEvent{tag: padWake}
		case fd < len(p.tags):
			evs[i] = pollEvent{fd: int32(fd), tag: p.tags[fd]}
		default:
			evs[i] = pollEvent{fd: int32(fd), tag: padNone}
		}
	}
	return n, nil
}

func (p *kqueuePoller) wake() {
	var ev unix.Kevent_t
	unix.SetKevent(&ev, wakeIdent, unix.EVFILT_USER, 0)
	ev.Fflags = unix.NOTE_TRIGGER
	unix.Kevent(p.kq, []unix.Kevent_t{ev}, nil, nil)
}

func (p *kqueuePoller) close() { unix.Close(p.kq) }
