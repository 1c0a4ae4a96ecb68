// Package capability narrows the Linux capabilities of the calling thread
// to what an MPM parent keeps (Parent): the host does it on the thread
// that starts its plugins, and a plugin started with more does it before
// executing itself again. Elsewhere it is empty.
package capability
