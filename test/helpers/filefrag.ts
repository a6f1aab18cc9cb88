/**
 * A `filefrag -v` listing with every extent row split in two rows that
 * continue each other (as ext4 lists an extent its status cache has split):
 * same extents, twice the rows, renumbered; the "N extents found" line is
 * kept, since filefrag counts such rows once.
 *
 * @example splitFilefragRows(readFileSync("frag.filefrag.txt", "utf8"))
 */
export function splitFilefragRows(text: string): string {
  const row = /^\s*(\d+):\s*(\d+)\.\.\s*(\d+):\s*(\d+)\.\.\s*(\d+):\s*(\d+):\s*(\d*):?\s*(.*)$/;
  let n = 0;
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = row.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const [logical, , physical, , length] = [2, 3, 4, 5, 6].map((k) => Number(m[k])) as number[];
    const expected = m[7] ?? "";
    const flags = m[8] ?? "";
    const half = Math.max(1, Math.floor((length as number) / 2));
    const fmt = (i: number, l: number, p: number, len: number, exp: string, f: string): string =>
      `${String(i).padStart(4)}: ${String(l).padStart(8)}..${String(l + len - 1).padStart(8)}: ${String(p).padStart(10)}..${String(p + len - 1).padStart(10)}: ${String(len).padStart(6)}: ${exp.padStart(10)}: ${f}`;
    if ((length as number) < 2) {
      out.push(fmt(n++, logical as number, physical as number, length as number, expected, flags));
      continue;
    }
    out.push(fmt(n++, logical as number, physical as number, half, expected, ""));
    out.push(fmt(n++, (logical as number) + half, (physical as number) + half, (length as number) - half, "", flags));
  }
  return out.join("\n");
}
