-- pkgmeta 0.1.0 -> 0.2.0.  Every SQL change of the 0.2.0 round lands here,
-- appended in the order it was made; a fresh CREATE EXTENSION runs
-- pkgmeta--0.1.0.sql and then this script, so an upgraded database and a
-- new one hold the same objects.
\echo Use "ALTER EXTENSION pkgmeta UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Advisories are decoded in C (src/decode_advisory.c) and written from C
-- (src/advisory_writer.c): the SQL writer that validated jsonb goes.
DROP FUNCTION pkgmeta.apply_advisory(jsonb, smallint);

-- GitLab's exports name an affected package's distribution "distro"; older
-- ones "distro_version" (FORMAT-PART2.md, section D).  The sync reads both
-- into one column; the view follows the column's new name.
ALTER TABLE pkgmeta.advisory_packages RENAME COLUMN distro_version TO distro;
DROP VIEW pkgmeta.affected_packages;
CREATE VIEW pkgmeta.affected_packages AS
SELECT t.name AS purl_type,
       ap.name,
       a.advisory_id,
       a.source,
       a.title,
       (SELECT COALESCE(i ->> 'value', i ->> 'name')
          FROM jsonb_array_elements(a.identifiers) AS i
         WHERE lower(i ->> 'type') = 'cve'
         LIMIT 1) AS cve,
       a.cvss_v2,
       a.cvss_v3,
       a.cvss_v4,
       a.published_date,
       ap.affected_range,
       ap.fixed_versions,
       ap.solution,
       ap.distro,
       a.urls
  FROM pkgmeta.advisory_packages ap
  JOIN pkgmeta.advisories a ON a.id = ap.advisory
  JOIN pkgmeta.purl_types t ON t.id = ap.purl_type;
REVOKE ALL ON pkgmeta.affected_packages FROM PUBLIC;
GRANT SELECT ON pkgmeta.affected_packages TO PUBLIC;
