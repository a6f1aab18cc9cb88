#!/usr/bin/env python3
"""Baseline for `npm run bench` (goal datasets): the analyze summary of an MSR Cambridge CSV, the plain way.

What someone would write without blkrx: Python's csv module over
Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime lines, keep the
reads, sectors = bytes / 512, clip them to the file's extents and count
bytes, unique file sectors and the gap classes of spec/metrics.md, exactly
as bench/baseline_regex.py does for blkparse text (its extent reader and
classifier are reused). The file is in time order, as MSR traces are.

    python3 bench/baseline_msr.py usr_0.csv --extents frag.filefrag.txt --partition-start 2048
"""

import argparse
import csv
import json
import sys

from baseline_regex import CLASSES, classify, read_extents


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--extents", required=True)
    ap.add_argument("--partition-start", type=int, default=0)
    ap.add_argument("--file-size", type=int)
    ap.add_argument("--small", type=int, default=256)
    ap.add_argument("--medium", type=int, default=2048)
    a = ap.parse_args()
    runs, file_size, file_sectors, extent_rows = read_extents(a.extents, a.partition_start, a.file_size)
    seen = bytearray(file_sectors)
    events = 0
    read_sectors = 0
    phys = [0] * 5
    logi = [0] * 5
    prev_phys = None
    prev_log = None
    with open(a.trace, newline="") as f:
        for row in csv.reader(f):
            if row[3] != "Read":
                continue
            start = int(row[4]) // 512
            count = int(row[5]) // 512
            if count == 0:
                continue
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


if __name__ == "__main__":
    main()
