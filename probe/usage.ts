/** A mistake in the options (not an endpoint failure): the CLI exits with 2 and prints the message. */
export class UsageError extends Error {
  override name = "UsageError";
}
