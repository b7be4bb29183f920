/**
 * How an end-to-end suite declares the toolchain binaries it needs: locally a missing binary skips
 * the suite with the reason printed; under CI=true it fails instead (nothing skips in CI).
 */
import { missingBinaries } from "./toolchain";

export const UNDER_CI = process.env.CI === "true";

/** `missing`: another prerequisite's absence, in one sentence (e.g. `missingNodePrerequisites()`). */
export function describeWith(
  binaries: readonly string[],
  title: string,
  body: () => void,
  missing?: string,
): void {
  const reason = missingBinaries(binaries) ?? missing;
  if (!reason) {
    describe(title, body);
  } else if (UNDER_CI) {
    describe(title, () => {
      test("the toolchain binaries it needs are built (required under CI=true)", () => {
        throw new Error(reason);
      });
    });
  } else {
    console.warn(`skipping "${title}": ${reason}`);
    describe.skip(title, body);
  }
}
