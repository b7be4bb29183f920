import * as fs from "fs";

/** Where `recordFigures` appends, when set: bench/p3.ts sets it and judges the figures. */
export const FIGURES_ENV = "WS_EXPOSURE_FIGURES";

/**
 * Prints what a timing test measured, and appends it as one JSON line `{ name, ...figures }` to the
 * file named by $WS_EXPOSURE_FIGURES. The tests assert only what the code guarantees on any machine;
 * bench/p3.ts runs them on an idle one and holds these figures to the strict goals.
 */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  console.log(`${name}: ${JSON.stringify(figures)}`);
  const file = process.env[FIGURES_ENV];
  if (file) fs.appendFileSync(file, JSON.stringify({ name, ...figures }) + "\n");
}
