import { budgetProblems, PathBudget } from "../budget/model";
import { join, msg } from "./message";
import { ValidationError } from "./validation";

/** Refuses a path whose budget breaks a rule: every problem, each naming its hop and the fix. */
export function assertBudget(owner: string, budget: PathBudget): void {
  if (budget.ok) return;
  const [first, ...rest] = budgetProblems(budget.name, budget.hops, budget);
  const more = rest.length ? msg`; also: ${join(rest, "; ")}` : "";
  throw new ValidationError(
    owner,
    "websocket",
    msg`does not fit the ${budget.name} path's connection budget: ${first}${more}`,
  );
}
