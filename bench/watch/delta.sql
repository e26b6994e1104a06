-- bench/watch/delta.sql: an advisory delta of :delta advisories over the
-- mirror of bench/lookup/setup.sql and the advisories of
-- bench/vulnerabilities/advisories.sql, written as one v2 advisory file to
-- :'delta_file' (server-side COPY).  :hit percent of them name packages of
-- the SBOM's components, which the inventories watch: half of those
-- re-state existing advisories (BENCH-k; for even k the range now excludes
-- every version the components have, so their findings resolve, for odd k
-- it widens to 1.x), half are new (BENCH-D-n) with a range covering the
-- component's version (findings open in every inventory holding it).  The
-- rest are new advisories of packages nobody watches (BENCH-U-n).
\set ON_ERROR_STOP 1
CREATE FUNCTION bench.range_for(type_id smallint, i bigint, lo text, hi text)
    RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE WHEN type_id = 5 THEN '[' || lo || ',' || hi || ')'
            WHEN type_id = 8 THEN '>=' || lo || ',<' || hi
            ELSE '>=' || bench.version(i, lo) || ' <' || bench.version(i, hi) END;

CREATE TABLE bench.delta AS
SELECT 'BENCH-' || f.k AS id, CASE WHEN f.k % 3 = 0 THEN 'trivy' ELSE 'glad' END AS source,
       f.type_id, f.i, f.name,
       CASE WHEN f.k % 2 = 0 THEN bench.range_for(f.type_id, f.i, '0.0.1', '0.0.2')
            ELSE bench.range_for(f.type_id, f.i, '1.0.0', '2.0.0') END AS range
  FROM bench.affected f
 WHERE f.m = 0 AND f.k <= :delta * :hit / 200
UNION ALL
SELECT 'BENCH-D-' || n, 'glad', c.type_id, c.i, c.name,
       bench.range_for(c.type_id, c.i, '1.0.0', '2.0.0')
  FROM generate_series(1, :delta * :hit / 100 - :delta * :hit / 200) n
  JOIN bench.component c ON c.j = n * 7919 % :components + 1
UNION ALL
SELECT 'BENCH-U-' || n, 'glad', 6::smallint, n, 'bench-unwatched-' || n, '>=1.0.0 <2.0.0'
  FROM generate_series(1, :delta - :delta * :hit / 100) n;

COPY (SELECT jsonb_build_object(
                 'advisory', jsonb_build_object(
                     'id', d.id, 'source', d.source, 'title', 'delta advisory ' || d.id,
                     'published_date', '2026-01-01',
                     'cvss_v3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
                     'urls', jsonb_build_array('https://example.test/' || d.id),
                     'identifiers', jsonb_build_array(jsonb_build_object(
                         'type', 'cve', 'name', 'CVE-2026-' || d.id, 'value', 'CVE-2026-' || d.id))),
                 'packages', jsonb_build_array(jsonb_build_object(
                     'name', d.name, 'purl_type', t.name, 'affected_range', d.range,
                     'fixed_versions', jsonb_build_array(bench.version(d.i, '2.0.0')))))::text
        FROM bench.delta d JOIN pkgmeta.purl_types t ON t.id = d.type_id
       ORDER BY d.id)
  TO :'delta_file';
