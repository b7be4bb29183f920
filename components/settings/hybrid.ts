/** The hybrid mode's own keys: HybridExposureArgs. */
import { SettingSection } from "./setting";

export const HYBRID = {
  title: "hybrid: HTTP through the tunnel, the WebSocket (hostname) through L4",
  keys: {
    httpHostname: {
      type: "string",
      scope: "hybrid",
      args: { hybrid: ["httpHostname"], tunnelInHybrid: ["hostname"] },
      doc: "Hybrid mode, the hostname served through the tunnel (hostname is the WebSocket's, through L4).",
    },
    fallback: {
      type: "boolean",
      scope: "hybrid",
      args: { hybrid: ["fallback"] },
      doc: "Hybrid mode, also route the WebSocket path through the tunnel on httpHostname. Default false.",
    },
  },
} as const satisfies SettingSection;
