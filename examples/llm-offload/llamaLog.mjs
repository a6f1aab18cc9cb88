// llama.cpp's own account of its memory, from its log lines (llama.cpp in node-llama-cpp 3.21.1):
//   load_tensors:   CPU_Mapped model buffer size =  3891.24 MiB
//   load_tensors:   CPU_REPACK model buffer size =  2200.00 MiB
//   llama_kv_cache:        CPU KV buffer size =   256.00 MiB
//   llama_context:        CPU compute buffer size =    70.50 MiB
const MIB = 2 ** 20;
const BUFFER = /(\S+)\s+(model|KV|compute|output)\s+buffer size\s*=\s*([\d.]+)\s*MiB/;

/**
 * Buffer sizes in bytes by kind: model buffers split by name (CPU_Mapped: the mapped file, CPU_REPACK: weights copied
 * to anonymous memory, CPU: --no-mmap copies), KV cache, compute and output buffers; null when llama.cpp did not say.
 *
 * @example parseLlamaLog(["llama_kv_cache:        CPU KV buffer size =   256.00 MiB"]).kvBytes // 268435456
 */
export function parseLlamaLog(lines) {
  const out = {
    mappedBytes: null,
    repackBytes: null,
    modelCpuBytes: null,
    kvBytes: null,
    computeBytes: null,
    outputBytes: null,
  };
  const add = (key, bytes) => {
    out[key] = (out[key] ?? 0) + bytes;
  };
  for (const line of lines) {
    const m = BUFFER.exec(line);
    if (!m) continue;
    const [, name, kind, mib] = m;
    const bytes = Math.round(Number(mib) * MIB);
    if (kind === "KV") add("kvBytes", bytes);
    else if (kind === "compute") add("computeBytes", bytes);
    else if (kind === "output") add("outputBytes", bytes);
    else if (/REPACK/i.test(name)) add("repackBytes", bytes);
    else if (/Mapped/i.test(name)) add("mappedBytes", bytes);
    else add("modelCpuBytes", bytes);
  }
  return out;
}
