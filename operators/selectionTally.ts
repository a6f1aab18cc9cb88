import { ACTION_LETTERS, actionLetters, Cat } from "../model/actions.js";
import type { AnalysisSettings } from "../model/analysisSettings.js";
import type { EventBatch } from "../model/batch.js";

/**
 * What the selection saw on its way, for the two questions an empty or
 * mixed result raises: why was nothing kept, and which devices does the
 * input hold. `select` (and the decoder pushdown of `selectionFilter`) count
 * into it; notify records are not events and are not counted. Pass one per
 * run, like a SkipCounter.
 *
 * @example const tally = new SelectionTally(); source.pipe(select({ tally })); tally.selected
 */
export class SelectionTally {
  /** Block events seen (notify records left out). */
  events = 0;
  /** Of those, events of the chosen action. */
  ofAction = 0;
  /** Of those, events of the chosen direction, at least one sector, not discards: the selected events. */
  selected = 0;
  /** Selected events on the chosen device (all selected events without a device filter). */
  onDevice = 0;
  private devices = new Uint32Array(4);
  private counts = new Float64Array(4);
  private distinct = 0;
  private last = -1;

  /** Count one selected event of `device` (encoded major << 20 | minor); no allocation once the device is known. */
  addDevice(device: number): void {
    if (this.last >= 0 && this.devices[this.last] === device) {
      this.counts[this.last] = (this.counts[this.last] as number) + 1;
      return;
    }
    let k = 0;
    while (k < this.distinct && this.devices[k] !== device) k++;
    if (k === this.distinct) {
      if (k === this.devices.length) this.grow();
      this.devices[k] = device;
      this.counts[k] = 0;
      this.distinct++;
    }
    this.counts[k] = (this.counts[k] as number) + 1;
    this.last = k;
  }

  /** Count the devices of every event of a batch that is not a notify record (for inputs without a selection). */
  addDevicesOf(batch: EventBatch): void {
    for (let i = 0; i < batch.length; i++) {
      if (((batch.action[i] as number) & Cat.NOTIFY) === 0) this.addDevice(batch.device[i] as number);
    }
  }

  /** The devices counted, in order of first appearance, with their event counts. */
  deviceCounts(): { device: number; events: number }[] {
    return Array.from({ length: this.distinct }, (_, k) => ({
      device: this.devices[k] as number,
      events: this.counts[k] as number,
    }));
  }

  private grow(): void {
    const devices = new Uint32Array(this.devices.length * 2);
    const counts = new Float64Array(this.counts.length * 2);
    devices.set(this.devices);
    counts.set(this.counts);
    this.devices = devices;
    this.counts = counts;
  }
}

/**
 * A device as blkparse prints it: "MAJOR,MINOR".
 *
 * @example formatDevice((7 << 20) | 0) // "7,0"
 */
export function formatDevice(device: number): string {
  return `${device >>> 20},${device & 0xfffff}`;
}

/**
 * "7,0: 243 events, 8,0: 243 events": the devices of a tally with their counts.
 *
 * @example describeDevices(tally) // "7,0: 243 events, 8,0: 243 events"
 */
export function describeDevices(tally: SelectionTally): string {
  return tally
    .deviceCounts()
    .map((d) => `${formatDevice(d.device)}: ${count(d.events)} event${d.events === 1 ? "" : "s"}`)
    .join(", ");
}

/** What a run selected, in the user's words, for {@link whyNothingKept}. */
export interface SelectionWords extends Pick<AnalysisSettings, "action" | "rw"> {
  /** The `--device` value as typed, when one was given. */
  device?: string;
  /** True when the events were restricted to a file's sectors. */
  inFile: boolean;
}

/**
 * Why a run kept no events, in one sentence for stderr, from the first
 * stage that kept nothing: no events at all, none of the action, none of
 * the direction, none on the device, none inside the file's sectors.
 * Undefined when events were kept.
 *
 * @example whyNothingKept(tally, 0, { action: "D", rw: "read", inFile: true })
 * // "kept 0 events: 0 of 2,773 D reads fall inside the file's sectors: is the listing for this device and partition?"
 */
export function whyNothingKept(tally: SelectionTally, kept: number, words: SelectionWords): string | undefined {
  if (kept > 0) return undefined;
  const letter = words.action;
  const what = describeSelection(letter, words.rw);
  if (tally.events === 0) return "kept 0 events: the input holds no block events";
  if (tally.ofAction === 0) {
    const which = isList(letter)
      ? `of the actions ${actionLetters(letter).join(", ")}`
      : `a ${letter} (${actionName(letter)}) event`;
    return `kept 0 events: none of the ${count(tally.events)} events is ${which}; choose another with --action`;
  }
  if (tally.selected === 0) {
    const other = words.rw === "read" ? "write" : "read";
    return `kept 0 events: none of the ${count(tally.ofAction)} ${letter} events is a ${words.rw === "any" ? "read or write" : words.rw} of at least one sector (--rw ${words.rw}); try --rw ${other} or --rw any`;
  }
  if (words.device !== undefined && tally.onDevice === 0) {
    return `kept 0 events: none of the ${count(tally.selected)} ${what} is on --device ${words.device}; the input holds ${describeDevices(tally)}`;
  }
  if (words.inFile) {
    return `kept 0 events: 0 of ${count(tally.onDevice)} ${what} fall inside the file's sectors: is the listing for this device and partition?`;
  }
  return undefined;
}

/**
 * The selected events in words: "D reads", "C writes", "Q reads and writes".
 *
 * @example describeSelection("D", "read") // "D reads"
 */
export function describeSelection(action: string, rw: "read" | "write" | "any"): string {
  return `${action} ${{ read: "reads", write: "writes", any: "reads and writes" }[rw]}`;
}

const ACTION_NAMES: Record<string, string> = { Q: "queued", D: "issued to the device", C: "completed" };

function actionName(letter: string): string {
  return ACTION_NAMES[letter] ?? `action ${ACTION_LETTERS.indexOf(letter)}`;
}

/** True for a selection of several actions (`Q,D,C`, `all`). */
function isList(selection: string): boolean {
  return selection.includes(",") || selection.trim().toLowerCase() === "all";
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
