-- Who may do what: plain users read, pkgmeta_admin syncs, superusers configure.
CREATE EXTENSION IF NOT EXISTS pkgmeta;
CREATE ROLE regress_plain LOGIN;
CREATE ROLE regress_admin LOGIN IN ROLE pkgmeta_admin;

SET ROLE regress_plain;
-- reading is open
SELECT count(*) >= 0 AS readable FROM pkgmeta.package_licenses;
SELECT count(*) >= 0 AS readable FROM pkgmeta_checkpoints();
SELECT count(*) >= 0 AS readable FROM pkgmeta.sync_errors;
-- running the sync, writing and configuring are not
CALL pkgmeta_sync();
INSERT INTO pkgmeta.packages VALUES (6, 'evil', NULL, NULL, '{}', '{}');
UPDATE pkgmeta.checkpoints SET chunk = 0;
DELETE FROM pkgmeta.sync_errors;
TRUNCATE pkgmeta.staging;
SELECT * FROM pkgmeta.staging;
SET pkgmeta.licenses_source = 'file:///etc';
SET pkgmeta.purl_types = 'npm';
RESET ROLE;

-- (the superuser's session setting stays in force under SET ROLE)
SET pkgmeta.licenses_source = 'file:///nonexistent/pkgmeta-mirror';
SET ROLE regress_admin;
-- admins may tune their syncs but not point the server elsewhere
SET pkgmeta.purl_types = 'npm';
SET pkgmeta.max_line_length = '64kB';
SET pkgmeta.licenses_source = 'file:///etc';
RESET pkgmeta.purl_types;
RESET pkgmeta.max_line_length;
-- and may run it (here it fails on the source, past the privilege check)
CALL pkgmeta_sync();
RESET ROLE;

DROP ROLE regress_plain;
DROP ROLE regress_admin;
