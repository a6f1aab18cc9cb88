import { Act, Cat } from "../model/actions.js";
import { type EventBatch, payloadOf } from "../model/batch.js";
import { type RequestBatch, RequestDirection } from "../model/requests.js";
import { BioSlab, Has, isStamped, NO_SLOT } from "./bioSlab.js";
import { RequestColumns } from "./requestColumns.js";

/** Options for {@link RequestTracker} and `requestLifecycle`. */
export interface RequestLifecycleOptions {
  /** A bio queued longer ago than this (trace time, ns) is dropped and counted in `agedOut`. @default 30e9 (the SCSI command timeout) */
  maxAgeNs?: number;
  /** At most this many bios are followed at once; beyond it the oldest quarter is dropped and counted. @default 262144 */
  maxPending?: number;
}

/**
 * Throw a RangeError naming the option when maxAgeNs or maxPending is unusable.
 *
 * @example validateLifecycleOptions({ maxPending: 2 }) // throws RangeError
 */
export function validateLifecycleOptions(options: RequestLifecycleOptions): void {
  const { maxAgeNs, maxPending } = options;
  if (maxAgeNs !== undefined && !(maxAgeNs > 0)) {
    throw new RangeError(`Cannot track requests with maxAgeNs ${maxAgeNs}: it must be a positive number of ns`);
  }
  if (maxPending !== undefined && (!Number.isInteger(maxPending) || maxPending < 4)) {
    throw new RangeError(`Cannot track requests with maxPending ${maxPending}: it must be an integer of at least 4`);
  }
}

/** RequestDirection code of a raw action. */
function directionOf(action: number): number {
  if (action & Cat.DISCARD) return RequestDirection.discard;
  if (action & Cat.WRITE) return RequestDirection.write;
  if (action & Cat.READ) return RequestDirection.read;
  return RequestDirection.other;
}

/**
 * The state behind `requestLifecycle`, usable without RxJS: follows every
 * queued bio (kept in a {@link BioSlab}) through its stages by the btt rules
 * described there, and returns the bios each batch completed.
 *
 * @example
 * const tracker = new RequestTracker({ maxAgeNs: 10e9 });
 * const done = [...batches.map((b) => tracker.push(b)), tracker.finish()];
 */
export class RequestTracker {
  private readonly maxAgeNs: number;
  private readonly maxPending: number;
  private readonly slab = new BioSlab(1024);
  /** Devices that have queue events (elsewhere D → C is followed alone). */
  private readonly queued = new Set<number>();
  private readonly names = new Map<number, string>();
  private namesOut: ReadonlyMap<number, string> = new Map();
  private namesChanged = false;
  private agedOut = 0;
  private unmatched = 0;
  private now = 0;
  private lastSweep = 0;
  private readonly out = new RequestColumns();

  constructor(options: RequestLifecycleOptions = {}) {
    validateLifecycleOptions(options);
    this.maxAgeNs = options.maxAgeNs ?? 30e9;
    this.maxPending = options.maxPending ?? 262144;
  }

  /** Follow the events of one batch; returns the bios it completed. */
  push(batch: EventBatch): RequestBatch {
    this.learnNames(batch);
    const { action, bytes, device, sector, time } = batch;
    const slab = this.slab;
    for (let i = 0; i < batch.length; i++) {
      const a = action[i] as number;
      const b = bytes[i] as number;
      if ((a & Cat.NOTIFY) !== 0 || b === 0) continue;
      const d = device[i] as number;
      const s = sector[i] as number;
      const t = time[i] as number;
      const e = s + Math.floor(b / 512);
      this.now = t;
      switch (a & 0xffff) {
        case Act.QUEUE:
          this.onQueue(batch, i, d, s, e, t);
          break;
        case Act.GETRQ:
          this.onStage(slab.gTime, d, s, t);
          break;
        case Act.INSERT: {
          const slot = this.onStage(slab.iTime, d, s, t);
          if (slot !== NO_SLOT && isStamped(slab.gTime, slot)) {
            slab.has[slot] = (slab.has[slot] as number) | Has.G2I;
          }
          break;
        }
        case Act.BACKMERGE:
        case Act.FRONTMERGE:
          this.onStage(slab.mTime, d, s, t);
          break;
        case Act.SPLIT:
          this.onSplit(batch, i, d, s);
          break;
        case Act.ISSUE:
          this.onIssue(batch, i, d, s, e, t);
          break;
        case Act.REQUEUE:
          this.onRequeue(d, s, e);
          break;
        case Act.COMPLETE:
          this.onComplete(d, s, e, t);
          break;
      }
    }
    if (this.now - this.lastSweep >= this.maxAgeNs / 4) {
      this.lastSweep = this.now;
      this.agedOut += this.slab.releaseEnteredBefore(this.now - this.maxAgeNs);
    }
    return this.seal(false);
  }

  /** The source ended: the last (possibly empty) batch with the final counts. */
  finish(): RequestBatch {
    return this.seal(true);
  }

  private learnNames(batch: EventBatch): void {
    if (!batch.names) return;
    for (const [p, comm] of batch.names) {
      if (this.names.get(p) !== comm) {
        this.names.set(p, comm);
        this.namesChanged = true;
      }
    }
  }

