import type { ActionSelection } from "./actions.js";

/** Which directions count: `read` = RWBS has R, `write` = has W, `any` = either. */
export type Direction = "read" | "write" | "any";

/**
 * How events are selected and their gaps classified (spec/metrics.md): the
 * settings every analysing command, operator and stored run shares. The CLI
 * registers them once (`--action --rw --small --medium`), the store keeps
 * them with each run.
 */
export interface AnalysisSettings {
  /** Actions to count: a letter, a comma list (`Q,D,C`) or `all`. @default "D" (issue to the device) */
  readonly action: ActionSelection;
  /** Direction to count. @default "read" */
  readonly rw: Direction;
  /** Largest gap counted as small, in sectors. @default 256 (128 KiB) */
  readonly small: number;
  /** Largest gap counted as medium, in sectors. @default 2048 (1 MiB) */
  readonly medium: number;
}

/** The defaults of {@link AnalysisSettings}, defined here only. */
export const DEFAULT_ANALYSIS_SETTINGS: AnalysisSettings = Object.freeze({
  action: "D",
  rw: "read",
  small: 256,
  medium: 2048,
});

/**
 * Just the analysis settings of a larger options object, each missing one
 * taken from {@link DEFAULT_ANALYSIS_SETTINGS}.
 *
 * @example analysisSettings({ small: 64, json: true }) // { action: "D", rw: "read", small: 64, medium: 2048 }
 */
export function analysisSettings(options: Partial<AnalysisSettings> = {}): AnalysisSettings {
  const d = DEFAULT_ANALYSIS_SETTINGS;
  return {
    action: options.action ?? d.action,
    rw: options.rw ?? d.rw,
    small: options.small ?? d.small,
    medium: options.medium ?? d.medium,
  };
}
