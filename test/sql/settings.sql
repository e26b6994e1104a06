-- Settings are validated when set, with a detail and a hint.
CREATE EXTENSION IF NOT EXISTS pkgmeta;
SHOW pkgmeta.licenses_source;
SHOW pkgmeta.purl_types;
SHOW pkgmeta.max_line_length;
SET pkgmeta.licenses_source = 'file://relative/dir';
SET pkgmeta.licenses_source = 'gs://Not_A_Bucket!';
SET pkgmeta.licenses_source = 'https://example.com/';
SET pkgmeta.licenses_source = '';
SET pkgmeta.licenses_source = 'file:///srv/mirror';
SHOW pkgmeta.licenses_source;
SET pkgmeta.purl_types = 'npm, maven,npm';
SHOW pkgmeta.purl_types;
SET pkgmeta.purl_types = 'npm,rubygem';
SET pkgmeta.purl_types = '';
-- out of range: refused with the bounds, which pg_settings gives alike on
-- every server version (the wording of them in the error differs)
SELECT min_val, max_val, unit FROM pg_settings WHERE name = 'pkgmeta.max_line_length';
DO $$
BEGIN
	SET pkgmeta.max_line_length = 10;
EXCEPTION WHEN invalid_parameter_value THEN
	RAISE NOTICE '%', split_part(SQLERRM, ' (', 1);
END
$$;
SHOW pkgmeta.max_line_length;
-- typos in the prefix are reported
SET pkgmeta.no_such_setting = 1;
RESET ALL;
