-- The sync's SQL surface: how it must be called, and its errors.
CREATE EXTENSION IF NOT EXISTS pkgmeta;
\df pkgmeta_sync
-- commits per file: not inside a transaction block or a function
BEGIN;
CALL pkgmeta_sync();
ROLLBACK;
SELECT pkgmeta_sync();
CREATE FUNCTION sync_from_a_function() RETURNS void LANGUAGE plpgsql
    AS $$ BEGIN CALL pkgmeta_sync(); END $$;
SELECT sync_from_a_function();
DROP FUNCTION sync_from_a_function();
CALL pkgmeta_sync('-1 minute');
-- a missing mirror: the error names the directory, the hint the setting
SET pkgmeta.licenses_source = 'file:///nonexistent/pkgmeta-mirror';
CALL pkgmeta_sync();
RESET pkgmeta.licenses_source;
-- nothing synced: the view and checkpoints are empty, with their columns
SELECT * FROM pkgmeta.package_licenses;
SELECT * FROM pkgmeta_checkpoints();
\d pkgmeta.sync_errors
