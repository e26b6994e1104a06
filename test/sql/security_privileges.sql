-- Privileges, checked over every object of the extension so that new ones
-- are covered too: a plain user reads and nothing else; pkgmeta_admin syncs
-- and tunes its runs but never points the server at a location or raises
-- a limit; superusers configure.
CREATE EXTENSION IF NOT EXISTS pkgmeta;
CREATE ROLE regress_priv_plain LOGIN;
CREATE ROLE regress_priv_admin LOGIN IN ROLE pkgmeta_admin;

-- Functions of the extension that run with their owner's rights must pin
-- search_path (none may be listed); the extension has functions to check.
SELECT p.oid::regprocedure AS definer_without_search_path
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pkgmeta'
 WHERE p.prosecdef
   AND NOT EXISTS (SELECT FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%');
SELECT count(*) > 0 AS extension_has_functions
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pkgmeta'
 WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e';

-- What a plain user may execute: read-only functions only (review any change).
SELECT p.oid::regprocedure AS executable_by_plain_user, p.provolatile
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pkgmeta'
 WHERE has_function_privilege('regress_priv_plain', p.oid, 'EXECUTE')
 ORDER BY 1::text;

-- No table, view or sequence of the extension is writable by a plain user,
-- and nobody but its owner may create objects in schema pkgmeta.
SELECT c.oid::regclass AS writable_by_plain_user
  FROM pg_class c
  JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pkgmeta'
 WHERE c.relkind IN ('r', 'v', 'p', 'S', 'm', 'f')
   AND (has_table_privilege('regress_priv_plain', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
        OR (c.relkind = 'S' AND has_sequence_privilege('regress_priv_plain', c.oid, 'USAGE, UPDATE')));
SELECT has_schema_privilege('regress_priv_plain', 'pkgmeta', 'CREATE') AS plain_creates_in_pkgmeta,
       has_schema_privilege('regress_priv_admin', 'pkgmeta', 'CREATE') AS admin_creates_in_pkgmeta;

-- Which pkgmeta.* settings each role may SET (only the tuning ones for admins).
CREATE FUNCTION pg_temp.settable_by_current_user() RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
    s text;
BEGIN
    FOR s IN SELECT name FROM pg_settings
              WHERE name LIKE 'pkgmeta.%' AND context IN ('user', 'superuser')
              ORDER BY name LOOP
        BEGIN
            PERFORM set_config(s, current_setting(s), true);
            RETURN NEXT s;
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END LOOP;
END
$$;
SELECT count(*) >= 10 AS many_settings FROM pg_settings WHERE name LIKE 'pkgmeta.%';
-- the others change only in the configuration files or by ALTER SYSTEM
SELECT name AS alterable_by_plain_or_admin FROM pg_settings
 WHERE name LIKE 'pkgmeta.%'
   AND (has_parameter_privilege('regress_priv_plain', name, 'ALTER SYSTEM')
        OR has_parameter_privilege('regress_priv_admin', name, 'ALTER SYSTEM'));
SET ROLE regress_priv_plain;
SELECT pg_temp.settable_by_current_user() AS settable_by_plain_user;
-- the sync, and each way to change a setting
CALL pkgmeta_sync();
SET pkgmeta.max_inflate_ratio = 1000000;
SET pkgmeta.max_listing_objects = 1;
ALTER SYSTEM SET pkgmeta.licenses_source = 'file:///etc';
ALTER SYSTEM SET pkgmeta.max_line_length = '256MB';
ALTER ROLE CURRENT_USER SET pkgmeta.licenses_source = 'file:///etc';
ALTER DATABASE regression SET pkgmeta.advisories_source = 'gs://attacker-bucket';
SELECT set_config('pkgmeta.licenses_source', 'file:///etc', false);
-- writes, including through the views
INSERT INTO pkgmeta.licenses (spdx_identifier) VALUES ('evil');
UPDATE pkgmeta.purl_types SET registry_id = 'evil';
DELETE FROM pkgmeta.packages;
DELETE FROM pkgmeta.package_licenses;
TRUNCATE pkgmeta.advisories;
CREATE TABLE pkgmeta.evil (x int);
RESET ROLE;

SET ROLE regress_priv_admin;
SELECT pg_temp.settable_by_current_user() AS settable_by_admin;
SET pkgmeta.max_inflate_ratio = 1000000;
SET pkgmeta.max_versions_per_tuple = 1000000;
ALTER SYSTEM SET pkgmeta.purl_types = 'npm';
SET pkgmeta.advisories_source = 'file:///etc';
RESET ROLE;

-- superusers may (and the setting then holds for the roles they become)
SET pkgmeta.max_inflate_ratio = 1000;
SET ROLE regress_priv_plain;
SHOW pkgmeta.max_inflate_ratio;
RESET ROLE;
RESET pkgmeta.max_inflate_ratio;

DROP ROLE regress_priv_plain;
DROP ROLE regress_priv_admin;
