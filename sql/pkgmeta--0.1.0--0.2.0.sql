-- pkgmeta 0.1.0 -> 0.2.0.  Every SQL change of the 0.2.0 round lands here,
-- appended in the order it was made; a fresh CREATE EXTENSION runs
-- pkgmeta--0.1.0.sql and then this script, so an upgraded database and a
-- new one hold the same objects.
\echo Use "ALTER EXTENSION pkgmeta UPDATE TO '0.2.0'" to load this file. \quit

-- The purl types the library was built with (src/purl_type_list.h), for the
-- test that pkgmeta.purl_types holds the same rows.
CREATE FUNCTION pkgmeta.compiled_purl_types(OUT id smallint, OUT name text, OUT registry_id text)
    RETURNS SETOF record
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'pkgmeta_compiled_purl_types';

-- ---------------------------------------------------------------------------
-- Backups: pg_dump carries the data of extension tables only when they are
-- marked as configuration.  Everything a sync cannot rebuild is marked: the
-- mirrored rows (a mirror may have pruned the deltas they came from), the
-- checkpoints, the error history, and the identity sequences behind their
-- ids.  purl_types is not: this script writes it, and the staging tables are
-- empty between files.
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.licenses', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.packages', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.v1_licenses', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.advisories', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.advisory_packages', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.checkpoints', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.sync_errors', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('pkgmeta.licenses', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('pkgmeta.advisories', 'id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('pkgmeta.sync_errors', 'id'), '');

-- ---------------------------------------------------------------------------
-- Affected-version ranges (src/range.c, doc/ranges.md): whether a version
-- lies in an advisory's affected_range under the purl type's dialect and
-- ordering; NULL when the range or the version cannot be read.
CREATE FUNCTION pkgmeta_range_contains(purl_type text, range text, version text)
RETURNS boolean
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pkgmeta_range_contains';
COMMENT ON FUNCTION pkgmeta_range_contains(text, text, text) IS
    'whether a version lies in an affected range of a purl type; NULL when either cannot be read';
GRANT EXECUTE ON FUNCTION pkgmeta_range_contains(text, text, text) TO PUBLIC;

-- The two halves for stored advisories: a range compiled once (or why it
-- cannot be read), then matched without reading its syntax again.
CREATE FUNCTION pkgmeta.compile_range(purl_type smallint, range text,
                                      OUT compiled bytea, OUT reason text)
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pkgmeta_compile_range';
CREATE FUNCTION pkgmeta.range_match(compiled bytea, purl_type smallint, version text)
RETURNS boolean
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pkgmeta_range_match';

-- Whether an advisory's distro ("debian 12") names an SBOM's operating
-- system (name and version as the SBOM reports them).
CREATE FUNCTION pkgmeta_distro_matches(advisory_distro text, os_name text, os_version text)
RETURNS boolean
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'pkgmeta_distro_matches';
GRANT EXECUTE ON FUNCTION pkgmeta_distro_matches(text, text, text) TO PUBLIC;

-- ---------------------------------------------------------------------------
-- CVE enrichment (doc/format.md section 10): the EPSS score and the
-- known-exploit flag of a CVE, as the last applied file of the feed says.
CREATE TABLE pkgmeta.cve_enrichment (
    cve             text PRIMARY KEY,
    epss_score      double precision NOT NULL,
    known_exploited boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON pkgmeta.cve_enrichment FROM PUBLIC;
GRANT SELECT ON pkgmeta.cve_enrichment TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON pkgmeta.cve_enrichment TO pkgmeta_admin;
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.cve_enrichment', '');

-- ---------------------------------------------------------------------------
-- Advisories are decoded in C (src/decode_advisory.c) and written from C
-- (src/advisory_writer.c): the SQL writer that validated jsonb goes.
DROP FUNCTION pkgmeta.apply_advisory(jsonb, smallint);

-- GitLab's exports name an affected package's distribution "distro"; older
-- ones "distro_version" (doc/format.md section 5).  The sync reads both
-- into one column, and the view shows it under the new name.
ALTER TABLE pkgmeta.advisory_packages RENAME COLUMN distro_version TO distro;
ALTER VIEW pkgmeta.affected_packages RENAME COLUMN distro_version TO distro;

-- ---------------------------------------------------------------------------
-- The CVE enrichment feed has no purl type: its checkpoint and error rows
-- hold NULL there.  The checkpoint's key stays unique with that NULL as one
-- value (NULLS NOT DISTINCT, PostgreSQL 15 on), so the sync's upsert on
-- (data_type, version_format, purl_type) finds it.
ALTER TABLE pkgmeta.checkpoints DROP CONSTRAINT checkpoints_pkey;
ALTER TABLE pkgmeta.checkpoints ALTER COLUMN purl_type DROP NOT NULL;
ALTER TABLE pkgmeta.checkpoints ADD CONSTRAINT checkpoints_feed_key
    UNIQUE NULLS NOT DISTINCT (data_type, version_format, purl_type);
ALTER TABLE pkgmeta.sync_errors ALTER COLUMN purl_type DROP NOT NULL;

CREATE OR REPLACE FUNCTION pkgmeta_checkpoints(
    OUT data_type text, OUT version_format text, OUT purl_type text,
    OUT sequence bigint, OUT chunk integer, OUT updated_at timestamptz)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.data_type, c.version_format, t.name, c.sequence, c.chunk, c.updated_at
      FROM pkgmeta.checkpoints c
      LEFT JOIN pkgmeta.purl_types t ON t.id = c.purl_type
     ORDER BY c.data_type, c.version_format DESC, c.purl_type NULLS FIRST
$$;

-- Each affected package with the EPSS score and known-exploit flag of its
-- advisory's CVE (NULL without a CVE or without enrichment for it).
CREATE OR REPLACE VIEW pkgmeta.affected_packages AS
SELECT t.name AS purl_type,
       ap.name,
       a.advisory_id,
       a.source,
       a.title,
       c.cve,
       a.cvss_v2,
       a.cvss_v3,
       a.cvss_v4,
       a.published_date,
       ap.affected_range,
       ap.fixed_versions,
       ap.solution,
       ap.distro,
       a.urls,
       e.epss_score,
       e.known_exploited
  FROM pkgmeta.advisory_packages ap
  JOIN pkgmeta.advisories a ON a.id = ap.advisory
  JOIN pkgmeta.purl_types t ON t.id = ap.purl_type
  LEFT JOIN LATERAL (SELECT COALESCE(i ->> 'value', i ->> 'name') AS cve
                       FROM pg_catalog.jsonb_array_elements(a.identifiers) AS i
                      WHERE pg_catalog.lower(i ->> 'type') = 'cve'
                      LIMIT 1) c ON true
  LEFT JOIN pkgmeta.cve_enrichment e ON e.cve = c.cve;
