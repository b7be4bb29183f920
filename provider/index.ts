/**
 * The component package's provider: `pulumi package add` / `get-schema` / `gen-sdk` run this through
 * the Node.js language host (PulumiPlugin.yaml, runtime nodejs). The schema is inferred from the
 * constructors' args interfaces in components/package.
 */
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import {
  HybridExposure,
  KnativeSettings,
  L4Exposure,
  TunnelExposure,
  WsMonitor,
} from "../components/package";

export { HybridExposure, KnativeSettings, L4Exposure, TunnelExposure, WsMonitor };

if (require.main === module || process.env.PULUMI_WS_EXPOSURE_HOST === "1") {
  void componentProviderHost({
    name: "ws-exposure",
    dirname: __dirname,
    components: [L4Exposure, TunnelExposure, KnativeSettings, HybridExposure, WsMonitor],
  });
}
