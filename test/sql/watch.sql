-- Watched inventories: pkgmeta_watch and pkgmeta_unwatch, the findings they
-- reconcile (checked against pkgmeta_sbom_vulnerabilities) with why each is
-- resolved, and who sees and changes what under row level security.  The
-- sync's side (findings with each advisory file) is t/066_watched_findings.pl.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pkgmeta;
RESET client_min_messages;
CREATE ROLE regress_w_alice LOGIN IN ROLE pkgmeta_watcher;
CREATE ROLE regress_w_bob LOGIN IN ROLE pkgmeta_watcher;
CREATE ROLE regress_w_admin LOGIN IN ROLE pkgmeta_admin;
CREATE ROLE regress_w_plain LOGIN;

-- Advisories and malware advisories as the writers store them; WX-1 lists
-- wx-lib under two ranges, and a version in both is still one finding.
WITH a AS (
    INSERT INTO pkgmeta.advisories (advisory_id, source, published_date, identifiers)
    VALUES ('WX-1', 'glad', '2024-01-01', '[{"type": "cve", "name": "CVE-2024-9001", "value": "CVE-2024-9001"}]'),
           ('WX-2', 'glad', '2024-01-02', '[{"type": "cve", "name": "CVE-2024-9002", "value": "CVE-2024-9002"}]'),
           ('WX-3', 'glad', '2024-01-03', '[]'),
           ('WX-4', 'glad', '2024-01-04', '[]')
    RETURNING id, advisory_id)
INSERT INTO pkgmeta.advisory_packages (advisory, purl_type, name, affected_range, compiled_range)
SELECT a.id, t.id, p.name, p.range, (pkgmeta.compile_range(t.id, p.range)).compiled
  FROM (VALUES ('WX-1', 'npm', 'wx-lib', '<2.0.0'), ('WX-1', 'npm', 'wx-lib', '<1.8.0'),
               ('WX-2', 'npm', 'wx-lib', '>=1.5.0 <3.0.0'),
               ('WX-3', 'pypi', 'wx-py', '<1.0'), ('WX-4', 'npm', 'wx-odd', '<1.0.0x'))
       AS p(advisory_id, type, name, range)
  JOIN a USING (advisory_id)
  JOIN pkgmeta.purl_types t ON t.name = p.type;
WITH a AS (
    INSERT INTO pkgmeta.malware_advisories (advisory_id, source, published_date)
    VALUES ('GLAM-2024-01-09001', 'glam', '2024-01-05') RETURNING id)
INSERT INTO pkgmeta.malware_packages (advisory, purl_type, name, affected_range, compiled_range)
SELECT a.id, 6, 'wx-evil', '>=0.0.0', (pkgmeta.compile_range(6::smallint, '>=0.0.0')).compiled FROM a;
INSERT INTO pkgmeta.cve_enrichment (cve, epss_score, known_exploited)
VALUES ('CVE-2024-9001', 0.2, false), ('CVE-2024-9002', 0.1, true);

-- The findings of an inventory, and the truth from pkgmeta_sbom_vulnerabilities.
CREATE FUNCTION pg_temp.findings(inv text)
    RETURNS TABLE (bom_ref text, purl text, advisory_id text, resolution text)
    LANGUAGE sql AS $$
    SELECT f.bom_ref, f.purl, f.advisory_id, coalesce(f.resolution, 'open')
      FROM pkgmeta.findings f WHERE f.inventory = inv
     ORDER BY f.first_seen_at, f.bom_ref, f.advisory_id, f.resolved_at
$$;
CREATE FUNCTION pg_temp.differences(inv text, sbom jsonb) RETURNS bigint
    LANGUAGE sql AS $$
    SELECT count(*) FROM (
        (SELECT coalesce(v.bom_ref, v.purl), v.purl, v.kind, v.advisory_id, v.source
           FROM pkgmeta_sbom_vulnerabilities(sbom) v WHERE v.affected
         EXCEPT
         SELECT f.bom_ref, f.purl, f.kind, f.advisory_id, f.source
           FROM pkgmeta.findings f WHERE f.inventory = inv AND f.resolved_at IS NULL)
        UNION ALL
        (SELECT f.bom_ref, f.purl, f.kind, f.advisory_id, f.source
           FROM pkgmeta.findings f WHERE f.inventory = inv AND f.resolved_at IS NULL
         EXCEPT
         SELECT coalesce(v.bom_ref, v.purl), v.purl, v.kind, v.advisory_id, v.source
           FROM pkgmeta_sbom_vulnerabilities(sbom) v WHERE v.affected)) d
