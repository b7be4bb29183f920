import fc from "fast-check";
import { evaluateBudget, PathBudget } from "../../components/budget/model";
import { reconnectBudget } from "../../components/budget/reconnect";
import { budgetTable, pathBudgetLines, TERMINAL_COLUMNS, wrapText } from "../../components/budget/table";
import { budgetMessage, CLI_DIAGNOSTIC_INDENT } from "../../components/core/announceBudget";
import { tunnelBudget } from "../../components/tunnel/budget";
import { planKnativeSettings } from "../../components/knative/plan";

/** A path with a short and a long drop event, two events on one hop, and a reconnect cost. */
function knownBudget(): PathBudget {
  const budget = evaluateBudget(
    "tunnel",
    [
      { name: "client", idleTimeoutSeconds: null, lifetimeCapSeconds: null, dropEvents: [] },
      {
        name: "cloudflare-edge",
        idleTimeoutSeconds: 100,
        lifetimeCapSeconds: null,
        dropEvents: [
          "Cloudflare restarts edge servers on its deploys, closing every WebSocket on them without notice",
        ],
      },
      {
        name: "queue-proxy",
        idleTimeoutSeconds: null,
        lifetimeCapSeconds: 3600,
        dropEvents: ["pod termination (rollout, scale-down, node drain)", "scale-down"],
      },
    ],
    { heartbeatSeconds: 5, minLifetimeSeconds: 3600 },
  );
  return {
    ...budget,
    reconnect: reconnectBudget([
      {
        event: "Cloudflare edge restart",
        outageSeconds: 0,
        basis: "other edge servers accept the reconnect at once, whichever of them the client reaches first",
      },
      { event: "Knative pod termination", outageSeconds: 500, basis: "one replica" },
    ]),
  };
}

describe("budgetTable", () => {
  test("a known budget at 100 columns, exactly", () => {
    expect(budgetTable([knownBudget()])).toBe(
      [
        "Connection budget: tunnel path (heartbeat 5 s, lifetime wanted 3600 s)",
        "  hop              idle timeout  lifetime cap  drops connections anyway",
        "  client           none          none          -",
        "  cloudflare-edge  100 s         none          Cloudflare restarts edge servers on its deploys,",
        "                                                 closing every WebSocket on them without notice",
        "  queue-proxy      none          3600 s        pod termination (rollout, scale-down, node drain)",
        "                                               scale-down",
        "  effective: idle timeout 100 s, lifetime cap 3600 s: OK",
        "  a drop costs the client (backoff 2..60 s, 10 attempts over 362 s):",
        "    Cloudflare edge restart: unreachable 0 s, back after 2 s (attempt 1); other edge servers",
        "      accept the reconnect at once, whichever of them the client reaches first",
        "    Knative pod termination: unreachable 500 s, NOT back: attempts exhausted; one replica",
      ].join("\n"),
    );
  });

  test("a failing path lists its problems, wrapped", () => {
    const failing = evaluateBudget(
      "tunnel",
      [{ name: "cloudflare-edge", idleTimeoutSeconds: 100, lifetimeCapSeconds: null, dropEvents: [] }],
      { heartbeatSeconds: 60, minLifetimeSeconds: 60 },
    );
    expect(pathBudgetLines(failing).slice(-4)).toEqual([
      "  effective: idle timeout 100 s, lifetime cap none: FAILS",
      '  problem: websocket.heartbeatSeconds 60 is too slow for the tunnel path: hop "cloudflare-edge"',
      "    closes a connection idle for 100 s, and a connection must survive 2 heartbeat intervals (120 s);",
      "    set websocket.heartbeatSeconds <= 50",
    ]);
  });

  test("the message pulumi preview logs fits 100 columns with the CLI's indent, for a real path", () => {
    const websocket = { heartbeatSeconds: 5, minLifetimeSeconds: 3600 };
    const knative = planKnativeSettings("t", websocket, {
      cluster: { maxRevisionTimeoutSeconds: 3600, version: "1.22" },
      minScale: 2,
      maxScale: 10,
    });
    const budget = tunnelBudget({
      websocket,
      edgeIdleTimeoutSeconds: 100,
      connectorGracePeriodSeconds: 30,
      connectorReplicas: 2,
      knative,
    });
    const message = budgetMessage(budget);
    const longest = Math.max(...message.split("\n").map((l) => l.length));
    expect(longest).toBeLessThanOrEqual(TERMINAL_COLUMNS - CLI_DIAGNOSTIC_INDENT);
    // Nothing is cut: every drop event's words are all there, in order.
    const words = (s: string) => s.split(/\s+/).filter(Boolean).join(" ");
    for (const hop of budget.hops) {
      for (const drop of hop.dropEvents) expect(words(message)).toContain(words(drop));
    }
  });

  test("any texts, any width that leaves the drop column 20 columns: no line wider, no word lost", () => {
    const text = fc
      .array(fc.stringMatching(/^[a-z():;,.=-]{1,70}$/), { minLength: 1, maxLength: 30 })
      .map((ws) => ws.join(" "));
    fc.assert(
      fc.property(
        fc.integer({ min: 70, max: 140 }),
        fc.array(text, { maxLength: 3 }),
        text,
        (width, drops, basis) => {
          const b = knownBudget();
          b.hops[1] = { ...b.hops[1], dropEvents: drops };
          b.reconnect!.events[0] = { ...b.reconnect!.events[0], basis };
          const lines = pathBudgetLines(b, width);
          for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
          const all = lines.join(" ").split(/\s+/).join("");
          for (const drop of drops) expect(all).toContain(drop.split(/\s+/).join(""));
          expect(all).toContain(basis.split(/\s+/).join(""));
        },
      ),
    );
  });
});

describe("wrapText", () => {
  test("breaks at spaces, cuts only a word wider than the line", () => {
    expect(wrapText("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(wrapText("abcdefghij xy", 4)).toEqual(["abcd", "efgh", "ij", "xy"]);
    expect(wrapText("", 10)).toEqual([""]);
  });
});
