// Writes a binary blk_io_trace stream to stdout: the records of TRACE repeated
// REPS times, each repetition shifted later in time by more than the trace's
// span, so the stream is one long run whose summary is known by construction.
// usage: node generateTrace.mjs TRACE.bin REPS     (prints "bytes N" on stderr at the end)
import { readFileSync } from "node:fs";

const [path, repsArg] = process.argv.slice(2);
const reps = Number(repsArg);
const trace = readFileSync(path);
const view = new DataView(trace.buffer, trace.byteOffset, trace.byteLength);
const le = (view.getUint32(0, true) & 0xffffff00) >>> 0 === 0x65617400;

// Offsets and absolute times of every record.
const offsets = [];
const times = [];
for (let pos = 0; pos + 48 <= trace.length; pos += 48 + view.getUint16(pos + 46, le)) {
  offsets.push(pos);
  const hi = view.getUint32(pos + (le ? 12 : 8), le);
  const lo = view.getUint32(pos + (le ? 8 : 12), le);
  times.push(hi * 2 ** 32 + lo);
}
const span = Math.max(...times) - Math.min(...times);
const shift = Math.ceil((span + 1e9) / 1e9) * 1e9; // whole seconds, > span + 1 s

// A block of several repetitions per write keeps the pipe busy.
const perBlock = Math.max(1, Math.floor((8 << 20) / trace.length));
const block = Buffer.alloc(trace.length * perBlock);
const blockView = new DataView(block.buffer, block.byteOffset, block.byteLength);
for (let r = 0; r < perBlock; r++) trace.copy(block, r * trace.length);

function write(buf) {
  return new Promise((resolve, reject) => process.stdout.write(buf, (e) => (e ? reject(e) : resolve())));
}

let written = 0;
for (let rep = 0; rep < reps; rep += perBlock) {
  const n = Math.min(perBlock, reps - rep);
  for (let r = 0; r < n; r++) {
    const base = r * trace.length;
    const add = (rep + r) * shift;
    for (let i = 0; i < offsets.length; i++) {
      const t = times[i] + add;
      const pos = base + offsets[i];
      blockView.setUint32(pos + (le ? 8 : 12), t % 2 ** 32, le);
      blockView.setUint32(pos + (le ? 12 : 8), Math.floor(t / 2 ** 32), le);
    }
  }
  const out = n === perBlock ? block : block.subarray(0, n * trace.length);
  await write(out);
  written += out.length;
}
process.stderr.write(`bytes ${written}\n`);