$$;
GRANT EXECUTE ON FUNCTION pg_temp.findings(text), pg_temp.differences(text, jsonb) TO PUBLIC;

\set sbom1 '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"bom-ref": "a", "purl": "pkg:npm/wx-lib@1.6.0"}, {"bom-ref": "b", "purl": "pkg:pypi/wx-py@0.9"}, {"bom-ref": "c", "purl": "pkg:npm/wx-evil@1.0.0"}, {"bom-ref": "d", "purl": "pkg:npm/wx-odd@1.0.0"}, {"purl": "pkg:npm/wx-free@1.0.0"}, {"bom-ref": "e", "purl": "pkg:npm/wx-lib@not a version at all"}]}'
\set sbom2 '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"bom-ref": "a", "purl": "pkg:npm/wx-lib@2.5.0"}, {"bom-ref": "c", "purl": "pkg:npm/wx-evil@1.0.0"}, {"bom-ref": "d", "purl": "pkg:npm/wx-odd@1.0.0"}]}'

-- A watch opens a finding per affected (component, advisory); a component
-- without a bom-ref is kept under its purl; undecided matches (WX-4's range
-- cannot be read) are not findings.
SET ROLE regress_w_alice;
SELECT * FROM pkgmeta_watch('alice-app', :'sbom1'::jsonb);
SELECT * FROM pg_temp.findings('alice-app');
SELECT pg_temp.differences('alice-app', :'sbom1');
SELECT bom_ref, advisory_id, affected FROM pkgmeta_sbom_vulnerabilities(:'sbom1') WHERE affected IS NOT TRUE;
SELECT bom_ref, purl, purl_type IS NOT NULL AS known_type FROM pkgmeta.watched_components ORDER BY bom_ref;
-- watching again unchanged changes nothing, and writes no component: each
-- keeps its row
SELECT string_agg(bom_ref || ctid::text, ' ' ORDER BY bom_ref) AS rows_before
  FROM pkgmeta.watched_components WHERE inventory = 'alice-app' \gset
SELECT * FROM pkgmeta_watch('alice-app', :'sbom1'::jsonb);
SELECT string_agg(bom_ref || ctid::text, ' ' ORDER BY bom_ref) = :'rows_before' AS same_rows
  FROM pkgmeta.watched_components WHERE inventory = 'alice-app';
-- a component edited since is written again as the SBOM has it, alone
UPDATE pkgmeta.watched_components SET version = '9.9.9' WHERE inventory = 'alice-app' AND bom_ref = 'a';
SELECT * FROM pkgmeta_watch('alice-app', :'sbom1'::jsonb);
SELECT c.bom_ref, c.version, position(c.bom_ref || c.ctid::text IN :'rows_before') > 0 AS same_row
  FROM pkgmeta.watched_components c WHERE c.inventory = 'alice-app' ORDER BY c.bom_ref;
-- riskiest first: malware, then known exploited, then EPSS
SELECT inventory, bom_ref, kind, advisory_id, cve, known_exploited, epss_score FROM pkgmeta.open_findings;
RESET ROLE;

-- Why findings resolve: an upgrade out of a range (WX-1), a component gone
-- (b), a withdrawn malware advisory (c); a component still affected at its
-- new version keeps its finding, which follows the new purl (WX-2).
UPDATE pkgmeta.malware_advisories SET withdrawn = '2024-02-01' WHERE advisory_id = 'GLAM-2024-01-09001';
SET ROLE regress_w_alice;
SELECT * FROM pkgmeta_watch('alice-app', :'sbom2'::jsonb);
SELECT * FROM pg_temp.findings('alice-app');
SELECT pg_temp.differences('alice-app', :'sbom2');
RESET ROLE;
UPDATE pkgmeta.malware_advisories SET withdrawn = NULL WHERE advisory_id = 'GLAM-2024-01-09001';
-- an advisory whose range changed to exclude the version: not affected
UPDATE pkgmeta.advisory_packages SET affected_range = '<2.0.0',
       compiled_range = (pkgmeta.compile_range(purl_type, '<2.0.0')).compiled
 WHERE advisory = (SELECT id FROM pkgmeta.advisories WHERE advisory_id = 'WX-2');
SET ROLE regress_w_alice;
SELECT * FROM pkgmeta_watch('alice-app', :'sbom2'::jsonb);
SELECT * FROM pg_temp.findings('alice-app') WHERE advisory_id = 'WX-2' OR resolution = 'open';

