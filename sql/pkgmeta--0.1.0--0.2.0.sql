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
-- Advisories are decoded in C (src/decode_advisory.c) and written from C
-- (src/advisory_writer.c): the SQL writer that validated jsonb goes.
DROP FUNCTION pkgmeta.apply_advisory(jsonb, smallint);

-- GitLab's exports name an affected package's distribution "distro"; older
-- ones "distro_version" (FORMAT-PART2.md, section D).  The sync reads both
-- into one column, and the view shows it under the new name.
ALTER TABLE pkgmeta.advisory_packages RENAME COLUMN distro_version TO distro;
ALTER VIEW pkgmeta.affected_packages RENAME COLUMN distro_version TO distro;
