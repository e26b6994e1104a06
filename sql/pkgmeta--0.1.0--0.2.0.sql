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
-- CVE enrichment (doc/format.md, CVE enrichment): the EPSS score and the
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
-- ones "distro_version" (FORMAT-PART2.md, section D).  The sync reads both
-- into one column, and the view shows it under the new name.
ALTER TABLE pkgmeta.advisory_packages RENAME COLUMN distro_version TO distro;
ALTER VIEW pkgmeta.affected_packages RENAME COLUMN distro_version TO distro;

-- ---------------------------------------------------------------------------
-- v3 licenses (FORMAT-PART2.md section B, doc/format.md): records whose
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
-- Malware advisories (v3 only; FORMAT-PART2.md section B), from
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
                   AS r(bom_ref, purl, purl_type, type_id, name, version, ord)
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
