import { grown } from "../model/grown.js";
import { LATENCY_INTERVALS, type LatencyInterval } from "../model/latency.js";
import type { RequestBatch } from "../model/requests.js";
import { type BioSlab, Has } from "./bioSlab.js";

/** The columns of a {@link RequestBatch} (without its counts), as {@link RequestColumns.take} copies them out. */
export type RequestRows = Pick<
  RequestBatch,
  "length" | "device" | "sector" | "sectors" | "direction" | "pid" | "phase" | "time" | LatencyInterval
>;

/**
 * Growable output columns of the bios completed since the last batch, with
 * their stage intervals computed as btt does: rows are appended in place
 * (capacity doubles, so never an allocation per bio) and copied out compact
 * by {@link RequestColumns.take}.
 *
 * @example
 * const out = new RequestColumns();
 * out.appendBio(slab, slot, completedAt);
 * const rows = out.take(); // rows.length === 1, out is empty again
 */
export class RequestColumns {
  length = 0;
  device = new Uint32Array(64);
  sector = new Float64Array(64);
  sectors = new Float64Array(64);
  direction = new Uint8Array(64);
  pid = new Uint32Array(64);
  phase = new Uint16Array(64);
  time = new Float64Array(64);
  /**
   * Intervals so far whose end was stamped before their start (skewed CPU
   * clocks); each counts as 1 ns, as in btt.
   */
  skewed = 0;
  /** One column per stage interval. */
  intervals: Record<LatencyInterval, Float64Array> = intervalColumns(() => new Float64Array(64));

  /** Append the bio in `slot` of `slab`, completed at `t`: its identity and stage intervals. */
  appendBio(slab: BioSlab, slot: number, t: number): void {
    const r = this.next();
    const q = slab.qTime[slot] as number;
    const g = slab.gTime[slot] as number;
    const ins = slab.iTime[slot] as number;
    const m = slab.mTime[slot] as number;
    const dt = slab.dTime[slot] as number;
    const start = slab.start[slot] as number;
    this.device[r] = slab.dev[slot] as number;
    this.sector[r] = start;
    this.sectors[r] = (slab.end[slot] as number) - start;
    this.direction[r] = slab.dir[slot] as number;
    this.pid[r] = slab.pid[slot] as number;
    this.phase[r] = slab.phase[slot] as number;
    this.time[r] = t;
    const iv = this.intervals;
    const has = slab.has[slot] as number;
    iv.q2g[r] = this.delta(q, g);
    iv.g2i[r] = has & Has.G2I ? this.delta(g, ins) : Number.NaN;
    iv.q2m[r] = this.delta(q, m);
    iv.i2d[r] = has & Has.I2D ? this.delta(ins, dt) : Number.NaN;
    iv.m2d[r] = has & Has.M2D ? this.delta(m, dt) : Number.NaN;
    iv.d2c[r] = this.delta(dt, t);
    iv.q2c[r] = this.delta(q, t);
  }

  /** Make room for one more row and return its index. */
  private next(): number {
    const i = this.length;
    if (i === this.device.length) this.grow(i * 2);
    this.length = i + 1;
    return i;
  }

  /** Copies of the rows so far; the columns start empty again. */
  take(): RequestRows {
    const n = this.length;
    this.length = 0;
    const iv = this.intervals;
    return {
      length: n,
      device: this.device.slice(0, n),
      sector: this.sector.slice(0, n),
      sectors: this.sectors.slice(0, n),
      direction: this.direction.slice(0, n),
      pid: this.pid.slice(0, n),
      phase: this.phase.slice(0, n),
      time: this.time.slice(0, n),
      ...intervalColumns((name) => iv[name].slice(0, n)),
    };
  }

  /**
   * Interval from `from` to `to` in ns as btt's `tdelta` counts it: NaN when
   * a stage is missing, else at least 1 ns; an end stamped before its start
   * (skewed CPU clocks) is counted in `skewed`.
   */
  private delta(from: number, to: number): number {
    if (Number.isNaN(from) || Number.isNaN(to)) return Number.NaN;
    if (from < to) return to - from;
    if (from > to) this.skewed++;
    return 1;
  }

  private grow(cap: number): void {
    this.device = grown(this.device, cap);
    this.sector = grown(this.sector, cap);
    this.sectors = grown(this.sectors, cap);
    this.direction = grown(this.direction, cap);
    this.pid = grown(this.pid, cap);
    this.phase = grown(this.phase, cap);
    this.time = grown(this.time, cap);
    const iv = this.intervals;
    this.intervals = intervalColumns((name) => grown(iv[name], cap));
  }
}

/** A record with one column per interval, made by `column`. */
function intervalColumns(column: (name: LatencyInterval) => Float64Array): Record<LatencyInterval, Float64Array> {
  const out = {} as Record<LatencyInterval, Float64Array>;
  for (const name of LATENCY_INTERVALS) out[name] = column(name);
  return out;
}
