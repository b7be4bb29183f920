// A TunnelExposure from Go, through the generated SDK of the ws-exposure component package.
package main

import (
	wsexposure "example.com/pulumi-ws-exposure/sdk/go/ws-exposure"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		apply := false
		messaging, err := wsexposure.NewTunnelExposure(ctx, "messaging", &wsexposure.TunnelExposureArgs{
			Backend: wsexposure.BackendArgs{
				KnativeService: pulumi.StringRef("messaging-service"),
				Namespace:      "agents-whatsapp-rust",
			},
			Websocket:            &wsexposure.WebSocketArgs{MinLifetimeSeconds: pulumi.Float64Ref(600)},
			ApplyKnativeSettings: &apply,
			AccountId:            pulumi.String("00000000000000000000000000000000"),
			ZoneId:               pulumi.String("11111111111111111111111111111111"),
			Hostname:             cfg.Get("hostname"),
			Tunnel: wsexposure.TunnelArgs{
				Create: &wsexposure.CreateTunnelArgs{Name: "ws-exposure-go"},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("url", messaging.Url)
		return nil
	})
}
