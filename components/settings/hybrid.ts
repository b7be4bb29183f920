/** The hybrid mode's own keys: HybridExposureArgs. */
import { SettingSection } from "./setting";

export const HYBRID = {
  title: "hybrid: HTTP through the tunnel, the WebSocket (hostname) through L4",
  keys: {
    httpHostname: {
      type: "string",
      scope: "hybrid",
      args: { hybrid: ["httpHostname"], tunnelInHybrid: ["hostname"] },
    },
    fallback: {
      type: "boolean",
      scope: "hybrid",
      args: { hybrid: ["fallback"] },
    },
  },
} as const satisfies SettingSection;
