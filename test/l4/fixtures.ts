import { L4ExposureArgs } from "../../components/l4/args";
import { l4Args } from "../helpers/fixtures";

/** The staging-like L4 exposure of messaging-service that the tests vary. */
export function baseArgs(overrides: Partial<L4ExposureArgs> = {}): L4ExposureArgs {
  return l4Args(overrides);
}
