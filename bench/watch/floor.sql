-- bench/watch/floor.sql: what the delta's findings cost the sync before it
-- writes any, in the copy the last timed round synced (the delta applied):
-- the reconciliation of the delta's advisories again, with nothing left to
-- change (its reads and matching), and the notification queue taking items
-- like those the sync sent (built beforehand, so only the queue is timed).
-- Each in a transaction of its own, as the sync commits them; best of :runs
-- after a warm-up, in one warm backend, so the figures are a floor.
-- :plain_ms is the sync without inventories.
\set ON_ERROR_STOP 1
\pset footer off
CREATE TABLE bench.delta_advisories AS
SELECT array_agg(a.id) AS ids
  FROM pkgmeta.advisories a
  JOIN bench.delta d ON (a.advisory_id, a.source) = (d.id, d.source);

-- the sync's events, with the fields pkgmeta.write_findings gives them
-- (JSON nulls too, so a little longer), in batches of at most 6000 bytes
-- per inventory
CREATE TABLE bench.delta_notifications AS
WITH events AS (
    SELECT f.inventory,
           json_build_object('id', f.id,
                             'event', CASE WHEN f.resolved_at IS NULL THEN 'opened' ELSE 'resolved' END,
                             'cve', pkgmeta.advisory_cve(a.identifiers), 'kind', f.kind,
                             'source', f.source, 'resolution', f.resolution,
                             'advisory_id', f.advisory_id, 'purl', f.purl)::text AS item
      FROM pkgmeta.findings f
      LEFT JOIN pkgmeta.advisories a USING (advisory_id, source)
     -- the delta file's transaction: its checkpoint's time
     WHERE (SELECT max(c.updated_at) FROM pkgmeta.checkpoints c WHERE c.data_type = 'advisories')
           IN (f.first_seen_at, f.resolved_at)),
batched AS (
    SELECT e.inventory, e.item,
           sum(length(e.item) + 2) OVER (PARTITION BY e.inventory ORDER BY e.item
                                         ROWS UNBOUNDED PRECEDING) / 6000 AS batch
      FROM events e)
SELECT count(*) AS items,
       '{"inventory": ' || to_json(b.inventory)::text || ', "findings": ['
           || string_agg(b.item, ', ') || ']}' AS payload
  FROM batched b
 GROUP BY b.inventory, b.batch;

CREATE TABLE bench.floor (what text, ms numeric);
CREATE PROCEDURE bench.measure_floor(runs int)
    LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    elapsed numeric;
    changes bigint[];
    best_reconcile numeric;
    best_notify numeric;
BEGIN
    FOR r IN 0 .. runs LOOP
        t0 := clock_timestamp();
        SELECT ARRAY[f.opened, f.resolved] INTO changes
          FROM bench.delta_advisories d, pkgmeta.reconcile_findings(NULL, d.ids, '{}') f;
        COMMIT;
        elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
        IF changes <> '{0,0}' THEN
            RAISE EXCEPTION 'the delta''s reconciliation changed findings again: %', changes;
        END IF;
        IF r > 0 THEN
            best_reconcile := least(best_reconcile, elapsed);
        END IF;
        t0 := clock_timestamp();
        PERFORM pg_notify('pkgmeta_bench_floor', n.payload) FROM bench.delta_notifications n;
        COMMIT;
        elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
        IF r > 0 THEN
            best_notify := least(best_notify, elapsed);
        END IF;
    END LOOP;
    INSERT INTO bench.floor VALUES ('reconcile', round(best_reconcile, 1)),
                                   ('notify', round(best_notify, 1));
END
$$;
CALL bench.measure_floor(:runs);

SELECT (SELECT COALESCE(sum(items), 0) FROM bench.delta_notifications) AS events,
       (SELECT count(*) FROM bench.delta_notifications) AS notifications,
       (SELECT ms FROM bench.floor WHERE what = 'reconcile') AS reads_and_matching_ms,
       (SELECT ms FROM bench.floor WHERE what = 'notify') AS notification_queue_ms,
       round(:plain_ms * 0.5, 1) AS budget_ms,
       round((:plain_ms + (SELECT sum(ms) FROM bench.floor)) / :plain_ms, 2) AS ratio_at_least;
