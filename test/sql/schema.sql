-- The extension installs its schema, role and SQL surface.
CREATE EXTENSION pkgmeta;
SELECT count(*) AS purl_types FROM pkgmeta.purl_types;
-- the table and the C list of purl types (src/purl_type_list.h) agree row for row
(SELECT 'only in pkgmeta.purl_types' AS differs, * FROM pkgmeta.purl_types
 EXCEPT SELECT 'only in pkgmeta.purl_types', * FROM pkgmeta.compiled_purl_types())
UNION ALL
(SELECT 'only in the C list', * FROM pkgmeta.compiled_purl_types()
 EXCEPT SELECT 'only in the C list', * FROM pkgmeta.purl_types)
ORDER BY 2, 1;
SELECT rolname FROM pg_roles WHERE rolname = 'pkgmeta_admin';
SELECT * FROM pkgmeta_checkpoints();
