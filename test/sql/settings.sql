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
-- CVE enrichment: its own source, checked like the others, and a data type
SHOW pkgmeta.cve_enrichment_source;
SET pkgmeta.cve_enrichment_source = 'file://relative/dir';
SET pkgmeta.cve_enrichment_source = 'file:///srv/cve-mirror';
SHOW pkgmeta.cve_enrichment_source;
SHOW pkgmeta.data_types;
SET pkgmeta.data_types = 'licenses,cve_enrichment';
SHOW pkgmeta.data_types;
SET pkgmeta.data_types = 'cve';
-- the token's file: an absolute path (its content is read at each sync)
SET pkgmeta.pds_token_file = 'relative/token';
SET pkgmeta.pds_token_file = '/etc/postgresql/pkgmeta-token';
SHOW pkgmeta.pds_token_file;
RESET pkgmeta.pds_token_file;
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
