import { createRequire } from "node:module";
import type CliTable3 from "cli-table3";

// cli-table3 and its string-width helpers cost ~25 ms to load; `import "blkrx"` should not pay that
// before a table is drawn, and the table renderers are synchronous, so load it on first use.
const requireHere = createRequire(import.meta.url);
let TableClass: typeof CliTable3 | undefined;

/**
 * A new cli-table3 table (the package is loaded the first time one is made).
 *
 * @example
 * const t = newTable({ head: ["metric", "value"], style: { head: [], border: [] } });
 * t.push(["events", "22"]);
 * console.log(t.toString());
 */
export function newTable(options: CliTable3.TableConstructorOptions): CliTable3.Table {
  TableClass ??= requireHere("cli-table3") as typeof CliTable3;
  return new TableClass(options);
}
