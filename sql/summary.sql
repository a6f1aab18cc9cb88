-- blkrx: the whole analyze summary (spec/metrics.md v1) from raw events and extents.
--
-- Portable SQL: runs unchanged on DuckDB and on ClickHouse's engine (verified with chDB in
-- test/chdb), and is written for Spark SQL too. Portability rules kept here:
--   * no string type names (ClickHouse has no STRING, Spark wants a length with VARCHAR): action and
--     rwbs are compared and LIKE-matched as they are (DuckDB does that on its enum columns too);
--   * no CAST of a value that may be NULL (ClickHouse casts to non-Nullable types);
--   * no reliance on NULLs from LEFT JOIN (ClickHouse fills unmatched rows with 0 unless join_use_nulls);
--   * NOT IN rather than a correlated NOT EXISTS; every output column named.
-- Inputs are three tables (or views) as `blkrx export --parquet DIR` writes them (docs/scale.md
-- gives the views for DuckDB, ClickHouse and Spark):
--   runs        one row per run; the parameters used here are
--               run_id, action ('D' | 'Q' | 'C'), rw ('read' | 'write' | 'any'),
--               small, medium (gap class limits, sectors), file_bytes (file size, NULL without extents)
--   raw_events  every traced event, unfiltered: run_id, ordinal (input order), time_ns, action (letter),
--               rwbs, sector, sectors, bytes
--   extents     the file's extents per run: run_id, device_start_sector, file_start_sector,
--               sectors (already clipped to ceil(file_bytes / 512))
-- To compute a summary with other parameters, change them in `runs` (or a view over it).
-- Output: one row per run with the JSON contract's numbers (gap counts as physical_* / logical_*).
WITH params AS (
  SELECT run_id, action, rw, small, medium, file_bytes,
    CAST(FLOOR((COALESCE(file_bytes, 0) + 511) / 512) AS BIGINT) AS file_sectors
  FROM runs
),
extent_counts AS (
  SELECT run_id, COUNT(*) AS extents FROM extents GROUP BY run_id
),
-- Selection: one action, one direction; discards and zero-length events never count.
selected AS (
  SELECT e.run_id, e.ordinal, e.time_ns, e.sector, e.sector + e.sectors AS sector_end
  FROM raw_events e JOIN params p ON p.run_id = e.run_id
  WHERE e.action = p.action AND e.bytes > 0
    AND ((p.rw = 'read' AND e.rwbs LIKE '%R%')
      OR (p.rw = 'write' AND e.rwbs LIKE '%W%')
      OR (p.rw = 'any' AND (e.rwbs LIKE '%R%' OR e.rwbs LIKE '%W%')))
),
-- File range: the intersections with the extents (range join), each mapped to file sectors;
-- a run without extents keeps every selected event whole (logical = physical).
pieces AS (
  SELECT s.run_id, s.ordinal, s.time_ns, s.sector, s.sector_end,
    x.file_start_sector + GREATEST(s.sector, x.device_start_sector) - x.device_start_sector AS p_start,
    x.file_start_sector + LEAST(s.sector_end, x.device_start_sector + x.sectors) - x.device_start_sector AS p_end
  FROM selected s JOIN extents x ON x.run_id = s.run_id
    AND x.device_start_sector < s.sector_end AND x.device_start_sector + x.sectors > s.sector
  UNION ALL
  SELECT s.run_id, s.ordinal, s.time_ns, s.sector, s.sector_end, s.sector, s.sector_end
  FROM selected s
  WHERE s.run_id NOT IN (SELECT run_id FROM extent_counts)
),
kept AS (
  SELECT run_id, ordinal, time_ns,
    MIN(sector) AS phys_start, MIN(sector_end) AS phys_end,
    MIN(p_start) AS log_start, MAX(p_end) AS log_end,
    SUM(p_end - p_start) AS read_sectors
  FROM pieces GROUP BY run_id, ordinal, time_ns
),
-- Gaps between consecutive kept events in processing order (time, then input order).
gapped AS (
  SELECT run_id,
    phys_start - LAG(phys_end) OVER (PARTITION BY run_id ORDER BY time_ns, ordinal) AS pgap,
    log_start - LAG(log_end) OVER (PARTITION BY run_id ORDER BY time_ns, ordinal) AS lgap
  FROM kept
),
gap_counts AS (
  SELECT g.run_id,
    SUM(CASE WHEN pgap = 0 THEN 1 ELSE 0 END) AS physical_sequential,
    SUM(CASE WHEN pgap > 0 AND pgap <= p.small THEN 1 ELSE 0 END) AS physical_small,
    SUM(CASE WHEN pgap > p.small AND pgap <= p.medium THEN 1 ELSE 0 END) AS physical_medium,
    SUM(CASE WHEN pgap > p.medium THEN 1 ELSE 0 END) AS physical_large,
    SUM(CASE WHEN pgap < 0 THEN 1 ELSE 0 END) AS physical_backward,
    SUM(CASE WHEN lgap = 0 THEN 1 ELSE 0 END) AS logical_sequential,
    SUM(CASE WHEN lgap > 0 AND lgap <= p.small THEN 1 ELSE 0 END) AS logical_small,
    SUM(CASE WHEN lgap > p.small AND lgap <= p.medium THEN 1 ELSE 0 END) AS logical_medium,
    SUM(CASE WHEN lgap > p.medium THEN 1 ELSE 0 END) AS logical_large,
    SUM(CASE WHEN lgap < 0 THEN 1 ELSE 0 END) AS logical_backward
  FROM gapped g JOIN params p ON p.run_id = g.run_id
  GROUP BY g.run_id
),
-- Unique sectors: union of the pieces' intervals (gaps-and-islands over start order).
reach AS (
  SELECT run_id, p_start, p_end,
    MAX(p_end) OVER (PARTITION BY run_id ORDER BY p_start, p_end ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_to
  FROM pieces
),
islands AS (
  SELECT run_id, p_start, p_end,
    SUM(CASE WHEN covered_to IS NULL OR p_start > covered_to THEN 1 ELSE 0 END)
      OVER (PARTITION BY run_id ORDER BY p_start, p_end ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
  FROM reach
),
unique_counts AS (
  SELECT run_id, SUM(hi - lo) AS unique_sectors
  FROM (SELECT run_id, island, MIN(p_start) AS lo, MAX(p_end) AS hi FROM islands GROUP BY run_id, island) merged
  GROUP BY run_id
),
totals AS (
  SELECT run_id, COUNT(*) AS events, SUM(read_sectors) AS read_sectors FROM kept GROUP BY run_id
)
SELECT p.run_id AS run_id,
  CAST(COALESCE(t.events, 0) AS BIGINT) AS events,
  CAST(COALESCE(t.read_sectors, 0) * 512 AS BIGINT) AS read_bytes,
  CAST(COALESCE(u.unique_sectors, 0) * 512 AS BIGINT) AS unique_bytes,
  CAST(COALESCE(u.unique_sectors, 0) AS BIGINT) AS unique_sectors,
  CASE WHEN COALESCE(c.extents, 0) > 0 THEN p.file_bytes END AS file_bytes,
  CASE WHEN COALESCE(c.extents, 0) > 0 THEN p.file_sectors END AS file_sectors,
  CASE WHEN COALESCE(c.extents, 0) > 0 THEN CAST(COALESCE(u.unique_sectors, 0) AS DOUBLE) / p.file_sectors END AS coverage,
  CASE WHEN COALESCE(c.extents, 0) > 0 THEN CAST(COALESCE(c.extents, 0) AS BIGINT) END AS extents,
  CAST(COALESCE(g.physical_sequential, 0) AS BIGINT) AS physical_sequential,
  CAST(COALESCE(g.physical_small, 0) AS BIGINT) AS physical_small,
  CAST(COALESCE(g.physical_medium, 0) AS BIGINT) AS physical_medium,
  CAST(COALESCE(g.physical_large, 0) AS BIGINT) AS physical_large,
  CAST(COALESCE(g.physical_backward, 0) AS BIGINT) AS physical_backward,
  CAST(COALESCE(g.logical_sequential, 0) AS BIGINT) AS logical_sequential,
  CAST(COALESCE(g.logical_small, 0) AS BIGINT) AS logical_small,
  CAST(COALESCE(g.logical_medium, 0) AS BIGINT) AS logical_medium,
  CAST(COALESCE(g.logical_large, 0) AS BIGINT) AS logical_large,
  CAST(COALESCE(g.logical_backward, 0) AS BIGINT) AS logical_backward
FROM params p
  LEFT JOIN totals t ON t.run_id = p.run_id
  LEFT JOIN unique_counts u ON u.run_id = p.run_id
  LEFT JOIN gap_counts g ON g.run_id = p.run_id
  LEFT JOIN extent_counts c ON c.run_id = p.run_id
ORDER BY p.run_id
