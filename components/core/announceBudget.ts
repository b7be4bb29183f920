import * as pulumi from "@pulumi/pulumi";
import { PathBudget } from "../budget/model";
import { budgetTable, TERMINAL_COLUMNS } from "../budget/table";

/**
 * Columns the Pulumi CLI puts before each line of a resource's diagnostic (under "Diagnostics:",
 * the resource's line is indented 2, its messages 4): the table is laid out in what is left, so
 * that with the indent it still fits the terminal.
 */
export const CLI_DIAGNOSTIC_INDENT = 4;

/** The table `pulumi preview`/`up` show for one path, exactly as logged. */
export function budgetMessage(budget: PathBudget): string {
  return budgetTable([budget], TERMINAL_COLUMNS - CLI_DIAGNOSTIC_INDENT);
}

/**
 * Logs the path's budget as an info diagnostic of the component that owns the path, so `pulumi
 * preview` and `pulumi up` list it under that component. Each path is owned by exactly one
 * TunnelExposure or L4Exposure (a HybridExposure logs nothing of its own), so each table appears
 * once. Without an engine (Pulumi's mocks: unit tests, the offline render, which prints the same
 * table itself) the SDK would write it to stdout: nothing is logged there.
 */
export function announceBudget(owner: pulumi.Resource, budget: PathBudget): void {
  // getEngine, not hasEngine: in a component provider's construct (the package used from YAML or
  // Go) the engine is per call and hasEngine says false; getEngine connects it.
  if (pulumi.runtime.getEngine() === undefined) return;
  void pulumi.log.info(budgetMessage(budget), owner);
}
