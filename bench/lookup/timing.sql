-- bench/lookup/timing.sql: the timing loop of the lookup benchmarks
-- (bench/lookup/measure.sql, bench/vulnerabilities/measure.sql).

-- Best elapsed milliseconds of each query over :runs rounds (after one
-- warm-up round).  Every query uses the columns it fetches or decides:
-- the planner drops unused ones, and with them the join.  Rounds interleave the queries, so load from elsewhere on
-- the machine hits them alike.  Each query runs with its own settings.
CREATE TABLE bench.query (pos int, what text, settings text, query text);
CREATE FUNCTION bench.best_ms(runs int)
    RETURNS TABLE (what text, ms numeric) LANGUAGE plpgsql AS $$
DECLARE
    q record;
    t0 timestamptz;
    elapsed numeric;
    best numeric[] := '{}';
BEGIN
    FOR r IN 0 .. runs LOOP
        FOR q IN SELECT * FROM bench.query ORDER BY pos LOOP
            EXECUTE q.settings;
            t0 := clock_timestamp();
            EXECUTE q.query;
            elapsed := extract(epoch FROM clock_timestamp() - t0) * 1000;
            RESET ALL;
            IF r > 0 THEN
                best[q.pos] := least(best[q.pos], elapsed);
            END IF;
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT q2.what, round(best[q2.pos], 1) FROM bench.query q2 ORDER BY q2.pos;
END
$$;
