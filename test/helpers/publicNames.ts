/**
 * The runtime names `import ... from "ws-exposure"` offers: the surface semver covers. Changing it
 * (a name added or removed) is a deliberate change of this list, docs/PACKAGE.md and CHANGELOG.md.
 */
export const PUBLIC_NAMES = [
  "HybridExposure",
  "KnativeSettings",
  "L4Exposure",
  "TunnelExposure",
  "ValidationError",
  "WsMonitor",
  "evaluateBudget",
  "isHostname",
  "isPinnedImage",
];
