-- bench/watch/inventories.sql: :inventories inventories of :inventory_size
-- components each, drawn from the SBOM's components (so each component is
-- watched by several inventories, as shared libraries are), watched with
-- pkgmeta_watch; and the SBOM of the first :big_sbom components.
\set ON_ERROR_STOP 1
SELECT clock_timestamp() AS started \gset
SELECT count(pkgmeta_watch('inventory-' || n, (
           SELECT jsonb_build_object('bomFormat', 'CycloneDX', 'specVersion', '1.5',
                                     'components', jsonb_agg(bench.component_json(c)))
             FROM generate_series(0, :inventory_size - 1) k
             JOIN bench.component c
               ON c.j = (n::bigint * :inventory_size + k) * 104723 % :components + 1)))
  FROM generate_series(1, :inventories) n;
SELECT :inventories AS inventories,
       (SELECT count(*) FROM pkgmeta.watched_components) AS watched_components,
       (SELECT count(*) FROM pkgmeta.findings WHERE resolved_at IS NULL) AS open_findings,
       round(extract(epoch FROM clock_timestamp() - :'started'::timestamptz)::numeric, 1)
           AS watch_seconds;
CREATE TABLE bench.big_sbom AS
SELECT jsonb_build_object('bomFormat', 'CycloneDX', 'specVersion', '1.5',
                          'components', jsonb_agg(bench.component_json(c) ORDER BY c.j)) AS doc
  FROM bench.component c WHERE c.j <= :big_sbom;
VACUUM ANALYZE;