-- The purl form: each purl is a component under its own purl.
SELECT * FROM pkgmeta_watch('alice-purls', ARRAY['pkg:npm/wx-lib@1.0.0', 'pkg:pypi/wx-py@0.5']);
SELECT * FROM pg_temp.findings('alice-purls');
-- a new version is another bom-ref here: the findings of the old one
-- resolve as upgraded while the inventory still has the package, as
-- removed when the package is gone (wx-py)
SELECT * FROM pkgmeta_watch('alice-purls', ARRAY['pkg:npm/wx-lib@2.5.0']);
SELECT * FROM pg_temp.findings('alice-purls');
SELECT * FROM pkgmeta_watch('alice-purls', ARRAY['pkg:npm/wx-lib@1.0.0', 'pkg:pypi/wx-py@0.5']);
-- so too in an SBOM whose tool puts the version in the bom-ref
SELECT * FROM pkgmeta_watch('alice-tool', '{"components": [{"bom-ref": "wx-lib@1.0.0", "purl": "pkg:npm/wx-lib@1.0.0"}]}'::jsonb);
SELECT * FROM pkgmeta_watch('alice-tool', '{"components": [{"bom-ref": "wx-lib@2.5.0", "purl": "pkg:npm/wx-lib@2.5.0"}]}'::jsonb);
SELECT * FROM pg_temp.findings('alice-tool');
-- the same purl under a new bom-ref is another component: removed, and
-- opened again under its bom-ref
SELECT * FROM pkgmeta_watch('alice-tool', '{"components": [{"bom-ref": "wx-lib@1.0.0", "purl": "pkg:npm/wx-lib@1.0.0"}]}'::jsonb);
SELECT * FROM pkgmeta_watch('alice-tool', '{"components": [{"bom-ref": "run-2", "purl": "pkg:npm/wx-lib@1.0.0"}]}'::jsonb);
SELECT * FROM pg_temp.findings('alice-tool');
SELECT pkgmeta_unwatch('alice-tool');
SELECT * FROM pkgmeta_watch('alice-purls', ARRAY['pkg:npm/wx-lib@1.0.0', 'not a purl']);
SELECT * FROM pkgmeta_watch('alice-purls', '{"components": [{"bom-ref": "x", "purl": "pkg:npm/a@1"}, {"bom-ref": "x", "purl": "pkg:npm/b@1"}]}'::jsonb);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM pkgmeta_watch('alice-purls', ARRAY['pkg:npm/wx-lib@1.0.0']);
ROLLBACK;
RESET ROLE;

-- Another watcher sees and changes nothing of alice's.
SET ROLE regress_w_bob;
SELECT * FROM pkgmeta_watch('bob-svc', ARRAY['pkg:npm/wx-lib@1.9.0']);
SELECT name, owner FROM pkgmeta.inventories ORDER BY name;
SELECT inventory, bom_ref FROM pkgmeta.watched_components ORDER BY 1, 2;
SELECT inventory, bom_ref, advisory_id FROM pkgmeta.findings ORDER BY 1, 2, 3;
SELECT inventory, advisory_id FROM pkgmeta.open_findings;
UPDATE pkgmeta.inventories SET owner = 'regress_w_bob' WHERE name = 'alice-app';
DELETE FROM pkgmeta.watched_components WHERE inventory = 'alice-app';
INSERT INTO pkgmeta.watched_components (inventory, bom_ref, purl) VALUES ('alice-app', 'z', 'pkg:npm/z@1');
INSERT INTO pkgmeta.inventories (name, owner) VALUES ('stolen', 'regress_w_alice');
INSERT INTO pkgmeta.findings (inventory, owner, bom_ref, purl, kind, advisory_id, source)
VALUES ('bob-svc', 'regress_w_bob', 'x', 'pkg:npm/x@1', 'advisory', 'WX-1', 'glad');
UPDATE pkgmeta.findings SET resolved_at = now(), resolution = 'removed';
SELECT pkgmeta.write_findings(NULL, 'bob-svc', 'regress_w_bob', 'x', 'pkg:npm/x@1', 'advisory',
                              'WX-1', 'glad', NULL, NULL, false);
SELECT * FROM pkgmeta_watch('alice-app', ARRAY['pkg:npm/wx-lib@1.9.0']);
SELECT pkgmeta_unwatch('alice-app');
-- bob's own inventory: writable, but not given away
UPDATE pkgmeta.inventories SET owner = 'regress_w_alice' WHERE name = 'bob-svc';
RESET ROLE;
SELECT inventory, count(*) FROM pkgmeta.watched_components GROUP BY 1 ORDER BY 1;

