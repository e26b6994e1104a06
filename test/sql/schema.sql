-- The extension installs its schema, role and SQL surface.
CREATE EXTENSION pkgmeta;
SELECT count(*) AS purl_types FROM pkgmeta.purl_types;
SELECT rolname FROM pg_roles WHERE rolname = 'pkgmeta_admin';
SELECT * FROM pkgmeta_checkpoints();