  private seal(final: boolean): RequestBatch {
    if (this.namesChanged) {
      this.namesOut = new Map(this.names);
      this.namesChanged = false;
    }
    return {
      ...this.out.take(),
      names: this.namesOut,
      agedOut: this.agedOut,
      unmatched: this.unmatched,
      pending: this.slab.liveCount,
      skewed: this.out.skewed,
      final,
    };
  }

  /** A new bio [s, e) of device `d` for row i of `batch` (its owner, phase and direction); returns its slot. */
  private track(batch: EventBatch, i: number, d: number, s: number, e: number): number {
    const slab = this.slab;
    const slot = slab.alloc(d, s, e);
    slab.pid[slot] = batch.pid[i] as number;
    slab.phase[slot] = batch.phase ? (batch.phase[i] as number) : 0;
    slab.dir[slot] = directionOf(batch.action[i] as number);
    return slot;
  }

  private onQueue(batch: EventBatch, i: number, d: number, s: number, e: number, t: number): void {
    this.queued.add(d);
    if (this.slab.liveCount >= this.maxPending) this.agedOut += this.slab.releaseOldest(this.maxPending >> 2);
    const slot = this.track(batch, i, d, s, e);
    this.slab.qTime[slot] = t;
  }

  /** G, I, M/F: stamp the first bio starting at `s` that has not reached that stage yet; returns its slot. */
  private onStage(stamp: Float64Array, d: number, s: number, t: number): number {
    for (let slot = this.slab.head(d, s); slot !== NO_SLOT; slot = this.slab.next(slot)) {
      if (!isStamped(stamp, slot)) {
        stamp[slot] = t;
        return slot;
      }
    }
    return NO_SLOT;
  }

  /** X: split the bio starting at `s` at the sector in the payload (big-endian u64). */
  private onSplit(batch: EventBatch, i: number, d: number, s: number): void {
    const pdu = payloadOf(batch, i);
    if (pdu.length < 8) return;
    const view = new DataView(pdu.buffer, pdu.byteOffset, 8);
    const at = view.getUint32(0, false) * 4294967296 + view.getUint32(4, false);
    const slab = this.slab;
    for (let slot = slab.head(d, s); slot !== NO_SLOT; slot = slab.next(slot)) {
      if (slab.endOf(slot) > at && at > s && !isStamped(slab.dTime, slot)) {
        slab.splitAt(slot, at);
        return;
      }
    }
  }

  private onIssue(batch: EventBatch, i: number, d: number, s: number, e: number, t: number): void {
    if (!this.queued.has(d)) {
      // A trace without queue events (e.g. recorded with -a issue -a complete): follow D → C only.
      const slot = this.track(batch, i, d, s, e);
      this.slab.dTime[slot] = t;
      return;
    }
    const slab = this.slab;
    let at = s;
    let found = 0;
    while (at < e) {
      const slot = this.cover(d, at, e, false);
      if (slot === NO_SLOT) break;
      slab.dTime[slot] = t;
      const ins = isStamped(slab.iTime, slot);
      const merged = isStamped(slab.mTime, slot);
      slab.has[slot] = ((slab.has[slot] as number) & Has.G2I) | (ins ? Has.I2D : merged ? Has.M2D : 0);
      const end = slab.endOf(slot);
      if (end <= at) break;
      at = end;
      found++;
    }
    if (found === 0) this.unmatched++;
  }

  private onRequeue(d: number, s: number, e: number): void {
    const slab = this.slab;
    let at = s;
    while (at < e) {
      const slot = this.cover(d, at, e, true);
      if (slot === NO_SLOT) break;
      slab.dTime[slot] = Number.NaN;
      const end = slab.endOf(slot);
      if (end <= at) break;
      at = end;
    }
  }

  private onComplete(d: number, s: number, e: number, t: number): void {
    let at = s;
    let found = 0;
    while (at < e) {
      const slot = this.cover(d, at, e, true);
      if (slot === NO_SLOT) break;
      const end = this.slab.endOf(slot);
      const stop = end <= at;
      at = end;
      this.out.appendBio(this.slab, slot, t);
      this.slab.release(slot);
      found++;
      if (stop) break;
    }
    if (found === 0 && this.queued.has(d)) this.unmatched++;
  }

  /**
   * The bio of device `d` that starts at `at` (or, failing that, the first one
   * starting after `at`) and ends by `e`; among bios with the same start it
   * prefers one that was issued (`issued`) or not yet (`!issued`).
   */
  private cover(d: number, at: number, e: number, issued: boolean): number {
    const slab = this.slab;
    const issue = slab.dTime;
    let first = slab.head(d, at);
    if (first === NO_SLOT) first = slab.headAfter(d, at, e);
    for (let slot = first; slot !== NO_SLOT; slot = slab.next(slot)) {
      if (isStamped(issue, slot) === issued) return slab.endOf(slot) <= e ? slot : NO_SLOT;
    }
    return first !== NO_SLOT && slab.endOf(first) <= e ? first : NO_SLOT;
  }
}
