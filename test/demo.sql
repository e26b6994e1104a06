-- What ./run shows: one sync of the bundled sample mirror, then what it holds.
\pset footer off
CREATE EXTENSION pkgmeta;
SHOW pkgmeta.licenses_source;
CALL pkgmeta_sync();
\echo '--- checkpoints: the last file applied per (data type, version format, purl type)'
SELECT * FROM pkgmeta_checkpoints();
\echo '--- packages as their current records read'
SELECT purl_type, name, lowest_version, highest_version, default_licenses, other_licenses
  FROM pkgmeta.package_licenses ORDER BY purl_type, name;
\echo '--- bad input is reported, not lost'
SELECT purl_type, object, line, reason, excerpt FROM pkgmeta.sync_errors ORDER BY id;
\echo '--- lookups answer per ecosystem version rules'
SELECT purl, pkgmeta_licenses(purl) AS licenses
  FROM unnest(ARRAY['pkg:npm/lodash@4.17.21', 'pkg:npm/react@15.0.0', 'pkg:npm/react@19.0.0',
                    'pkg:maven/org.acme/widget@0.9.2-beta', 'pkg:pypi/Zope.Interface@6.0']) AS purl;
\echo '--- a second sync finds nothing new'
CALL pkgmeta_sync();
\echo '--- the status of the last sync, from shared memory (README.md, The background worker)'
SELECT state, pid = pg_backend_pid() AS by_this_session, files_done, last_success_at IS NOT NULL AS succeeded,
       newest_delta_at, stale
  FROM pkgmeta_sync_status();
