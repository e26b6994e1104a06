-- bench/lookup/setup.sql: a synthetic mirror of :packages packages and a
-- CycloneDX SBOM of :components components, generated in SQL.
\set ON_ERROR_STOP 1
CREATE EXTENSION pkgmeta;
CREATE SCHEMA bench;

INSERT INTO pkgmeta.licenses (id, spdx_identifier)
SELECT i, 'LicenseRef-bench-' || i FROM generate_series(1, 50) i;

-- Package i: its purl type, export name and purl name.  Types mix orderings
-- (SemVer, Maven, PEP 440) and names that need normalization or a namespace.
CREATE FUNCTION bench.type_id(i bigint) RETURNS smallint LANGUAGE sql IMMUTABLE
RETURN CASE i % 20 WHEN 0 THEN 4 WHEN 1 THEN 4                        -- golang
                   WHEN 2 THEN 14 WHEN 3 THEN 14                      -- cargo
                   WHEN 4 THEN 8 WHEN 5 THEN 8 WHEN 6 THEN 8          -- pypi
                   WHEN 7 THEN 5 WHEN 8 THEN 5 WHEN 9 THEN 5 WHEN 10 THEN 5 WHEN 11 THEN 5  -- maven
                   ELSE 6 END;                                        -- npm
CREATE FUNCTION bench.name(i bigint) RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE bench.type_id(i)
           WHEN 4 THEN 'github.com/bench' || i % 1000 || '/mod-' || i
           WHEN 14 THEN 'bench-crate-' || i
           WHEN 8 THEN 'bench-pkg-' || i
           WHEN 5 THEN 'org.bench' || i % 1000 || '/artifact-' || i
           ELSE CASE WHEN i % 7 = 0 THEN '@scope' || i % 100 || '/pkg-' || i
                     ELSE 'bench-pkg-' || i END END;
CREATE FUNCTION bench.purl(i bigint, version text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN 'pkg:' || (SELECT name FROM pkgmeta.purl_types WHERE id = bench.type_id(i)) || '/' ||
       CASE bench.type_id(i)
           WHEN 8 THEN 'Bench_Pkg_' || i                   -- normalized to bench-pkg-i
           WHEN 6 THEN replace(bench.name(i), '@', '%40')
           ELSE bench.name(i) END || '@' || version;
CREATE FUNCTION bench.version(i bigint, v text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE WHEN bench.type_id(i) = 4 THEN 'v' || v ELSE v END;

-- Every 10th package lists exact versions with other licenses.
INSERT INTO pkgmeta.packages
SELECT bench.type_id(i), bench.name(i),
       bench.version(i, '1.0.0'),
       bench.version(i, (1 + i % 5) || '.' || i % 10 || '.0'),
       CASE WHEN i % 7 = 0 THEN ARRAY[1 + i % 50, 1 + (i + 1) % 50] ELSE ARRAY[1 + i % 50] END,
       CASE WHEN i % 10 = 0
            THEN ARRAY[ROW(ARRAY[1 + (i + 3) % 50],
                           ARRAY[bench.version(i, '0.9.0'), bench.version(i, '0.9.1'),
                                 bench.version(i, '0.9.2')])]::pkgmeta.license_exception[]
            ELSE '{}' END
  FROM generate_series(1, :packages) i;
VACUUM ANALYZE pkgmeta.packages;

-- Component j: 70% in range, 10% above the range, 10% an exact
-- other_licenses version, 10% a package the mirror does not have.
CREATE TABLE bench.component AS
SELECT j, kind, i, bench.type_id(i) AS type_id,
       CASE kind WHEN 'miss' THEN 'no-such-pkg-' || j ELSE bench.name(i) END AS name,
       version,
       CASE kind WHEN 'miss' THEN 'pkg:npm/no-such-pkg-' || j || '@1.0.0'
                 ELSE bench.purl(i, version) END AS purl
  FROM (SELECT j, kind, i,
               bench.version(i, CASE kind WHEN 'in-range' THEN '1.0.' || i % 10
                                          WHEN 'above' THEN '99.0.0'
                                          WHEN 'exception' THEN '0.9.1'
                                          ELSE '1.0.0' END) AS version
          FROM (SELECT j,
                       CASE WHEN j % 20 < 14 THEN 'in-range' WHEN j % 20 < 16 THEN 'above'
                            WHEN j % 20 < 18 THEN 'exception' ELSE 'miss' END AS kind,
                       CASE WHEN j % 20 IN (16, 17)
                            THEN (j * 7919 % (:packages / 10)) * 10 + 10
                            ELSE j * 7919 % :packages + 1 END AS i
                  FROM generate_series(1, :components) j) c) v;
UPDATE bench.component SET type_id = 6 WHERE kind = 'miss';
VACUUM ANALYZE bench.component;

CREATE FUNCTION bench.component_json(c bench.component) RETURNS jsonb LANGUAGE sql IMMUTABLE
RETURN jsonb_build_object('bom-ref', 'c' || c.j, 'type', 'library', 'purl', c.purl);

-- The SBOM: every 100th component carries the next 9 as nested components.
CREATE TABLE bench.sbom AS
SELECT jsonb_build_object(
           'bomFormat', 'CycloneDX', 'specVersion', '1.5',
           'components', jsonb_agg(
               CASE WHEN p.j % 100 = 0 AND p.j < :components
                    THEN bench.component_json(p) || jsonb_build_object('components',
                             (SELECT jsonb_agg(bench.component_json(c) ORDER BY c.j)
                                FROM bench.component c WHERE c.j BETWEEN p.j + 1 AND p.j + 9))
                    ELSE bench.component_json(p) END ORDER BY p.j)) AS doc
  FROM bench.component p
 WHERE p.j % 100 NOT BETWEEN 1 AND 9 OR p.j < 100;
