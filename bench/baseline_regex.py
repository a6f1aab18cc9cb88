#!/usr/bin/env python3
"""Baseline for `npm run bench`: the analyze summary of blkparse text, the straightforward way.

A plain Python script as someone would write it without blkrx: one regular
expression per line, keep D reads (RWBS has R, not a discard, > 0 sectors),
clip them to the file's extents (filefrag -v listing + partition start),
count bytes, unique file sectors (a bytearray bitmap over the file) and the
physical / logical gap classes of docs/metrics.md. Prints the JSON contract.

    python3 bench/baseline_regex.py TRACE.blkparse.txt --extents frag.filefrag.txt --partition-start 2048
"""

import argparse
import json
import re
import sys

LINE = re.compile(r"^\s*(\d+),(\d+)\s+(\d+)\s+(\d+)\s+(\d+\.\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\d+) \+ (\d+)")
HEADER_SIZE = re.compile(r"(?:is|size of) (\d+) \((\d+) blocks of (\d+) bytes\)")
EXTENT = re.compile(r"^\s*\d+:\s*(\d+)\.\.\s*(\d+):\s*(\d+)\.\.\s*(\d+):\s*(\d+):")
CLASSES = ["sequential", "small", "medium", "large", "backward"]


def read_extents(path, partition_start, file_size):
    """Device-sector runs (device start, file start, length) of a filefrag -v listing, sorted."""
    block = 4096
    size = file_size
    rows = []
    with open(path) as f:
        for line in f:
            m = HEADER_SIZE.search(line)
            if m:
                block = int(m.group(3))
                if size is None:
                    size = int(m.group(1))
                continue
            m = EXTENT.match(line)
            if m:
                rows.append((int(m.group(1)), int(m.group(3)), int(m.group(5))))
    per_block = block // 512
    file_sectors = -(-size // 512)
    runs = []
    for logical, physical, length in rows:
        file_start = logical * per_block
        if file_start >= file_sectors:
            continue
        sectors = min(length * per_block, file_sectors - file_start)
        runs.append((partition_start + physical * per_block, file_start, sectors))
    runs.sort()
    return runs, size, file_sectors, len(rows)


def classify(gap, small, medium):
    if gap == 0:
        return 0
    if gap < 0:
        return 4
    if gap <= small:
        return 1
    if gap <= medium:
        return 2
    return 3


def parse_args():
    """The options both baselines take, as blkrx analyze spells them."""
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--extents", required=True)
    ap.add_argument("--partition-start", type=int, default=0)
    ap.add_argument("--file-size", type=int)
    ap.add_argument("--small", type=int, default=256)
    ap.add_argument("--medium", type=int, default=2048)
    return ap.parse_args()


def print_summary(reads, a):
    """Clip the (start, sectors) device reads to the file's extents and print the summary as JSON."""
    runs, file_size, file_sectors, extent_rows = read_extents(a.extents, a.partition_start, a.file_size)
    seen = bytearray(file_sectors)
    events = 0
    read_sectors = 0
    phys = [0] * 5
    logi = [0] * 5
    prev_phys = None
    prev_log = None
    for start, count in reads:
        end = start + count
        lstart = None
        lend = None
        for dev, fstart, length in runs:
            lo = max(start, dev)
            hi = min(end, dev + length)
            if hi <= lo:
                continue
            off = fstart + lo - dev
            seen[off : off + hi - lo] = b"\x01" * (hi - lo)
            read_sectors += hi - lo
            lstart = off if lstart is None else min(lstart, off)
            lend = off + hi - lo if lend is None else max(lend, off + hi - lo)
        if lstart is None:
            continue
        events += 1
        if prev_phys is not None:
            phys[classify(start - prev_phys, a.small, a.medium)] += 1
            logi[classify(lstart - prev_log, a.small, a.medium)] += 1
        prev_phys = end
        prev_log = lend
    unique = seen.count(1)
    summary = {
        "events": events,
        "readBytes": read_sectors * 512,
        "uniqueBytes": unique * 512,
        "uniqueSectors": unique,
        "fileBytes": file_size,
        "fileSectors": file_sectors,
        "coverage": unique / file_sectors,
        "extents": extent_rows,
        "gaps": {
            "physical": dict(zip(CLASSES, phys)),
            "logical": dict(zip(CLASSES, logi)),
        },
    }
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


def blkparse_reads(path):
    """(start, sectors) of each D read in blkparse text: RWBS has R and no D (discard), more than 0 sectors."""
    with open(path, "r", encoding="latin-1") as f:
        for line in f:
            m = LINE.match(line)
            if not m or m.group(7) != "D":
                continue
            rwbs = m.group(8)
            if "R" not in rwbs or "D" in rwbs:
                continue
            count = int(m.group(10))
            if count:
                yield int(m.group(9)), count


def main():
    a = parse_args()
    print_summary(blkparse_reads(a.trace), a)


if __name__ == "__main__":
    main()
