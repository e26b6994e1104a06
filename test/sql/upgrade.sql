-- An upgrade from 0.1.0 keeps the advisories 0.1.0 wrote: the affected
-- package's distribution moves from distro_version to distro, the view
-- answers as before under the new column name, and the SQL advisory
-- writer is gone (the sync decodes and writes advisories in C).
CREATE DATABASE regress_pkgmeta_upgrade;
\c regress_pkgmeta_upgrade
CREATE EXTENSION pkgmeta VERSION '0.1.0';
SELECT pkgmeta.apply_advisory('{"advisory":{"id":"u-1","source":"glad","published_date":"2021-03-04",
    "identifiers":[{"type":"cve","name":"CVE-2021-1","value":"CVE-2021-1"}]},
    "packages":[{"name":"OpenSSL","affected_range":"<1.1","distro_version":"debian 11"},
                {"name":"zlib","affected_range":"*"}]}', 11::smallint);
SELECT pkgmeta.apply_advisory('{"advisory":{"id":"u-2","source":"glad","published_date":"2021-03-04"},
    "packages":[{"name":"left-pad","affected_range":"<1.2.3x"}]}', 6::smallint);
CREATE TEMP TABLE before AS SELECT * FROM pkgmeta.affected_packages;
-- the CVE enrichment feed waits for the update, saying so
SET pkgmeta.data_types = 'cve_enrichment';
SET pkgmeta.cve_enrichment_source = 'file:///';
CALL pkgmeta_sync();
RESET pkgmeta.data_types;
RESET pkgmeta.cve_enrichment_source;
ALTER EXTENSION pkgmeta UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pkgmeta';
SELECT purl_type, name, advisory_id, cve, affected_range, distro FROM pkgmeta.affected_packages ORDER BY name;
-- every column of every row as before, distro_version now called distro,
-- and the CVE enrichment columns added at the end (no enrichment yet)
SELECT count(*) AS changed_rows FROM (
    SELECT to_jsonb(b) - 'distro_version'
           || jsonb_build_object('distro', b.distro_version, 'epss_score', null,
                                 'known_exploited', null) FROM before b
    EXCEPT
    SELECT to_jsonb(a) FROM pkgmeta.affected_packages a) AS d;
-- the enrichment of the advisory's CVE shows in its rows
INSERT INTO pkgmeta.cve_enrichment (cve, epss_score, known_exploited) VALUES ('CVE-2021-1', 0.25, true);
SELECT name, cve, epss_score, known_exploited FROM pkgmeta.affected_packages ORDER BY name;
SELECT to_regprocedure('pkgmeta.apply_advisory(jsonb,smallint)') AS sql_advisory_writer;
-- the stored ranges are compiled; the one that cannot be read has a bad-range row
SELECT name, affected_range, compiled_range IS NOT NULL AS compiled, compiled_range IS NOT DISTINCT FROM
       (pkgmeta.compile_range(purl_type, affected_range)).compiled AS compiled_as_the_sync_would
  FROM pkgmeta.advisory_packages ORDER BY name;
SELECT purl_type, reason, excerpt FROM pkgmeta.sync_errors;
SELECT advisory_id, affected FROM pkgmeta_vulnerabilities('pkg:npm/left-pad@1.0.0');
\c regression
DROP DATABASE regress_pkgmeta_upgrade;
