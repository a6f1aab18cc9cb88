/**
 * blk_io_trace action codes and category bits, as defined by the kernel's
 * `include/uapi/linux/blktrace_api.h` and printed by blkparse.
 *
 * The raw `action` u32 keeps the action code in its low 16 bits and the
 * category bits (`BLK_TC_*`) in its high 16 bits. Text sources rebuild the
 * same u32 from the action letter and RWBS string, so every source ends up
 * with one representation.
 */

/** `__BLK_TA_*` action codes (low 16 bits of `action`). */
export const Act = {
  QUEUE: 1,
  BACKMERGE: 2,
  FRONTMERGE: 3,
  GETRQ: 4,
  SLEEPRQ: 5,
  REQUEUE: 6,
  ISSUE: 7,
  COMPLETE: 8,
  PLUG: 9,
  UNPLUG_IO: 10,
  UNPLUG_TIMER: 11,
  INSERT: 12,
  SPLIT: 13,
  BOUNCE: 14,
  REMAP: 15,
  ABORT: 16,
  DRV_DATA: 17,
} as const;

/** `BLK_TC_*` category bits, already shifted into the high 16 bits of `action`. */
export const Cat = {
  READ: 1 << 16,
  WRITE: 1 << 17,
  FLUSH: 1 << 18,
  SYNC: 1 << 19,
  QUEUE: 1 << 20,
  REQUEUE: 1 << 21,
  ISSUE: 1 << 22,
  COMPLETE: 1 << 23,
  FS: 1 << 24,
  PC: 1 << 25,
  NOTIFY: 1 << 26,
  AHEAD: 1 << 27,
  META: 1 << 28,
  DISCARD: 1 << 29,
  DRV_DATA: 1 << 30,
  FUA: 2 ** 31,
} as const;

/** Notify record kinds (action code of a record whose category is NOTIFY). */
export const Notify = { PROCESS: 0, TIMESTAMP: 1, MESSAGE: 2 } as const;

/** Action letters as blkparse prints them, indexed by action code. */
export const ACTION_LETTERS: readonly string[] = [
  "?",
  "Q",
  "M",
  "F",
  "G",
  "S",
  "R",
  "D",
  "C",
  "P",
  "U",
  "UT",
  "I",
  "X",
  "B",
  "A",
  "Z",
  "DR",
];

/** An action letter as accepted by selection options. */
export type ActionLetter = "Q" | "M" | "F" | "G" | "S" | "R" | "D" | "C" | "P" | "U" | "UT" | "I" | "X" | "B" | "A";

const LETTER_TO_CODE = new Map<string, number>(
  ACTION_LETTERS.map((letter, code) => [letter, code] as const).filter(([, code]) => code > 0),
);

/**
 * The action code of a blkparse action letter, or -1 when unknown.
 *
 * @example actionCode("D") // 7
 */
export function actionCode(letter: string): number {
  return LETTER_TO_CODE.get(letter) ?? -1;
}

/**
 * The blkparse letter of a raw `action` u32 (notify records give "N").
 *
 * @example actionLetter(Act.ISSUE | Cat.READ) // "D"
 */
export function actionLetter(action: number): string {
  if ((action & Cat.NOTIFY) !== 0) return "N";
  return ACTION_LETTERS[action & 0xffff] ?? "?";
}

/** Raw action of a MESSAGE notify record (`BLK_TN_MESSAGE`, compared whole as blkparse does). */
export const MESSAGE_ACTION = (Cat.NOTIFY | Notify.MESSAGE) >>> 0;

/**
 * True for the records blkparse puts in time order and takes time zero from:
 * every record except notify records, of which only a plain MESSAGE counts.
 * Process-name and timestamp notes are handled where they are read; on real
 * blktrace captures they carry another clock.
 *
 * @example isTimedRecord(Cat.NOTIFY | Notify.PROCESS) // false
 */
export function isTimedRecord(action: number): boolean {
  return (action & Cat.NOTIFY) === 0 || action >>> 0 === MESSAGE_ACTION;
}

/** True when the raw action is a notify record (process name, timestamp, message). */
export function isNotify(action: number): boolean {
  return (action & Cat.NOTIFY) !== 0;
}

/**
 * The RWBS string blkparse prints for an action and byte count: optional F
 * (preflush), one of D/W/R/N, then F (FUA), A (readahead), S (sync), M (meta).
 *
 * @example rwbs(Act.ISSUE | Cat.READ | Cat.SYNC, 4096) // "RS"
 */
