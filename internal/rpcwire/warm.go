package rpcwire

import (
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	mpmv1 "github.com/httpd-mpm/httpd-mpm/proto/mpm/v1"
)

// WarmProto prepares the protobuf runtime for every message of the MPM
// protocol: the first marshal or unmarshal of a message type builds its
// coders, about half a millisecond for the protocol's big messages. Host
// and plugin call it while they wait for each other at a start whose first
// child waits for Configure and Run, so that those round trips do not pay
// for it (not when the plugin took a Preconfig: then the round trips come
// after its Run began, and a warm-up competes with the first child for
// CPU). Only the first call in a process does the work.
func WarmProto() { warmOnce() }

var warmOnce = sync.OnceFunc(func() { warmMessages(mpmv1.File_proto_mpm_v1_mpm_proto.Messages()) })

func warmMessages(ms protoreflect.MessageDescriptors) {
	for i := range ms.Len() {
		md := ms.Get(i)
		if mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName()); err == nil {
			b, _ := proto.Marshal(mt.New().Interface())
			_ = proto.Unmarshal(b, mt.New().Interface())
		}
		warmMessages(md.Messages())
	}
}