-- A role that is not a watcher may not watch, and reads nothing.
SET ROLE regress_w_plain;
SELECT * FROM pkgmeta_watch('plain', ARRAY['pkg:npm/wx-lib@1.9.0']);
SELECT pkgmeta_unwatch('bob-svc');
SELECT count(*) FROM pkgmeta.findings;
SELECT count(*) FROM pkgmeta.open_findings;
RESET ROLE;

-- An admin sees every inventory and may watch them; the owner stays.
SET ROLE regress_w_admin;
SELECT name, owner FROM pkgmeta.inventories ORDER BY name;
SELECT inventory, count(*) FROM pkgmeta.open_findings GROUP BY 1 ORDER BY 1;
SELECT * FROM pkgmeta_watch('alice-purls', ARRAY['pkg:npm/wx-lib@1.0.0']);
SELECT name, owner FROM pkgmeta.inventories WHERE name = 'alice-purls';
RESET ROLE;

-- Unwatch: the open findings resolved as removed and kept; the name is free
-- again, and whoever takes it does not see the history of the previous owner.
SET ROLE regress_w_alice;
SELECT pkgmeta_unwatch('alice-app');
SELECT * FROM pg_temp.findings('alice-app');
SELECT pkgmeta_unwatch('alice-app');
RESET ROLE;
SET ROLE regress_w_bob;
SELECT * FROM pkgmeta_watch('alice-app', ARRAY['pkg:npm/wx-lib@1.9.0']);
SELECT * FROM pg_temp.findings('alice-app');
SELECT pkgmeta_unwatch('alice-app'), pkgmeta_unwatch('bob-svc');
RESET ROLE;
SET ROLE regress_w_alice;
SELECT pkgmeta_unwatch('alice-purls');
RESET ROLE;
SELECT count(*) AS open_findings_left FROM pkgmeta.findings WHERE resolved_at IS NULL;

-- Findings are written below SQL (src/findings_writer.c), which would skip
-- a trigger a site added to the table: such a table is refused, whole.
CREATE FUNCTION regress_site_trigger() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER regress_site_trigger BEFORE INSERT ON pkgmeta.findings
    FOR EACH ROW EXECUTE FUNCTION regress_site_trigger();
\set VERBOSITY terse
SELECT * FROM pkgmeta_watch('site-changed', ARRAY['pkg:npm/wx-lib@1.0.0']);
\set VERBOSITY default
SELECT count(*) AS inventories_named_site_changed FROM pkgmeta.inventories WHERE name = 'site-changed';
DROP TRIGGER regress_site_trigger ON pkgmeta.findings;
DROP FUNCTION regress_site_trigger();
-- a constraint a site added still holds for the rows it writes
ALTER TABLE pkgmeta.findings ADD CONSTRAINT regress_site_check CHECK (purl NOT LIKE '%@1.0.0') NOT VALID;
\set VERBOSITY terse
SELECT * FROM pkgmeta_watch('site-changed', ARRAY['pkg:npm/wx-lib@1.0.0']);
\set VERBOSITY default
ALTER TABLE pkgmeta.findings DROP CONSTRAINT regress_site_check;
-- a column it would not fill is refused too; once dropped, findings are written again
ALTER TABLE pkgmeta.findings ADD COLUMN regress_site_note text DEFAULT 'x';
\set VERBOSITY terse
SELECT * FROM pkgmeta_watch('site-changed', ARRAY['pkg:npm/wx-lib@1.0.0']);
\set VERBOSITY default
ALTER TABLE pkgmeta.findings DROP COLUMN regress_site_note;
SELECT * FROM pkgmeta_watch('site-changed', ARRAY['pkg:npm/wx-lib@1.0.0']);
SELECT pkgmeta_unwatch('site-changed');
SELECT count(*) AS resolved_as_removed FROM pkgmeta.findings
 WHERE inventory = 'site-changed' AND resolution = 'removed';

DELETE FROM pkgmeta.findings;
DELETE FROM pkgmeta.cve_enrichment WHERE cve LIKE 'CVE-2024-900_';
DELETE FROM pkgmeta.malware_advisories WHERE advisory_id = 'GLAM-2024-01-09001';
DELETE FROM pkgmeta.advisories WHERE advisory_id LIKE 'WX-_';
DROP ROLE regress_w_alice, regress_w_bob, regress_w_admin, regress_w_plain;
