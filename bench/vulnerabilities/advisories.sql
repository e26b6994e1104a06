-- bench/vulnerabilities/advisories.sql: :advisories advisories over the
-- mirror and SBOM of bench/lookup/setup.sql, stored as the sync stores them
-- (ranges compiled).  Advisory k has 2 or 3 affected packages (about 2.5
-- per advisory: 150,000 for 60,000): the first names the package of an SBOM
-- component, the second any package of the mirror, the third (odd k) a
-- Debian package no component names.  Ranges: a version in the SBOM's
-- range is affected by about half of them.
\set ON_ERROR_STOP 1
INSERT INTO pkgmeta.advisories (advisory_id, source, title, cvss_v3, cvss_v4,
                                published_date, urls, identifiers)
SELECT 'BENCH-' || k, CASE WHEN k % 3 = 0 THEN 'trivy' ELSE 'glad' END, 'advisory ' || k,
       'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
       CASE WHEN k % 4 = 0 THEN 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' END,
       date '2020-01-01' + k % 1500, ARRAY['https://example.test/BENCH-' || k],
       jsonb_build_array(jsonb_build_object('type', 'cve', 'name', 'CVE-2024-' || k,
                                            'value', 'CVE-2024-' || k))
  FROM generate_series(1, :advisories) k;
INSERT INTO pkgmeta.cve_enrichment (cve, epss_score, known_exploited)
SELECT 'CVE-2024-' || k, (k % 1000) / 1000.0, k % 50 = 0
  FROM generate_series(1, :advisories, 2) k;

CREATE TABLE bench.affected AS
SELECT k, m, i, bench.type_id(i) AS type_id, bench.name(i) AS name
  FROM (SELECT k, 0 AS m, c.i
          FROM generate_series(1, :advisories) k
          JOIN bench.component c ON c.j = k::bigint * 104729 % :components + 1
        UNION ALL
        SELECT k, 1, k * 7919 % :packages + 1
          FROM generate_series(1, :advisories) k) x;
INSERT INTO pkgmeta.advisory_packages (advisory, purl_type, name, affected_range,
                                       solution, fixed_versions, distro, compiled_range)
SELECT a.id, f.type_id, f.name, r.range, NULL, ARRAY[r.fixed, bench.version(f.i, '9.0.0')],
       NULL, (pkgmeta.compile_range(f.type_id, r.range)).compiled
  FROM bench.affected f
  JOIN pkgmeta.advisories a ON a.advisory_id = 'BENCH-' || f.k,
       LATERAL (SELECT CASE WHEN f.type_id = 5 THEN '[1.0,1.0.' || 1 + f.k % 9 || ')'
                            WHEN f.type_id = 8 THEN '>=1.0,<1.0.' || 1 + f.k % 9
                            ELSE '>=' || bench.version(f.i, '1.0.0') || ' <'
                                 || bench.version(f.i, '1.0.' || 1 + f.k % 9) END AS range,
                       bench.version(f.i, '1.0.' || 1 + f.k % 9) AS fixed) r
UNION ALL
SELECT a.id, 11, 'os-pkg-' || k % 5000, '<1.2.' || k % 7 || '-1', 'Upgrade.',
       ARRAY['1.2.' || k % 7 || '-1'], 'debian ' || 10 + k % 3,
       (pkgmeta.compile_range(11::smallint, '<1.2.' || k % 7 || '-1')).compiled
  FROM generate_series(1, :advisories, 2) k
  JOIN pkgmeta.advisories a ON a.advisory_id = 'BENCH-' || k;
VACUUM ANALYZE pkgmeta.advisories, pkgmeta.advisory_packages, pkgmeta.cve_enrichment;
