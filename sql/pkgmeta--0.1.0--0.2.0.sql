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


-- Vulnerabilities (doc/ranges.md, Vulnerability lookups): which advisories
-- affect a package at a version.  A range is read once, when its advisory is
-- stored: compiled_range is its compiled form (src/range.c), NULL when it
-- cannot be read, and then a "bad range" row of sync_errors says why.
ALTER TABLE pkgmeta.advisory_packages ADD COLUMN compiled_range bytea;
WITH compiled AS (
    SELECT ap.ctid AS row_id, t.name AS purl_type, ap.name, ap.affected_range, c.compiled, c.reason
      FROM pkgmeta.advisory_packages ap
      JOIN pkgmeta.purl_types t ON t.id = ap.purl_type,
           LATERAL pkgmeta.compile_range(ap.purl_type, ap.affected_range) c
), bad_ranges AS (
    INSERT INTO pkgmeta.sync_errors (data_type, version_format, purl_type, reason, excerpt)
    SELECT 'advisories', 'v2', c.purl_type,
           format('bad range "%s%s" for %s package "%s": %s',
                  left(c.affected_range, 200),
                  CASE WHEN length(c.affected_range) > 200 THEN '...' ELSE '' END,
                  c.purl_type, c.name, c.reason),
           c.affected_range
      FROM compiled c
     WHERE c.compiled IS NULL
)
UPDATE pkgmeta.advisory_packages ap SET compiled_range = c.compiled
  FROM compiled c
 WHERE ap.ctid = c.row_id AND c.compiled IS NOT NULL;

-- The distribution of an OS package: a purl's "distro" qualifier
-- ("debian-11"), carried by requests from purls and SBOMs.
ALTER TYPE pkgmeta.lookup_request ADD ATTRIBUTE distro text;

-- The lowest of fixed_versions above version under the type's ordering.
CREATE FUNCTION pkgmeta.fix_version(purl_type smallint, version text, fixed_versions text[])
    RETURNS text
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'pkgmeta_fix_version';

-- The CVE an advisory's identifiers name, as pkgmeta.affected_packages reads it.
CREATE FUNCTION pkgmeta.advisory_cve(identifiers jsonb)
    RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT COALESCE(i OPERATOR(pg_catalog.->>) 'value', i OPERATOR(pg_catalog.->>) 'name')
          FROM pg_catalog.jsonb_array_elements(identifiers) AS i
         WHERE pg_catalog.lower(i OPERATOR(pg_catalog.->>) 'type') OPERATOR(pg_catalog.=) 'cve'
         LIMIT 1);

-- Each affected package with the EPSS score and known-exploit flag of its
-- advisory's CVE (NULL without a CVE or without enrichment for it).
CREATE OR REPLACE VIEW pkgmeta.affected_packages AS
SELECT t.name AS purl_type,
       ap.name,
       a.advisory_id,
       a.source,
       a.title,
       pkgmeta.advisory_cve(a.identifiers) AS cve,
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
  LEFT JOIN pkgmeta.cve_enrichment e ON e.cve = pkgmeta.advisory_cve(a.identifiers);

-- ---------------------------------------------------------------------------
-- Malware advisories (v3 only; doc/reference.md, v3 datasets), from
-- pkgmeta.malware_advisories_source.  Kept apart from the v2 advisories: their
-- own ids, a withdrawn flag, and each affected range compiled once at ingest
-- (range_compile() of src/range.c) for pkgmeta.range_match.  A withdrawn
-- advisory (withdrawn not null) is kept and never matches; a range that
-- cannot be read is kept with its reason and never matches either.
CREATE TABLE pkgmeta.malware_advisories (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    advisory_id    text NOT NULL,
    source         text NOT NULL,
    title          text,
    description    text,
    published_date date NOT NULL,
    withdrawn      text,
    urls           text[] NOT NULL DEFAULT '{}',
    identifiers    jsonb NOT NULL DEFAULT '[]',
    UNIQUE (advisory_id, source)
);
CREATE TABLE pkgmeta.malware_packages (
    advisory       bigint NOT NULL REFERENCES pkgmeta.malware_advisories ON DELETE CASCADE,
    purl_type      smallint NOT NULL REFERENCES pkgmeta.purl_types,
    name           text NOT NULL,
    affected_range text NOT NULL,
    compiled_range bytea,
    range_error    text,
    PRIMARY KEY (advisory, purl_type, name)
);
CREATE INDEX ON pkgmeta.malware_packages (purl_type, name);
REVOKE ALL ON pkgmeta.malware_advisories, pkgmeta.malware_packages FROM PUBLIC;
GRANT SELECT ON pkgmeta.malware_advisories, pkgmeta.malware_packages TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON pkgmeta.malware_advisories,
    pkgmeta.malware_packages TO pkgmeta_admin;
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.malware_advisories', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.malware_packages', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('pkgmeta.malware_advisories', 'id'), '');

-- The one set-based vulnerability lookup all forms share: per request (in
-- request order), each advisory that affects it (affected true) or may
-- (affected NULL: the range, the version or the distribution cannot be
-- decided).  Candidates come by (purl_type, name) from the indexes, one
-- UNION ALL branch per kind of advisory ("advisory", "malware"), each giving
-- every column.  An advisory that names a
-- distribution applies to a request of that distribution (the OS rule,
-- pkgmeta_distro_matches); to a request without one it is undecided where
-- the version lies in its range.
-- only_advisories and only_malware (ids of pkgmeta.advisories and
-- pkgmeta.malware_advisories; NULL: all) restrict the candidates, for the
-- sync's reconciliation of watched inventories.
CREATE FUNCTION pkgmeta.vulnerability_matches(requests pkgmeta.lookup_request[],
                                              only_advisories bigint[] DEFAULT NULL,
                                              only_malware bigint[] DEFAULT NULL)
    RETURNS TABLE (bom_ref text, purl text, purl_type text, name text, version text,
                   advisory_id text, source text, cve text, title text,
                   affected_range text, fixed_versions text[], fix_version text,
                   solution text, cvss_v3 text, cvss_v4 text,
                   epss_score double precision, known_exploited boolean,
                   published_date date, urls text[], affected boolean, kind text)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT r.bom_ref, r.purl, r.purl_type, r.name, r.version,
           m.advisory_id, m.source, m.cve, m.title,
           m.affected_range, m.fixed_versions,
           pkgmeta.fix_version(r.type_id, r.version, m.fixed_versions),
           m.solution, m.cvss_v3, m.cvss_v4, e.epss_score, e.known_exploited,
           m.published_date, m.urls, m.affected, m.kind
      FROM pg_catalog.unnest(requests) WITH ORDINALITY
           AS r(bom_ref, purl, purl_type, type_id, name, version, distro, ord)
      CROSS JOIN LATERAL (
          -- "<name>-<version>", split at the last "-"
          SELECT COALESCE(pg_catalog.substring(r.distro, '^(.*)-[^-]*$'), r.distro) AS os_name,
                 COALESCE(pg_catalog.substring(r.distro, '-([^-]*)$'), '') AS os_version
      ) os
      JOIN LATERAL (
          -- one branch per kind of advisory, each giving every column
          SELECT 'advisory'::text AS kind, a.advisory_id, a.source,
                 pkgmeta.advisory_cve(a.identifiers) AS cve, a.title, ap.affected_range,
                 ap.fixed_versions, ap.solution, a.cvss_v3, a.cvss_v4, a.published_date, a.urls,
                 CASE WHEN ap.distro IS NOT NULL AND r.distro IS NULL
                      THEN CASE WHEN pkgmeta.range_match(ap.compiled_range, ap.purl_type,
                                                         r.version) IS FALSE
                                THEN false END
                      ELSE pkgmeta.range_match(ap.compiled_range, ap.purl_type, r.version)
                 END AS affected
            FROM pkgmeta.advisory_packages ap
            JOIN pkgmeta.advisories a ON a.id OPERATOR(pg_catalog.=) ap.advisory
           WHERE ap.purl_type OPERATOR(pg_catalog.=) r.type_id
             AND ap.name OPERATOR(pg_catalog.=) r.name
             AND (only_advisories IS NULL
                  OR ap.advisory OPERATOR(pg_catalog.=) ANY (only_advisories))
             AND (ap.distro IS NULL OR r.distro IS NULL
                  OR @extschema@.pkgmeta_distro_matches(ap.distro, os.os_name, os.os_version))
          UNION ALL
          -- malware advisories: no fix, no distribution; withdrawn ones never match
          SELECT 'malware', a.advisory_id, a.source, pkgmeta.advisory_cve(a.identifiers), a.title,
                 mp.affected_range, '{}'::text[], NULL, NULL, NULL, a.published_date, a.urls,
                 pkgmeta.range_match(mp.compiled_range, mp.purl_type, r.version)
            FROM pkgmeta.malware_packages mp
            JOIN pkgmeta.malware_advisories a ON a.id OPERATOR(pg_catalog.=) mp.advisory
           WHERE mp.purl_type OPERATOR(pg_catalog.=) r.type_id
             AND mp.name OPERATOR(pg_catalog.=) r.name
             AND (only_malware IS NULL
                  OR mp.advisory OPERATOR(pg_catalog.=) ANY (only_malware))
             AND a.withdrawn IS NULL
      ) m ON m.affected IS NOT FALSE
      LEFT JOIN pkgmeta.cve_enrichment e ON e.cve OPERATOR(pg_catalog.=) m.cve
     ORDER BY r.ord, m.advisory_id, m.source
