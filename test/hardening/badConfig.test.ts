/**
 * The bad-input catalogue's stack-config cases: `npm run render` refuses each with the exact
 * message, naming the config key the user wrote. Rendered in this process (the program index.ts
 * runs, under the render's mock engine); test/render/render.test.ts runs the real command and
 * checks that a refusal exits 1, prints only the message and writes nothing.
 */
import { configCases } from "./cases";
import { renderFlags, renderInProcess } from "../helpers/render";

test.each(configCases.map(([label, message, stack, flags]) => ({ label, message, stack, flags })))(
  "$label ($stack)",
  async ({ message, stack, flags }) => {
    const { set, unset } = renderFlags(flags);
    await expect(renderInProcess(stack, set, unset)).rejects.toHaveProperty("message", message);
  },
);

test("every message names the key or argument it is about", () => {
  for (const [, message] of configCases) {
    expect(message).toMatch(
      /(ws-exposure|kubernetes):[a-zA-Z]+|(Tunnel|L4|Hybrid)Exposure "[^"]+": [a-zA-Z.[\]0-9]+ /,
    );
  }
});