export function rwbs(action: number, bytes: number): string {
  let s = "";
  if (action & Cat.FLUSH) s += "F";
  if (action & Cat.DISCARD) s += "D";
  else if (action & Cat.WRITE) s += "W";
  else if (bytes > 0) s += "R";
  else s += "N";
  if (action & Cat.FUA) s += "F";
  if (action & Cat.AHEAD) s += "A";
  if (action & Cat.SYNC) s += "S";
  if (action & Cat.META) s += "M";
  return s;
}

/**
 * Category bits for an RWBS string, the inverse of {@link rwbs}. Returns -1
 * when the string is not a valid RWBS. "R" sets the READ bit; "N" sets none.
 *
 * @example categoryOf("RA") // Cat.READ | Cat.AHEAD
 */
export function categoryOf(flags: string): number {
  let bits = 0;
  let i = 0;
  if (flags[i] === "F" && flags.length > 1 && "DWRN".includes(flags[1] ?? "")) {
    bits |= Cat.FLUSH;
    i++;
  }
  const kind = flags[i++];
  if (kind === "D") bits |= Cat.DISCARD;
  else if (kind === "W") bits |= Cat.WRITE;
  else if (kind === "R") bits |= Cat.READ;
  else if (kind !== "N") return -1;
  for (; i < flags.length; i++) {
    const c = flags[i];
    if (c === "F") bits |= Cat.FUA;
    else if (c === "A") bits |= Cat.AHEAD;
    else if (c === "S") bits |= Cat.SYNC;
    else if (c === "M") bits |= Cat.META;
    else return -1;
  }
  return bits >>> 0;
}

/** True when the action's RWBS would contain R (a read with data). */
export function isRead(action: number, bytes: number): boolean {
  return (action & (Cat.DISCARD | Cat.WRITE)) === 0 && bytes > 0;
}

/** True when the action's RWBS would contain W (a write, not a discard). */
export function isWrite(action: number): boolean {
  return (action & Cat.DISCARD) === 0 && (action & Cat.WRITE) !== 0;
}

/** Major number of a kernel `dev_t` as blktrace encodes it (dev >> 20). */
export function major(device: number): number {
  return device >>> 20;
}

/** Minor number of a kernel `dev_t` as blktrace encodes it (dev & 0xfffff). */
export function minor(device: number): number {
  return device & 0xfffff;
}

/** Encode major/minor as blktrace's `dev_t` (major << 20 | minor). */
export function makeDevice(maj: number, min: number): number {
  return ((maj << 20) | (min & 0xfffff)) >>> 0;
}

/**
 * An action selection (spec v2): one letter (`D`), a comma list (`Q,D,C`)
 * or `all` (every action whose blkparse line prints `SECTOR + COUNT`).
 */
export type ActionSelection = ActionLetter | (string & {});

/** What `--action all` stands for: the actions whose blkparse line prints `SECTOR + COUNT`. */
export const ALL_ACTIONS: readonly ActionLetter[] = ["Q", "G", "I", "D", "C", "M", "F", "A", "B"];

/**
 * The action codes of a selection as a bit mask (bit `code` set), so a
 * filter tests any list with one shift and one and. Throws a RangeError
 * naming the letter for an unknown one.
 *
 * @example actionMask("Q,D,C") === (1 << 1) | (1 << 7) | (1 << 8)
 */
export function actionMask(selection: ActionSelection): number {
  let mask = 0;
  for (const letter of actionLetters(selection)) {
    const code = actionCode(letter);
    if (code < 0 || code > 31) {
      throw new RangeError(
        `--action ${selection}: unknown action "${letter}" (expected blkparse letters such as Q, D, C, comma-separated, or all)`,
      );
    }
    mask |= 1 << code;
  }
  return mask >>> 0;
}

/**
 * The letters of a selection, `all` expanded, duplicates removed, in the order given.
 *
 * @example actionLetters("all") // ["Q","G","I","D","C","M","F","A","B"]
 */
export function actionLetters(selection: ActionSelection): string[] {
  const trimmed = selection.trim();
  if (trimmed.toLowerCase() === "all") return [...ALL_ACTIONS];
  return [...new Set(trimmed.split(",").map((l) => l.trim().toUpperCase()))];
}

/**
 * A selection as blkrx stores and prints it: `all`, or upper-case letters
 * joined by commas without spaces or repeats (`q, d,c` → `Q,D,C`).
 *
 * @example normalizeActions(" d , q") // "D,Q"
 */
export function normalizeActions(selection: string): string {
  if (selection.trim().toLowerCase() === "all") return "all";
  actionMask(selection); // validates
  return actionLetters(selection).join(",");
}
