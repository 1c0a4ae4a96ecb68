package scoreboard

import (
	"sync/atomic"
	"unsafe"
)

// Module slots are shared words that the modules of the children keep per
// key, as apache2's slotmem: mod_proxy_balancer's members (lbstatus,
// busy, error state, the settings balancer-manager changes), which every
// child of the generation must see alike.
// A slot is claimed by its key, a hash a module makes of what names the
// record in the configuration: the children read the same configuration,
// so they find the same slots whatever order they ask in. Slots are never
// freed; the board, and so the slots, live for one generation.
const (
	// SlotWords is the number of words of a slot.
	SlotWords = 31
	// SlotCount is the number of slots of a board.
	SlotCount = 4096
	slotSize  = 256
)

// slotRec is one slot: its key (0 while free) and its words.
type slotRec struct {
	key   atomic.Uint64
	words [SlotWords]atomic.Int64
}

func init() {
	if unsafe.Sizeof(slotRec{}) != slotSize {
		panic("scoreboard: slot size")
	}
}

// slotsOffset is where the slots start, after the worker records.
func slotsOffset(serverLimit, threadLimit int) int {
	return headerSize + serverLimit*processSize + serverLimit*threadLimit*workerSize
}

// Slot returns the words of the slot of key, claimed for it by the first
// process that asks (key 0 is taken as 1): every process of the board
// that asks for key gets the same words, zero at first. Nil when every
// slot is held by another key. It neither locks nor allocates; the words
// are read and written with atomic operations only.
func (b *Board) Slot(key uint64) *[SlotWords]atomic.Int64 {
	if key == 0 {
		key = 1
	}
	base := slotsOffset(b.serverLimit, b.threadLimit)
	for i := range uint64(SlotCount) {
		r := (*slotRec)(unsafe.Pointer(&b.mem[base+int((key+i)%SlotCount)*slotSize]))
		k := r.key.Load()
		if k == 0 && r.key.CompareAndSwap(0, key) {
			return &r.words
		}
		if k == 0 {
			k = r.key.Load() // another process claimed it first
		}
		if k == key {
			return &r.words
		}
	}
	return nil
}
