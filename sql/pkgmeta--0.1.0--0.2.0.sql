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
