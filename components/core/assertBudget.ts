import { PathBudget } from "../budget/model";
import { ValidationError } from "./validation";

/** Refuses a path whose budget breaks a rule: every problem, each naming its hop and the fix. */
export function assertBudget(owner: string, budget: PathBudget): void {
  if (budget.ok) return;
  const [first, ...rest] = budget.problems;
  const more = rest.length ? `; also: ${rest.join("; ")}` : "";
  throw new ValidationError(
    owner,
    "websocket",
    `does not fit the ${budget.name} path's connection budget: ${first}${more}`,
  );
}
