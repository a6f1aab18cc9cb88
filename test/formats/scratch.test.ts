import fs from "node:fs";
import { test } from "vitest";
import { BlkparseTextDecoder } from "../../sources/blkparseTextDecoder.js";
import { FtraceTextDecoder } from "../../sources/ftraceTextDecoder.js";
import { BinaryDecoder } from "../../sources/binaryDecoder.js";
import { concatBatches } from "../../model/batch.js";
test("scratch", () => {
const F = "/work/main/test/fixtures/";
for (const name of ["direct-contig","pressure-frag","mmap-frag","seq-contig"]) {
  
  const d = new BlkparseTextDecoder(); const tb = concatBatches([...d.push(fs.readFileSync(F+name+".blkparse.txt")), ...d.end()]);
  const bd = new BinaryDecoder(); const b = concatBatches([...bd.push(fs.readFileSync(F+name+".bin")), ...bd.end()]);
  let diff = 0;
  for (let i = 0; i < b.length; i++) for (const k of ["time","sector","bytes","action","device","cpu","pid","sequence","error"]) if (b[k][i] !== tb[k][i]) { if (diff++ < 5) console.log(name, i, k, b[k][i].toString(16), tb[k][i].toString(16)); }
  console.log(name, b.length, tb.length, "diffs", diff, Buffer.compare(Buffer.from(b.payload.data), Buffer.from(tb.payload.data)));
}
for (const name of ["pressure-frag.classic", "direct-contig.ftrace"]) {
  const d = new FtraceTextDecoder(); const b = concatBatches([...d.push(fs.readFileSync(F+name)), ...d.end()]);
  console.log(name, b.length, d.dropped, b.names);
}

});
