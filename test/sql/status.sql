-- pkgmeta_sync_status() and pkgmeta_request_sync(): shape, recording of a
-- CALL's run, freshness, settings and privileges.
CREATE EXTENSION IF NOT EXISTS pkgmeta;

-- one row with these columns
SELECT * FROM pkgmeta_sync_status() WHERE false;
SELECT count(*) AS rows,
       bool_and(state IN ('idle', 'running', 'disabled', 'stopped', 'waiting', 'standby')) AS known_state
  FROM pkgmeta_sync_status();

-- a CALL's run is recorded, its error included
SET pkgmeta.licenses_source = 'file:///nonexistent/pkgmeta-status-test';
CALL pkgmeta_sync();
SELECT state <> 'running' AS ended, pid = pg_backend_pid() AS this_session,
       finished_at >= started_at AS finished, files_done, current_object,
       last_error, last_error_at >= started_at AS error_time
  FROM pkgmeta_sync_status();
RESET pkgmeta.licenses_source;

-- the newest applied delta: the largest sequence among the checkpoints
BEGIN;
INSERT INTO pkgmeta.checkpoints (data_type, version_format, purl_type, sequence, chunk, object)
VALUES ('licenses', 'v2', 6, 4102444800, 0, 'v2/npm/4102444800/0.ndjson')
ON CONFLICT (data_type, version_format, purl_type) DO UPDATE SET sequence = EXCLUDED.sequence;
SELECT newest_delta_at = to_timestamp(4102444800) AS newest,
       newest_delta_age = now() - to_timestamp(4102444800) AS age
  FROM pkgmeta_sync_status();
ROLLBACK;
-- stale only after pkgmeta.stale_after (1 day) without a success
SELECT stale FROM pkgmeta_sync_status();

-- the settings: reloadable or server-start only, not per session
SHOW pkgmeta.enabled;
SHOW pkgmeta.database;
SHOW pkgmeta.sync_interval;
SHOW pkgmeta.worker_max_duration;
SHOW pkgmeta.errors_retention;
SHOW pkgmeta.stale_after;
SET pkgmeta.enabled = off;
SET pkgmeta.sync_interval = '2s';
SELECT name, context, unit FROM pg_settings
 WHERE name IN ('pkgmeta.enabled', 'pkgmeta.database', 'pkgmeta.sync_interval',
                'pkgmeta.worker_max_duration', 'pkgmeta.errors_retention', 'pkgmeta.stale_after')
 ORDER BY name;

-- everyone reads the status; pkgmeta_admin may ask for a sync
CREATE ROLE regress_status_plain;
CREATE ROLE regress_status_admin IN ROLE pkgmeta_admin;
SET ROLE regress_status_plain;
SELECT count(*) AS readable FROM pkgmeta_sync_status();
SELECT pkgmeta_request_sync();
SET ROLE regress_status_admin;
SELECT pkgmeta_request_sync();
-- also inside a transaction block (the worker is woken at commit, if any)
BEGIN;
SELECT pkgmeta_request_sync();
ROLLBACK;
RESET ROLE;
DROP ROLE regress_status_plain;
DROP ROLE regress_status_admin;
