/** The paced drain's shortest window from a pod's measured handshake capacity (docs/L4.md). */
import { drainWindowMinSeconds } from "../../components/l4/haproxy/drain";

describe("drainWindowMinSeconds: W >= arrivalRatio x N / (handshakeShare x C x receivingPods), whole seconds up", () => {
  test.each([
    // N = staging's maxconn; 1.25 x 9000 / (0.5 x 1000) = 22.5
    [{ connectionsPerPod: 9000, handshakesPerSecondPerPod: 1000 }, 23],
    // 1.25 x 9000 / (0.5 x 450) = 50: staging's default window is exactly the bound at 450 a second.
    [{ connectionsPerPod: 9000, handshakesPerSecondPerPod: 450 }, 50],
    [{ connectionsPerPod: 9000, handshakesPerSecondPerPod: 449 }, 51],
    // Two receiving pods share the reconnects: 1.25 x 10000 / (0.5 x 500 x 2) = 25.
    [{ connectionsPerPod: 10000, handshakesPerSecondPerPod: 500, receivingPods: 2 }, 25],
    [
      {
        connectionsPerPod: 9000,
        handshakesPerSecondPerPod: 1000,
        arrivalRatio: 1,
        handshakeShare: 1,
      },
      9,
    ],
    // 1.25 x 7 / (0.7 x 0.1) is 125.00000000000001 in floating point: still 125.
    [{ connectionsPerPod: 7, handshakesPerSecondPerPod: 0.1, handshakeShare: 0.7 }, 125],
  ])("%o -> %i s", (args, seconds) => {
    expect(drainWindowMinSeconds(args)).toBe(seconds);
  });

  test.each([
    [
      { connectionsPerPod: 0, handshakesPerSecondPerPod: 1000 },
      "connectionsPerPod must be a number above 0 (got 0)",
    ],
    [
      { connectionsPerPod: 9000, handshakesPerSecondPerPod: NaN },
      "handshakesPerSecondPerPod must be a number above 0 (got NaN)",
    ],
    [
      { connectionsPerPod: 9000, handshakesPerSecondPerPod: 1000, receivingPods: -1 },
      "receivingPods must be a number above 0 (got -1)",
    ],
    [
      { connectionsPerPod: 9000, handshakesPerSecondPerPod: 1000, handshakeShare: 1.5 },
      "handshakeShare must be above 0 and at most 1 (got 1.5)",
    ],
  ])("%o is refused", (args, message) => {
    expect(() => drainWindowMinSeconds(args)).toThrow(`drainWindowMinSeconds: ${message}`);
  });
});
