// CoreDNS with only the plugins the e2e node's cluster DNS needs: HAProxy resolves its backend's
// Service name at start, so the node needs the kubernetes plugin; without `forward` nothing is ever
// asked of a resolver outside the cluster.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
	"github.com/coredns/coredns/coremain"
)

// The order in which the plugins handle a query (upstream's plugin.cfg order, restricted to these).
func init() {
	dnsserver.Directives = []string{"errors", "log", "health", "ready", "kubernetes", "cache"}
}

func main() { coremain.Run() }
