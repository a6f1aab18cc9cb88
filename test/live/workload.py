#!/usr/bin/env python3
# Copied unchanged (apart from this comment) from the project's shared material, shared/tools/workload.py,
# so the live tests run on a fresh clone without ../shared.
"""Read workloads with known ground truth, for capturing reference block traces.
usage: workload.py direct FILE GT.json | mmap FILE LAYERS TOKENS | seq FILE"""
import json, mmap, os, sys

def direct(path, gt_path):
    # O_DIRECT reads at known file offsets: each read is one block request
    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    size = os.fstat(fd).st_size
    buf = mmap.mmap(-1, 1 << 20)
    K = 1024
    plan = []
    off = 0
    for _ in range(16):                      # 16 sequential 64 KiB reads
        plan.append((off, 64 * K)); off += 64 * K
    plan.append((off + 16 * K, 64 * K)); off += 80 * K          # small forward gap (16 KiB)
    plan.append((off + 512 * K, 128 * K)); off += 640 * K       # medium gap (512 KiB)
    plan.append((off + 8 * 1024 * K, 64 * K)); off += 8256 * K  # large gap (8 MiB)
    plan.append((4096 * K, 64 * K))                              # backward seek
    plan.append((4096 * K, 64 * K))                              # re-read: same sectors (dedup)
    plan.append((size - 256 * K, 256 * K))                       # tail of file
    for o, n in plan:
        os.preadv(fd, [memoryview(buf)[:n]], o)
    json.dump({"file_size": size, "reads": [{"offset": o, "length": n} for o, n in plan]},
              open(gt_path, "w"), indent=1)

def mmap_layers(path, layers, tokens):
    # transformer-like: per token, walk layer regions in order, touching one byte per page
    f = open(path, "rb"); size = os.fstat(f.fileno()).st_size
    m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    embd = size // 10                        # "embedding table" at file start
    layer = (size - embd) // layers
    s = 0
    for t in range(tokens):
        for p in range(embd + t * 4096 * 37 % embd // 4096 * 4096, embd, embd):
            s += m[p % embd]                 # one embedding row
        for l in range(layers):
            base = embd + l * layer
            for p in range(base, base + layer, 4096):
                s += m[p]
    print(s % 7)

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "direct": direct(sys.argv[2], sys.argv[3])
    elif cmd == "mmap": mmap_layers(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "seq":
        with open(sys.argv[2], "rb") as f:
            while f.read(1 << 20): pass
