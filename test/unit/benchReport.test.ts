/**
 * bench/lib/report.ts's runPart: each part's summary is printed as soon as the part finishes, and a
 * part that fails is one MISSED line while the run goes on (a whole `npm run bench` once printed
 * nothing after an hour because its fourth part hit its step limit).
 */
import { runPart } from "../../bench/lib/report";

describe("bench runPart", () => {
  it("prints the part's tables, goal lines and JSON line as soon as it finishes", async () => {
    const lines: string[] = [];
    const report = await runPart(
      "p2",
      async () => ({ tables: ["a table"], goals: ["P2 goal: met"], keys: { p2_connections: 10000 } }),
      (line) => lines.push(line),
      () => 1.5,
    );
    expect(lines.slice(0, 4)).toEqual(["", "a table\n", "P2 goal: met", expect.any(String)]);
    expect(lines).toHaveLength(4);
    const [prefix, json] = [lines[3].slice(0, "bench p2: ".length), lines[3].slice("bench p2: ".length)];
    expect(prefix).toBe("bench p2: ");
    expect(JSON.parse(json)).toEqual({
      p2_connections: 10000,
      p2_elapsed_s: expect.any(Number),
      p2_load1_end: 1.5,
    });
    expect(report.keys).toEqual({ p2_connections: 10000, p2_elapsed_s: expect.any(Number) });
  });

  it("turns a part that throws into one MISSED line naming the error, and returns", async () => {
    const lines: string[] = [];
    const report = await runPart(
      "p4",
      async () => {
        throw new Error("drain scenario: 5886 of 9400 connections open after 600 s");
      },
      (line) => lines.push(line),
      () => 0.2,
    );
    expect(report.goals).toEqual([
      "P4 failed: drain scenario: 5886 of 9400 connections open after 600 s: MISSED",
    ]);
    expect(report.tables).toEqual([]);
    expect(lines[0]).toMatch(/^Error: drain scenario: 5886 of 9400 connections open after 600 s\n {4}at /);
    expect(lines.slice(1, 3)).toEqual([
      "",
      "P4 failed: drain scenario: 5886 of 9400 connections open after 600 s: MISSED",
    ]);
    expect(JSON.parse(lines[3].replace(/^bench p4: /, ""))).toEqual({
      p4_elapsed_s: expect.any(Number),
      p4_load1_end: 0.2,
    });
  });
});
