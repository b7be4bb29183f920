// Wrapper main for etcd: the upstream `main` package of go.etcd.io/etcd/server/v3
// is a one-liner around etcdmain.Main; building it from this module lets `go`
// ignore the upstream go.mod's local-path replaces (../api, ../client/...).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