$$;

-- The public forms, inlined like the license lookups (no SET clause, every
-- object schema-qualified) and STRICT where their arguments allow.
CREATE FUNCTION pkgmeta_vulnerabilities(purl text)
    RETURNS TABLE (advisory_id text, source text, cve text, title text,
                   affected_range text, fixed_versions text[], fix_version text,
                   solution text, cvss_v3 text, cvss_v4 text,
                   epss_score double precision, known_exploited boolean,
                   published_date date, urls text[], affected boolean, kind text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT m.advisory_id, m.source, m.cve, m.title, m.affected_range, m.fixed_versions,
           m.fix_version, m.solution, m.cvss_v3, m.cvss_v4, m.epss_score,
           m.known_exploited, m.published_date, m.urls, m.affected, m.kind
      FROM pkgmeta.vulnerability_matches(ARRAY[@extschema@.pkgmeta_purl_request(purl)]) m
$$;

-- distro: "<name>-<version>" as in a purl's qualifier, or NULL.
CREATE FUNCTION pkgmeta_vulnerabilities(purl_type text, name text, version text,
                                        distro text DEFAULT NULL)
    RETURNS TABLE (advisory_id text, source text, cve text, title text,
                   affected_range text, fixed_versions text[], fix_version text,
                   solution text, cvss_v3 text, cvss_v4 text,
                   epss_score double precision, known_exploited boolean,
                   published_date date, urls text[], affected boolean, kind text)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT m.advisory_id, m.source, m.cve, m.title, m.affected_range, m.fixed_versions,
           m.fix_version, m.solution, m.cvss_v3, m.cvss_v4, m.epss_score,
           m.known_exploited, m.published_date, m.urls, m.affected, m.kind
      FROM @extschema@.pkgmeta_package_request(purl_type, name, version) q,
           pkgmeta.vulnerability_matches(
               -- $4: the argument, not the request's own distro
               ARRAY[ROW(q.bom_ref, q.purl, q.purl_type, q.type_id, q.name, q.version,
                         $4)::pkgmeta.lookup_request]) m
$$;

-- Element-wise over arrays of one length; distros, if given, one per
-- element (NULL: none).
CREATE FUNCTION pkgmeta_bulk_vulnerabilities(purl_types text[], names text[], versions text[],
                                             distros text[] DEFAULT '{}')
    RETURNS TABLE (purl_type text, name text, version text,
                   advisory_id text, source text, cve text, title text,
                   affected_range text, fixed_versions text[], fix_version text,
                   solution text, cvss_v3 text, cvss_v4 text,
                   epss_score double precision, known_exploited boolean,
                   published_date date, urls text[], affected boolean, kind text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT m.purl_type, m.name, m.version,
           m.advisory_id, m.source, m.cve, m.title, m.affected_range, m.fixed_versions,
           m.fix_version, m.solution, m.cvss_v3, m.cvss_v4, m.epss_score,
           m.known_exploited, m.published_date, m.urls, m.affected, m.kind
      FROM pkgmeta.vulnerability_matches(ARRAY(
               SELECT ROW(q.bom_ref, q.purl, q.purl_type, q.type_id, q.name, q.version,
                          distros[q.ord])::pkgmeta.lookup_request
                 FROM pg_catalog.unnest(
                          @extschema@.pkgmeta_package_requests(purl_types, names, versions))
                      WITH ORDINALITY AS q(bom_ref, purl, purl_type, type_id, name, version,
                                           distro, ord)
                ORDER BY q.ord)) m
$$;

-- Every (component, advisory) pair of a CycloneDX SBOM: the components of
-- pkgmeta_sbom_licenses, an OS package's distribution from its purl.
CREATE FUNCTION pkgmeta_sbom_vulnerabilities(sbom jsonb)
    RETURNS TABLE (bom_ref text, purl text,
                   advisory_id text, source text, cve text, title text,
                   affected_range text, fixed_versions text[], fix_version text,
                   solution text, cvss_v3 text, cvss_v4 text,
                   epss_score double precision, known_exploited boolean,
                   published_date date, urls text[], affected boolean, kind text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT m.bom_ref, m.purl,
           m.advisory_id, m.source, m.cve, m.title, m.affected_range, m.fixed_versions,
           m.fix_version, m.solution, m.cvss_v3, m.cvss_v4, m.epss_score,
           m.known_exploited, m.published_date, m.urls, m.affected, m.kind
      FROM pkgmeta.vulnerability_matches(@extschema@.pkgmeta_sbom_requests(sbom)) m
$$;

-- The SBOM back with a CycloneDX "vulnerabilities" array (appended to any it
-- has): one entry per advisory, "affects" naming the components' bom-refs
-- (status "affected", or "unknown" where undecided); components without a
-- bom-ref cannot be named and are left out.  CycloneDX 1.4 to 1.6.
CREATE FUNCTION pkgmeta_sbom_vex(sbom jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    spec text := sbom ->> 'specVersion';
    found jsonb;
BEGIN
    IF jsonb_typeof(sbom) <> 'object' OR spec IS NULL OR spec NOT IN ('1.4', '1.5', '1.6') THEN
        RAISE EXCEPTION 'cannot add vulnerabilities to a CycloneDX document of specVersion %',
                        coalesce(spec, '(none)')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'CycloneDX has a "vulnerabilities" array from specVersion 1.4 on.',
                  HINT = 'Give a CycloneDX JSON SBOM of specVersion 1.4, 1.5 or 1.6.';
    END IF;
    SELECT jsonb_agg(v.entry ORDER BY v.source, v.advisory_id) INTO found
      FROM (SELECT m.advisory_id, m.source, jsonb_strip_nulls(jsonb_build_object(
                'id', m.advisory_id,
                'source', jsonb_build_object('name', m.source),
                'references', CASE WHEN m.cve IS NOT NULL AND m.cve <> m.advisory_id THEN
                    jsonb_build_array(jsonb_build_object('id', m.cve,
                        'source', jsonb_build_object('name', 'NVD',
                            'url', 'https://nvd.nist.gov/vuln/detail/' || m.cve))) END,
                'ratings', nullif(jsonb_path_query_array(jsonb_build_array(
                    CASE WHEN m.cvss_v3 IS NOT NULL THEN jsonb_build_object(
                        'method', CASE WHEN m.cvss_v3 LIKE 'CVSS:3.1/%' THEN 'CVSSv31'
                                       ELSE 'CVSSv3' END,
                        'vector', m.cvss_v3) END,
                    -- CVSSv4 is a method from CycloneDX 1.5 on
                    CASE WHEN m.cvss_v4 IS NOT NULL THEN jsonb_build_object(
                        'method', CASE WHEN spec = '1.4' THEN 'other' ELSE 'CVSSv4' END,
                        'vector', m.cvss_v4) END), '$[*] ? (@ != null)'), '[]'),
                'description', m.title,
                'recommendation', string_agg(DISTINCT coalesce(m.solution,
                                                               'Upgrade to ' || m.fix_version || '.'), ' '),
                'advisories', (SELECT jsonb_agg(jsonb_build_object('url', u))
                                 FROM unnest(m.urls) AS u),
                'published', to_char(m.published_date, 'YYYY-MM-DD"T"00:00:00"Z"'),
                'affects', jsonb_agg(DISTINCT jsonb_strip_nulls(jsonb_build_object(
                    'ref', m.bom_ref,
                    'versions', CASE WHEN m.version IS NOT NULL THEN jsonb_build_array(
                        jsonb_build_object('version', m.version,
                            'status', CASE WHEN m.affected THEN 'affected' ELSE 'unknown' END)) END))),
                'properties', nullif(jsonb_path_query_array(jsonb_build_array(
                    CASE WHEN m.epss_score IS NOT NULL THEN jsonb_build_object(
                        'name', 'pkgmeta:epss_score', 'value', m.epss_score::text) END,
                    CASE WHEN m.known_exploited THEN jsonb_build_object(
                        'name', 'pkgmeta:known_exploited', 'value', 'true') END,
                    CASE WHEN m.kind <> 'advisory' THEN jsonb_build_object(
                        'name', 'pkgmeta:kind', 'value', m.kind) END),
                    '$[*] ? (@ != null)'), '[]'))) AS entry
              FROM pkgmeta.vulnerability_matches(@extschema@.pkgmeta_sbom_requests(sbom)) m
             WHERE m.bom_ref IS NOT NULL
             GROUP BY m.advisory_id, m.source, m.cve, m.title, m.cvss_v3, m.cvss_v4,
                      m.epss_score, m.known_exploited, m.published_date, m.urls, m.kind) v;
    RETURN sbom || jsonb_build_object('vulnerabilities',
                                      coalesce(sbom -> 'vulnerabilities', '[]') || coalesce(found, '[]'));
END
$$;

COMMENT ON FUNCTION pkgmeta_vulnerabilities(text) IS
    'advisories that affect (or may affect) the package a package URL names, at its version';
COMMENT ON FUNCTION pkgmeta_vulnerabilities(text, text, text, text) IS
    'advisories that affect (or may affect) a package at a version, of a distribution for OS packages';
COMMENT ON FUNCTION pkgmeta_bulk_vulnerabilities(text[], text[], text[], text[]) IS
    'advisories of many (purl_type, name, version[, distro]) at once, in input order';
COMMENT ON FUNCTION pkgmeta_sbom_vulnerabilities(jsonb) IS
    'advisories of every component with a purl in a CycloneDX JSON SBOM';
COMMENT ON FUNCTION pkgmeta_sbom_vex(jsonb) IS
    'a CycloneDX JSON SBOM with the advisories of its components as its vulnerabilities';
GRANT EXECUTE ON FUNCTION
    pkgmeta.fix_version(smallint, text, text[]),
    pkgmeta.advisory_cve(jsonb),
    pkgmeta.vulnerability_matches(pkgmeta.lookup_request[], bigint[], bigint[]),
    pkgmeta_vulnerabilities(text),
    pkgmeta_vulnerabilities(text, text, text, text),
    pkgmeta_bulk_vulnerabilities(text[], text[], text[], text[]),
    pkgmeta_sbom_vulnerabilities(jsonb),
    pkgmeta_sbom_vex(jsonb)
    TO PUBLIC;

-- ---------------------------------------------------------------------------
-- v3 licenses (doc/reference.md, v3 datasets): records whose
-- license sets carry SPDX expressions.  A package's v3 record answers before
-- its v2 record, which answers before v1 rows.  The expressions of a set are
-- kept combined into one expression ("(a) AND (b)"), NULL when it had none;
-- other_expressions runs parallel to other_licenses.
CREATE TABLE pkgmeta.v3_packages (
    purl_type          smallint NOT NULL REFERENCES pkgmeta.purl_types,
    name               text NOT NULL,
    lowest_version     text,
    highest_version    text,
    default_licenses   integer[] NOT NULL,
    other_licenses     pkgmeta.license_exception[] NOT NULL DEFAULT '{}',
    default_expression text,
    other_expressions  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (purl_type, name)
);
ALTER TABLE pkgmeta.v3_packages SET (fillfactor = 90);
-- One archive's records before they merge into v3_packages (later line wins).
CREATE UNLOGGED TABLE pkgmeta.v3_staging (
    line               bigint NOT NULL,
    name               text NOT NULL,
    lowest_version     text,
    highest_version    text,
    default_licenses   integer[] NOT NULL,
    other_licenses     pkgmeta.license_exception[] NOT NULL,
    default_expression text,
    other_expressions  text[] NOT NULL
);
REVOKE ALL ON pkgmeta.v3_packages, pkgmeta.v3_staging FROM PUBLIC;
GRANT SELECT ON pkgmeta.v3_packages TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON pkgmeta.v3_packages, pkgmeta.v3_staging
    TO pkgmeta_admin;
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.v3_packages', '');

-- A v3 feed's first sync reads the full dataset shard by shard: the
-- sequence ("until") it is filling, set while it runs and cleared once it is
-- done, so an interrupted first sync resumes as a first sync.
ALTER TABLE pkgmeta.checkpoints ADD COLUMN full_sync_target_sequence bigint;

-- Each package as its current record reads: its v3 record, else its v2 record.
CREATE OR REPLACE VIEW pkgmeta.package_licenses AS
SELECT t.name AS purl_type,
       p.name,
       p.lowest_version,
       p.highest_version,
       ARRAY(SELECT l.spdx_identifier
               FROM unnest(p.default_licenses) WITH ORDINALITY AS d(id, ord)
               JOIN pkgmeta.licenses l ON l.id = d.id
              ORDER BY d.ord) AS default_licenses,
       COALESCE((SELECT jsonb_agg(
                            jsonb_build_object(
                                'licenses',
                                (SELECT jsonb_agg(l.spdx_identifier ORDER BY x.ord)
                                   FROM unnest(e.licenses) WITH ORDINALITY AS x(id, ord)
                                   JOIN pkgmeta.licenses l ON l.id = x.id),
                                'versions', to_jsonb(e.versions))
                            ORDER BY e.ord)
                   FROM unnest(p.other_licenses) WITH ORDINALITY
                        AS e(licenses, versions, ord)),
                '[]'::jsonb) AS other_licenses
  FROM (SELECT v3.purl_type, v3.name, v3.lowest_version, v3.highest_version,
               v3.default_licenses, v3.other_licenses
          FROM pkgmeta.v3_packages v3
        UNION ALL
        SELECT v2.purl_type, v2.name, v2.lowest_version, v2.highest_version,
               v2.default_licenses, v2.other_licenses
          FROM pkgmeta.packages v2
         WHERE NOT EXISTS (SELECT 1 FROM pkgmeta.v3_packages v3
                            WHERE v3.purl_type = v2.purl_type AND v3.name = v2.name)) p
  JOIN pkgmeta.purl_types t ON t.id = p.purl_type;

-- ---------------------------------------------------------------------------
-- Lookups: the v3 record when the package has one, else the v2 record,
-- else the v1 row of the version; and the SPDX expression a person should read.
-- It is the expression of the license set that answered (a v3 record's
-- expressions, combined), or else that set's identifiers joined with AND;
-- NULL when the answer is unknown.  The lookup gains an expression column,
-- so it and the set forms built on it are created again.
DROP FUNCTION pkgmeta_sbom_licenses(jsonb);
DROP FUNCTION pkgmeta_bulk_licenses(text[], text[], text[]);
DROP FUNCTION pkgmeta_lookup(pkgmeta.lookup_request[]);

CREATE FUNCTION pkgmeta_lookup(requests pkgmeta.lookup_request[])
    RETURNS TABLE (bom_ref text, purl text, purl_type text, name text,
                   version text, licenses text[], expression text)
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT d.bom_ref, d.purl, d.purl_type, d.name, d.version, d.licenses,
           CASE WHEN d.licenses OPERATOR(pg_catalog.<>) '{unknown}'::text[] THEN
               COALESCE(
                   -- the set that answered: rule 2's tuple, else the default set
                   CASE WHEN d.tuple IS NOT NULL THEN d.other_expressions[d.tuple]
                        ELSE d.default_expression END,
                   pg_catalog.array_to_string(d.licenses, ' AND '))
           END
      FROM (SELECT r.ord, r.bom_ref, r.purl, r.purl_type, r.name, r.version,
                   @extschema@.pkgmeta_decide(
                       p.purl_type, r.version, p.lowest_version, p.highest_version,
                       p.default_licenses, p.other_licenses,
                       -- v1 rows are read only for packages without a v2 or v3 record
                       CASE WHEN p.purl_type IS NULL THEN
                           (SELECT v.licenses FROM pkgmeta.v1_licenses v
                             WHERE v.purl_type OPERATOR(pg_catalog.=) r.type_id
                               AND v.name OPERATOR(pg_catalog.=) r.name
                               AND v.version OPERATOR(pg_catalog.=) r.version)
                       END) AS licenses,
                   p.default_expression, p.other_expressions,
                   CASE WHEN p.format OPERATOR(pg_catalog.=) 3 THEN
                       (SELECT e.ord FROM pg_catalog.unnest(p.other_licenses) WITH ORDINALITY
                               AS e(licenses, versions, ord)
                         WHERE r.version OPERATOR(pg_catalog.=) ANY (e.versions)
                         ORDER BY e.ord LIMIT 1)
                   END AS tuple
              FROM pg_catalog.unnest(requests) WITH ORDINALITY
                   AS r(bom_ref, purl, purl_type, type_id, name, version, distro, ord)
              LEFT JOIN LATERAL (
                       SELECT 3 AS format, v3.purl_type, v3.lowest_version, v3.highest_version,
                              v3.default_licenses, v3.other_licenses, v3.default_expression,
                              v3.other_expressions
                         FROM pkgmeta.v3_packages v3
                        WHERE v3.purl_type OPERATOR(pg_catalog.=) r.type_id
                          AND v3.name OPERATOR(pg_catalog.=) r.name
                       UNION ALL
                       SELECT 2, v2.purl_type, v2.lowest_version, v2.highest_version,
                              v2.default_licenses, v2.other_licenses, NULL, NULL
                         FROM pkgmeta.packages v2
                        WHERE v2.purl_type OPERATOR(pg_catalog.=) r.type_id
                          AND v2.name OPERATOR(pg_catalog.=) r.name
                        ORDER BY 1 DESC
                        LIMIT 1) p ON true) d
     ORDER BY d.ord
$$;

CREATE FUNCTION pkgmeta_bulk_licenses(purl_types text[], names text[], versions text[])
    RETURNS TABLE (purl_type text, name text, version text, licenses text[], expression text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT l.purl_type, l.name, l.version, l.licenses, l.expression
      FROM @extschema@.pkgmeta_lookup(
               @extschema@.pkgmeta_package_requests(purl_types, names, versions)) l
$$;

CREATE FUNCTION pkgmeta_sbom_licenses(sbom jsonb)
    RETURNS TABLE (bom_ref text, purl text, purl_type text, name text,
                   version text, licenses text[], expression text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT l.bom_ref, l.purl, l.purl_type, l.name, l.version, l.licenses, l.expression
      FROM @extschema@.pkgmeta_lookup(@extschema@.pkgmeta_sbom_requests(sbom)) l
$$;

CREATE FUNCTION pkgmeta_license_expression(purl_type text, name text, version text)
    RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT l.expression
      FROM @extschema@.pkgmeta_lookup(
               ARRAY[@extschema@.pkgmeta_package_request(purl_type, name, version)]) l
$$;

CREATE FUNCTION pkgmeta_license_expression(purl text)
    RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
    SELECT l.expression
      FROM @extschema@.pkgmeta_lookup(ARRAY[@extschema@.pkgmeta_purl_request(purl)]) l
$$;

-- The SBOM back with the licenses of each component that had none, in
-- CycloneDX form ([{"expression": ...}]); components the mirror does not
-- know, and those with licenses already, are left as they are.
CREATE FUNCTION pkgmeta_sbom_annotate(sbom jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    answers jsonb;
BEGIN
    SELECT COALESCE(jsonb_object_agg(l.purl, l.expression), '{}')
      INTO answers
      FROM (SELECT DISTINCT ON (s.purl) s.purl, s.expression
              FROM @extschema@.pkgmeta_sbom_licenses(sbom) s
             WHERE s.purl IS NOT NULL AND s.expression IS NOT NULL) l;
    IF jsonb_typeof(sbom -> 'components') = 'array' THEN
        sbom := jsonb_set(sbom, '{components}',
                          pkgmeta.annotate_components(sbom -> 'components', answers));
    END IF;
    RETURN sbom;
END
$$;

-- Components (and nested components) with licenses filled in from answers
-- (purl -> expression).
CREATE FUNCTION pkgmeta.annotate_components(components jsonb, answers jsonb)
    RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c jsonb;
    result jsonb := '[]';
BEGIN
    FOR c IN SELECT e FROM jsonb_array_elements(components) e LOOP
        IF jsonb_typeof(c) = 'object' THEN
            IF jsonb_typeof(c -> 'purl') = 'string'
               AND (c -> 'licenses' IS NULL OR c -> 'licenses' IN ('[]', 'null'))
               AND answers ? (c ->> 'purl') THEN
                c := c || jsonb_build_object('licenses',
                        jsonb_build_array(jsonb_build_object('expression', answers ->> (c ->> 'purl'))));
            END IF;
            IF jsonb_typeof(c -> 'components') = 'array' THEN
                c := jsonb_set(c, '{components}',
                               pkgmeta.annotate_components(c -> 'components', answers));
            END IF;
        END IF;
        result := result || jsonb_build_array(c);
    END LOOP;
    RETURN result;
END
$$;

COMMENT ON FUNCTION pkgmeta_license_expression(text, text, text) IS
    'the SPDX expression of a package at a version; NULL when the mirror does not know';
COMMENT ON FUNCTION pkgmeta_license_expression(text) IS
    'the SPDX expression of the package a package URL names, at its version';
COMMENT ON FUNCTION pkgmeta_bulk_licenses(text[], text[], text[]) IS
    'licenses of many (purl_type, name, version) at once, in input order';
COMMENT ON FUNCTION pkgmeta_sbom_licenses(jsonb) IS
    'licenses of every component with a purl in a CycloneDX JSON SBOM';
COMMENT ON FUNCTION pkgmeta_sbom_annotate(jsonb) IS
    'the CycloneDX JSON SBOM with licenses filled in where a component had none';
GRANT EXECUTE ON FUNCTION
    pkgmeta_lookup(pkgmeta.lookup_request[]),
    pkgmeta_bulk_licenses(text[], text[], text[]),
    pkgmeta_sbom_licenses(jsonb),
    pkgmeta_license_expression(text, text, text),
    pkgmeta_license_expression(text),
    pkgmeta_sbom_annotate(jsonb),
    pkgmeta.annotate_components(jsonb, jsonb)
    TO PUBLIC;

-- ---------------------------------------------------------------------------
-- Watched inventories and their findings (doc/operations.md, Watching
-- inventories).  An inventory (a project, a service, an image) is a set of
-- components, each a lookup request kept under its bom-ref; a finding is a
-- (component, advisory) pair whose version is affected (affected true: an
-- undecided match is not a finding).  Findings follow both sides: a watch
-- reconciles its inventory, and the sync, in each advisory or malware file's
-- transaction, reconciles the advisories that file changed against only the
-- components of their (purl type, name).  Resolved findings stay, with why,
-- until pkgmeta.findings_retention.

-- Watching is granted: members of pkgmeta_watcher (and of pkgmeta_admin) may.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pkgmeta_watcher') THEN
        CREATE ROLE pkgmeta_watcher NOLOGIN;
    END IF;
END
$$;

-- Names are global: one role owns each.
CREATE TABLE pkgmeta.inventories (
    name       text PRIMARY KEY CHECK (pg_catalog.length(name) BETWEEN 1 AND 200),
    owner      name NOT NULL DEFAULT CURRENT_USER,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- One lookup request per component (pkgmeta.lookup_request); purl_type NULL:
-- a type outside the export, never matched.  Its inventory is no foreign
-- key: a watch writes thousands of components under its inventory's row
-- lock, where a check per row cost more than the rest of the insert.  Row
-- level security lets nobody add components to an inventory not theirs or
-- not there, and deleting an inventory deletes its components
-- (pkgmeta.delete_inventory_components).
CREATE TABLE pkgmeta.watched_components (
    inventory text NOT NULL,
    bom_ref   text NOT NULL,
    purl      text NOT NULL,
    purl_type smallint,
    name      text,
    version   text,
    distro    text,
    PRIMARY KEY (inventory, bom_ref)
);
-- the sync's candidates: the versions watched of an advisory's packages,
-- read from the index alone, then the components of the affected ones.
-- Key columns only, so that entries deduplicate: a watch writes one per
-- component, and columns covering what else the sync reads made the index
-- ten times as large and each entry about 40% dearer.
CREATE INDEX watched_components_package ON pkgmeta.watched_components (purl_type, name, version, distro);
-- SECURITY DEFINER: the deleted inventories' components are no longer
-- visible to their owner under row level security
CREATE FUNCTION pkgmeta.delete_inventory_components()
    RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM pkgmeta.watched_components c USING deleted_inventories d WHERE c.inventory = d.name;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION pkgmeta.delete_inventory_components() FROM PUBLIC;
CREATE TRIGGER delete_components AFTER DELETE ON pkgmeta.inventories
    REFERENCING OLD TABLE AS deleted_inventories
    FOR EACH STATEMENT EXECUTE FUNCTION pkgmeta.delete_inventory_components();
-- owner: the inventory's owner when the finding opened (row level security)
CREATE TABLE pkgmeta.findings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inventory     text NOT NULL,
    owner         name NOT NULL,
    bom_ref       text NOT NULL,
    purl          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('advisory', 'malware')),
    advisory_id   text NOT NULL,
    source        text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    resolved_at   timestamptz,
    resolution    text CHECK (resolution IN ('upgraded', 'removed', 'not affected', 'withdrawn')),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE UNIQUE INDEX findings_open_key ON pkgmeta.findings (inventory, bom_ref, kind, source, advisory_id)
    WHERE resolved_at IS NULL;
CREATE INDEX findings_open_by_advisory ON pkgmeta.findings (advisory_id, source, kind)
    WHERE resolved_at IS NULL;
-- pkgmeta.findings_retention's purge
CREATE INDEX findings_resolved_at ON pkgmeta.findings (resolved_at) WHERE resolved_at IS NOT NULL;

-- A role sees and changes its own inventories, components and findings; a
-- member of pkgmeta_admin all of them.  Findings are written only by
-- pkgmeta.reconcile_findings, which computes them from the data.
ALTER TABLE pkgmeta.inventories ENABLE ROW LEVEL SECURITY;
ALTER TABLE pkgmeta.watched_components ENABLE ROW LEVEL SECURITY;
ALTER TABLE pkgmeta.findings ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_inventories ON pkgmeta.inventories
    USING (owner OPERATOR(pg_catalog.=) CURRENT_USER
           OR pg_catalog.pg_has_role('pkgmeta_admin', 'MEMBER'));
CREATE POLICY own_components ON pkgmeta.watched_components
    USING (EXISTS (SELECT FROM pkgmeta.inventories i
                    WHERE i.name OPERATOR(pg_catalog.=) inventory));
CREATE POLICY own_findings ON pkgmeta.findings FOR SELECT
    USING (owner OPERATOR(pg_catalog.=) CURRENT_USER
           OR pg_catalog.pg_has_role('pkgmeta_admin', 'MEMBER'));
REVOKE ALL ON pkgmeta.inventories, pkgmeta.watched_components, pkgmeta.findings FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON pkgmeta.inventories, pkgmeta.watched_components
    TO pkgmeta_watcher, pkgmeta_admin;
GRANT SELECT ON pkgmeta.findings TO pkgmeta_watcher, pkgmeta_admin;
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.inventories', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.watched_components', '');
SELECT pg_catalog.pg_extension_config_dump('pkgmeta.findings', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('pkgmeta.findings', 'id'), '');

-- Writes what a reconciliation decided (src/findings_writer.c), one row
-- per change in inventory order: without a finding's tid, a finding to
-- open; with one, the open finding to resolve (resolution given) or to move
-- to purl.  Notifies channel pkgmeta_findings when notify is true.  Returns
-- {opened, resolved}.  Only pkgmeta.reconcile_findings calls it.
CREATE FUNCTION pkgmeta.write_findings_row(state internal, finding tid, inventory text, owner name,
                                           bom_ref text, purl text, kind text,
                                           advisory_id text, source text, resolution text,
                                           cve text, notify boolean)
    RETURNS internal
    LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pkgmeta_write_findings_row';
CREATE FUNCTION pkgmeta.write_findings_finish(state internal)
    RETURNS bigint[]
    LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pkgmeta_write_findings_finish';
CREATE AGGREGATE pkgmeta.write_findings(finding tid, inventory text, owner name, bom_ref text,
                                        purl text, kind text, advisory_id text, source text,
                                        resolution text, cve text, notify boolean) (
    SFUNC = pkgmeta.write_findings_row,
    STYPE = internal,
    FINALFUNC = pkgmeta.write_findings_finish,
    FINALFUNC_MODIFY = READ_WRITE
);
REVOKE ALL ON FUNCTION pkgmeta.write_findings_row(internal, tid, text, name, text, text, text,
                                                  text, text, text, text, boolean),
    pkgmeta.write_findings_finish(internal),
    pkgmeta.write_findings(tid, text, name, text, text, text, text, text, text, text, boolean)
    FROM PUBLIC;

-- Reconciles the open findings of a scope with the truth: those of one
-- inventory (a watch; advisories and malware NULL), or those of some
-- advisories (the sync; inventory NULL).  Opens the new matches, resolves
-- the open findings no longer matched, with why, and notifies channel
-- pkgmeta_findings (pkgmeta.notify_findings).  It computes the findings
-- from the watched components and the advisories, so anyone allowed to
-- run it can only bring them up to date.
--
-- Every lookup goes by index from what the scope holds (the lateral
-- subqueries with OFFSET 0 stay parameterized index scans), so the cost
-- follows the matches and the open findings of the scope, never the size
-- of the tables, whatever the statistics say of tables a file has just
-- filled.  jit is off: the estimates of a few thousand rows would compile
-- for longer than it runs.
--
-- Watches and the sync must not miss each other's commits: a watch holds
-- lock (pkgmeta, 2) shared from before it reads, the sync's reconciliation
-- takes it exclusive before its statements read, and both run READ
-- COMMITTED, so whichever comes second sees what the first committed.
CREATE FUNCTION pkgmeta.reconcile_findings(inventory text, advisories bigint[], malware bigint[],
                                           OUT opened bigint, OUT resolved bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
DECLARE
    -- the scope: the true matches (truth) and the open findings to check
    -- (open), why an open finding no longer matched resolves, and its CVE.
    -- A watch matches its inventory's components, each once (an advisory
    -- may list a package under two ranges).  The sync matches the versions
    -- watched of the changed advisories' packages only: components do not
    -- change while it reconciles (watches reconcile their own), so an open
    -- finding whose component is not among them is no longer matched and
    -- resolves without it, as withdrawn or not affected; removed and
    -- upgraded are a watch's.  A component without a version is never
    -- affected (range_match is strict).
    scope text := CASE WHEN inventory IS NOT NULL THEN $scope$
        truth AS (
            SELECT DISTINCT $1 AS inventory, m.bom_ref, m.purl, m.kind, m.advisory_id, m.source, m.cve
              FROM (SELECT array_agg(ROW(c.bom_ref, c.purl, t.name, c.purl_type, c.name, c.version,
                                         c.distro)::pkgmeta.lookup_request) AS requests
                      FROM pkgmeta.watched_components c
                      JOIN pkgmeta.purl_types t ON t.id = c.purl_type
                     WHERE c.inventory = $1) g
             CROSS JOIN LATERAL pkgmeta.vulnerability_matches(g.requests) m
             WHERE m.affected),
        open AS (
            SELECT f.id, f.ctid AS tid, f.inventory, f.bom_ref, f.purl, f.kind, f.advisory_id, f.source
              FROM pkgmeta.findings f
             WHERE f.inventory = $1 AND f.resolved_at IS NULL),
        $scope$ ELSE $scope$
        changed AS (
            SELECT 'advisory' AS kind, a.advisory_id, a.source, false AS withdrawn, a.identifiers
              FROM pkgmeta.advisories a WHERE a.id = ANY ($2)
            UNION ALL
            SELECT 'malware', a.advisory_id, a.source, a.withdrawn IS NOT NULL, a.identifiers
              FROM pkgmeta.malware_advisories a WHERE a.id = ANY ($3)),
        open AS (
            SELECT f.*, k.withdrawn, k.identifiers FROM changed k
             CROSS JOIN LATERAL (
                 SELECT f.id, f.ctid AS tid, f.inventory, f.bom_ref, f.purl, f.kind, f.advisory_id, f.source
                   FROM pkgmeta.findings f
                  WHERE (f.advisory_id, f.source, f.kind) = (k.advisory_id, k.source, k.kind)
                    AND f.resolved_at IS NULL
                 OFFSET 0) f),
        -- each package version once, however many components share it,
        -- under a key carried as the request's bom_ref
        versions AS (
            SELECT row_number() OVER () AS key, v.*
              FROM (SELECT DISTINCT c.*
                      FROM (SELECT p.purl_type, p.name FROM unnest($2) a(id)
                             CROSS JOIN LATERAL (
                                 SELECT p.purl_type, p.name FROM pkgmeta.advisory_packages p
                                  WHERE p.advisory = a.id OFFSET 0) p
                            UNION
                            SELECT p.purl_type, p.name FROM unnest($3) a(id)
                             CROSS JOIN LATERAL (
                                 SELECT p.purl_type, p.name FROM pkgmeta.malware_packages p
                                  WHERE p.advisory = a.id OFFSET 0) p) p
                     CROSS JOIN LATERAL (
                         SELECT c.purl_type, c.name, c.version, c.distro
                           FROM pkgmeta.watched_components c
                          WHERE (c.purl_type, c.name) = (p.purl_type, p.name)
                            AND c.version IS NOT NULL
                         OFFSET 0) c) v),
        affected AS (
            SELECT DISTINCT m.bom_ref::bigint AS key, m.kind, m.advisory_id, m.source, m.cve
              FROM (SELECT array_agg(ROW(v.key::text, NULL, t.name, v.purl_type, v.name,
                                         v.version, v.distro)::pkgmeta.lookup_request) AS requests
                      FROM versions v
                      JOIN pkgmeta.purl_types t ON t.id = v.purl_type) g
             CROSS JOIN LATERAL pkgmeta.vulnerability_matches(g.requests, $2, $3) m
             WHERE m.affected),
        -- the components of the affected versions only (materialized: the
        -- planner would otherwise run the join with affected per component)
        affected_components AS MATERIALIZED (
            SELECT v.key, c.inventory, c.bom_ref, c.purl
              FROM (SELECT DISTINCT a.key FROM affected a) k
              JOIN versions v ON v.key = k.key
             CROSS JOIN LATERAL (
                 SELECT c.inventory, c.bom_ref, c.purl
                   FROM pkgmeta.watched_components c
                  WHERE (c.purl_type, c.name, c.version) = (v.purl_type, v.name, v.version)
                    AND c.distro IS NOT DISTINCT FROM v.distro
                 OFFSET 0) c),
        truth AS (
            SELECT c.inventory, c.bom_ref, c.purl, a.kind, a.advisory_id, a.source, a.cve
              FROM affected a
              JOIN affected_components c ON c.key = a.key),
        $scope$ END;
    -- A component gone whose package the inventory still has, at another
    -- version and bom-ref, was upgraded: SBOM tools often put the version in
    -- the bom-ref, and the purl form's bom-ref is the purl.  The same purl
    -- under a new bom-ref is another component, as bom-refs name them.
    resolution text := CASE WHEN inventory IS NOT NULL THEN $resolution$
        CASE WHEN NOT EXISTS (SELECT FROM pkgmeta.watched_components c
                               WHERE (c.inventory, c.bom_ref) = (o.inventory, o.bom_ref))
                  THEN CASE WHEN EXISTS (
                                      SELECT FROM @extschema@.pkgmeta_purl_request(o.purl) r
                                       WHERE (r.type_id, r.name, COALESCE(r.distro, ''))
                                             IN (SELECT c.purl_type, c.name, COALESCE(c.distro, '')
                                                   FROM pkgmeta.watched_components c
                                                  WHERE c.inventory = $1))
                                 AND o.purl NOT IN (SELECT c.purl FROM pkgmeta.watched_components c
                                                     WHERE c.inventory = $1)
                                 THEN 'upgraded' ELSE 'removed' END
             WHEN EXISTS (SELECT FROM pkgmeta.watched_components c
                           WHERE (c.inventory, c.bom_ref) = (o.inventory, o.bom_ref)
                             AND c.purl <> o.purl)
                  THEN 'upgraded'
             WHEN o.kind = 'advisory' AND NOT EXISTS (
                      SELECT FROM pkgmeta.advisories a
                       WHERE (a.advisory_id, a.source) = (o.advisory_id, o.source))
                  THEN 'withdrawn'
             WHEN o.kind = 'malware' AND NOT EXISTS (
                      SELECT FROM pkgmeta.malware_advisories a
                       WHERE (a.advisory_id, a.source) = (o.advisory_id, o.source)
                         AND a.withdrawn IS NULL)
                  THEN 'withdrawn'
             ELSE 'not affected' END
        $resolution$ ELSE $resolution$
        CASE WHEN o.withdrawn THEN 'withdrawn' ELSE 'not affected' END
        $resolution$ END;
    -- the CVE of a resolved finding's advisory, read only for its
    -- notification
    resolved_cve text := CASE WHEN inventory IS NOT NULL THEN $cve$
        CASE o.kind WHEN 'advisory' THEN (SELECT pkgmeta.advisory_cve(a.identifiers)
                                            FROM pkgmeta.advisories a
                                           WHERE (a.advisory_id, a.source) = (o.advisory_id, o.source))
                    ELSE (SELECT pkgmeta.advisory_cve(a.identifiers)
                            FROM pkgmeta.malware_advisories a
                           WHERE (a.advisory_id, a.source) = (o.advisory_id, o.source)) END
        $cve$ ELSE 'pkgmeta.advisory_cve(o.identifiers)' END;
    counts bigint[];
BEGIN
    IF inventory IS NULL THEN
        PERFORM pg_advisory_xact_lock(1886087021, 2);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(1886087021, 2);
    END IF;
    EXECUTE 'WITH ' || scope || $core$
        -- each open finding and each true match, paired where they agree (a
        -- full join: hashed or merged, never a nested loop over both sides);
        -- what differs is a change: a match alone opens a finding, an open
        -- finding alone resolves, one whose component moved to another
        -- affected version follows it
        changes AS (
            SELECT o.tid, o.id AS open_id, COALESCE(t.inventory, o.inventory) AS inventory,
                   t.bom_ref, t.purl, t.kind, t.advisory_id, t.source,
                   CASE WHEN t.bom_ref IS NULL THEN $core$ || resolution || $core$ END AS resolution,
                   CASE WHEN t.bom_ref IS NOT NULL THEN t.cve
                        WHEN $4 THEN $core$ || resolved_cve || $core$ END AS cve
              FROM truth t
              FULL JOIN open o
                ON (t.inventory, t.bom_ref, t.kind, t.source, t.advisory_id)
                 = (o.inventory, o.bom_ref, o.kind, o.source, o.advisory_id)
             WHERE o.id IS NULL OR t.bom_ref IS NULL OR t.purl <> o.purl)
        SELECT pkgmeta.write_findings(c.tid, c.inventory, i.owner, c.bom_ref, c.purl, c.kind,
                                      c.advisory_id, c.source, c.resolution, c.cve, $4
                                      ORDER BY c.inventory, c.open_id NULLS LAST, c.bom_ref, c.kind,
                                               c.source, c.advisory_id)
          FROM changes c
          LEFT JOIN pkgmeta.inventories i ON i.name = c.inventory
         WHERE c.tid IS NOT NULL OR i.name IS NOT NULL
    $core$ INTO counts
      USING inventory, advisories, malware,
            COALESCE(current_setting('pkgmeta.notify_findings', true), 'on')::boolean;
    opened := counts[1];
    resolved := counts[2];
END
$$;
REVOKE ALL ON FUNCTION pkgmeta.reconcile_findings(text, bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pkgmeta.reconcile_findings(text, bigint[], bigint[])
    TO pkgmeta_watcher, pkgmeta_admin;

-- Registers or replaces an inventory's components (requests, one per
-- component; a component without a bom-ref is kept under its purl), then
-- reconciles its findings.  SECURITY INVOKER: row level security decides
-- which inventories the caller may change.
CREATE FUNCTION pkgmeta.watch_requests(inventory text, requests pkgmeta.lookup_request[],
                                       OUT components bigint, OUT opened bigint,
                                       OUT resolved bigint)
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    created boolean;
    gone text[];
    changed pkgmeta.lookup_request[];
    inserted bigint;
    duplicate text;
BEGIN
    PERFORM pkgmeta.check_watcher(inventory);
    INSERT INTO pkgmeta.inventories AS i (name) VALUES ($1) ON CONFLICT (name) DO NOTHING;
    created := FOUND;
    UPDATE pkgmeta.inventories AS i SET updated_at = now() WHERE i.name = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'inventory "%" belongs to another role', $1
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Inventory names are shared by all roles; each inventory has one owner.',
                  HINT = 'Choose another name, or ask its owner or a member of pkgmeta_admin.';
    END IF;
    -- A component listed twice is kept once; a bom-ref of two purls is two
    -- rows of one primary key.  A re-watch writes only the components that
    -- changed, so that watching an unchanged SBOM again costs about its match
    -- and leaves no dead rows behind: the components as they are and as
    -- requested are paired by a full join (hashed or merged whatever the
    -- estimates, never a nested loop over both sides), those gone or changed
    -- are deleted and those new or changed inserted.
    BEGIN
        IF created THEN
            INSERT INTO pkgmeta.watched_components (inventory, bom_ref, purl, purl_type, name, version, distro)
            SELECT DISTINCT ON (COALESCE(r.bom_ref, r.purl), r.purl)
                   $1, COALESCE(r.bom_ref, r.purl), r.purl, r.type_id, r.name, r.version, r.distro
              FROM unnest(requests) r;
            GET DIAGNOSTICS components = ROW_COUNT;
        ELSE
            SELECT array_agg(d.bom_ref) FILTER (WHERE d.bom_ref IS NOT NULL AND NOT d.stays),
                   array_agg(d.request) FILTER (WHERE d.requested AND NOT d.stays),
                   count(*) FILTER (WHERE d.stays)
              INTO gone, changed, components
              FROM (SELECT c.bom_ref, r.request, r.bom_ref IS NOT NULL AS requested,
                           c.bom_ref IS NOT NULL AND r.bom_ref IS NOT NULL
                               AND (c.purl_type, c.name, c.version, c.distro)
                                   IS NOT DISTINCT FROM ((r.request).type_id, (r.request).name,
                                                         (r.request).version, (r.request).distro)
                               AS stays
                      FROM (SELECT c.bom_ref, c.purl, c.purl_type, c.name, c.version, c.distro
                              FROM pkgmeta.watched_components c WHERE c.inventory = $1) c
                      FULL JOIN (SELECT DISTINCT ON (COALESCE(r.bom_ref, r.purl), r.purl)
                                        COALESCE(r.bom_ref, r.purl) AS bom_ref, r.purl,
                                        ROW(COALESCE(r.bom_ref, r.purl), r.purl, r.purl_type, r.type_id,
                                            r.name, r.version, r.distro)::pkgmeta.lookup_request AS request
                                   FROM unnest(requests) r) r
                        ON (r.bom_ref, r.purl) = (c.bom_ref, c.purl)) d;
            DELETE FROM pkgmeta.watched_components c WHERE c.inventory = $1 AND c.bom_ref = ANY (gone);
            INSERT INTO pkgmeta.watched_components (inventory, bom_ref, purl, purl_type, name, version, distro)
            SELECT $1, r.bom_ref, r.purl, r.type_id, r.name, r.version, r.distro
              FROM unnest(changed) r;
            GET DIAGNOSTICS inserted = ROW_COUNT;
            components := components + inserted;
        END IF;
    EXCEPTION WHEN unique_violation THEN
        SELECT COALESCE(r.bom_ref, r.purl) INTO duplicate
          FROM unnest(requests) r
         GROUP BY COALESCE(r.bom_ref, r.purl)
        HAVING count(DISTINCT r.purl) > 1
         LIMIT 1;
        RAISE EXCEPTION 'bom-ref "%" names two different components', duplicate
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give each component of the SBOM its own bom-ref.';
    END;
    SELECT f.opened, f.resolved INTO opened, resolved
      FROM pkgmeta.reconcile_findings($1, NULL, NULL) f;
END
$$;

-- The caller may watch (a member of pkgmeta_watcher or pkgmeta_admin), in
-- READ COMMITTED (the lock of pkgmeta.reconcile_findings relies on it), and
-- holds the lock against the sync's reconciliation from here on.
CREATE FUNCTION pkgmeta.check_watcher(inventory text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT (pg_has_role('pkgmeta_watcher', 'MEMBER') OR pg_has_role('pkgmeta_admin', 'MEMBER')) THEN
        RAISE EXCEPTION 'permission denied to watch inventory "%"', inventory
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('Role %s is not a member of pkgmeta_watcher.', current_user),
                  HINT = format('GRANT pkgmeta_watcher TO %s;', quote_ident(current_user));
    END IF;
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'inventories are watched in READ COMMITTED transactions only'
            USING ERRCODE = 'active_sql_transaction',
                  DETAIL = format('This transaction is %s; a watch must see what the sync commits while it waits for it.',
                                  upper(current_setting('transaction_isolation'))),
                  HINT = 'Watch in a transaction of isolation level READ COMMITTED.';
    END IF;
    PERFORM pg_advisory_xact_lock_shared(1886087021, 2);
END
$$;

CREATE FUNCTION pkgmeta_watch(inventory text, sbom jsonb,
                              OUT components bigint, OUT opened bigint, OUT resolved bigint)
    LANGUAGE sql VOLATILE STRICT
AS $$
    SELECT w.components, w.opened, w.resolved
      FROM pkgmeta.watch_requests(inventory, @extschema@.pkgmeta_sbom_requests(sbom)) w
$$;

-- Each purl is a component whose bom-ref is the purl; a malformed purl or
-- one of a type outside the export is an error.
CREATE FUNCTION pkgmeta_watch(inventory text, purls text[],
                              OUT components bigint, OUT opened bigint, OUT resolved bigint)
    LANGUAGE sql VOLATILE STRICT
AS $$
    SELECT w.components, w.opened, w.resolved
      FROM pkgmeta.watch_requests(inventory,
               ARRAY(SELECT @extschema@.pkgmeta_purl_request(p)
                       FROM pg_catalog.unnest(purls) WITH ORDINALITY AS u(p, ord)
                      ORDER BY u.ord)) w
$$;

-- Stops watching: the inventory and its components go, its open findings
-- are resolved as removed and kept.  Returns how many.
CREATE FUNCTION pkgmeta_unwatch(inventory text)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE STRICT
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pkgmeta.check_watcher(inventory);
    DELETE FROM pkgmeta.inventories i WHERE i.name = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no inventory "%" of yours', $1
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT name FROM pkgmeta.inventories lists those you may unwatch.';
    END IF;
    RETURN (SELECT f.resolved FROM pkgmeta.reconcile_findings($1, NULL, NULL) f);
END
$$;

-- The open findings the caller may see, with what rates them, riskiest
-- first: malware, then known exploited, then by EPSS score, then newest.
CREATE VIEW pkgmeta.open_findings WITH (security_invoker = true) AS
SELECT f.id,
       f.inventory,
       f.bom_ref,
       f.purl,
       f.kind,
       f.advisory_id,
       f.source,
       COALESCE(a.cve, m.cve) AS cve,
       COALESCE(a.title, m.title) AS title,
       a.cvss_v3,
       a.cvss_v4,
       e.epss_score,
       COALESCE(e.known_exploited, false) AS known_exploited,
       COALESCE(a.published_date, m.published_date) AS published_date,
       f.first_seen_at
  FROM pkgmeta.findings f
  LEFT JOIN LATERAL (SELECT pkgmeta.advisory_cve(x.identifiers) AS cve, x.title, x.cvss_v3,
                            x.cvss_v4, x.published_date
                       FROM pkgmeta.advisories x
                      WHERE f.kind = 'advisory'
                        AND x.advisory_id = f.advisory_id AND x.source = f.source) a ON true
  LEFT JOIN LATERAL (SELECT pkgmeta.advisory_cve(x.identifiers) AS cve, x.title, x.published_date
                       FROM pkgmeta.malware_advisories x
                      WHERE f.kind = 'malware'
                        AND x.advisory_id = f.advisory_id AND x.source = f.source) m ON true
  LEFT JOIN pkgmeta.cve_enrichment e ON e.cve = COALESCE(a.cve, m.cve)
 WHERE f.resolved_at IS NULL
 ORDER BY f.kind = 'malware' DESC, COALESCE(e.known_exploited, false) DESC,
          e.epss_score DESC NULLS LAST, COALESCE(a.published_date, m.published_date) DESC NULLS LAST,
          f.id;
REVOKE ALL ON pkgmeta.open_findings FROM PUBLIC;
GRANT SELECT ON pkgmeta.open_findings TO pkgmeta_watcher, pkgmeta_admin;

COMMENT ON FUNCTION pkgmeta_watch(text, jsonb) IS
    'watches the components of a CycloneDX JSON SBOM as an inventory, keeping its findings current';
COMMENT ON FUNCTION pkgmeta_watch(text, text[]) IS
    'watches the packages of some package URLs as an inventory, keeping its findings current';
COMMENT ON FUNCTION pkgmeta_unwatch(text) IS
    'stops watching an inventory; its open findings are resolved as removed';
-- everyone may call them to learn what watching needs (pkgmeta.check_watcher says)
GRANT EXECUTE ON FUNCTION pkgmeta.watch_requests(text, pkgmeta.lookup_request[]),
    pkgmeta.check_watcher(text), pkgmeta_watch(text, jsonb), pkgmeta_watch(text, text[]),
    pkgmeta_unwatch(text) TO PUBLIC;

-- pkgmeta_sync_status() also counts the findings the run opened and resolved.
DROP FUNCTION pkgmeta_sync_status();
CREATE FUNCTION pkgmeta_sync_status(
    OUT state text, OUT pid integer,
    OUT started_at timestamptz, OUT finished_at timestamptz,
    OUT current_object text, OUT files_done bigint,
    OUT packages_written bigint, OUT bytes_read bigint,
    OUT last_success_at timestamptz, OUT last_error text, OUT last_error_at timestamptz,
    OUT next_run_at timestamptz, OUT worker_pid integer,
    OUT newest_delta_at timestamptz, OUT newest_delta_age interval,
    OUT stale boolean, OUT findings_opened bigint, OUT findings_resolved bigint)
RETURNS record
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'pkgmeta_sync_status';
