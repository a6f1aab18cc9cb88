#!/usr/bin/env python3
"""Baseline for `npm run bench` (goal datasets): the analyze summary of an MSR Cambridge CSV, the plain way.

What someone would write without blkrx: Python's csv module over
Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime lines, keep the
reads, sectors = bytes / 512, clip them to the file's extents and count
bytes, unique file sectors and the gap classes of docs/metrics.md, exactly
as bench/baseline_regex.py does for blkparse text (its summary is reused:
only the reading of the input differs). The file is in time order, as MSR
traces are.

    python3 bench/baseline_msr.py usr_0.csv --extents frag.filefrag.txt --partition-start 2048
"""

import csv

from baseline_regex import parse_args, print_summary


def msr_reads(path):
    """(start, sectors) of each read of an MSR Cambridge CSV (bytes / 512), more than 0 sectors."""
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if row[3] != "Read":
                continue
            count = int(row[5]) // 512
            if count:
                yield int(row[4]) // 512, count


def main():
    a = parse_args()
    print_summary(msr_reads(a.trace), a)


if __name__ == "__main__":
    main()
