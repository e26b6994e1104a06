-- Vulnerability lookups: which stored advisories affect a package at a
-- version.  Ranges are compiled as the sync compiles them (the sync's own
-- path, bad-range rows included, is t/100_vulnerabilities.pl); the answers
-- are checked against pkgmeta_range_contains and pkgmeta_distro_matches,
-- the one-shot forms of the same rules, and the forms against each other.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pkgmeta;
RESET client_min_messages;

-- An advisory with its affected packages, stored as the sync stores them.
CREATE FUNCTION pg_temp.advisory(id text, cve text, pkgs jsonb) RETURNS void
LANGUAGE sql AS $$
    WITH a AS (
        INSERT INTO pkgmeta.advisories (advisory_id, source, title, cvss_v3, cvss_v4,
                                        published_date, urls, identifiers)
        VALUES (id, 'glad', 'title of ' || id, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
                NULL, '2024-01-02', ARRAY['https://example.org/' || id],
                CASE WHEN cve IS NULL THEN '[]'::jsonb
                     ELSE jsonb_build_array(jsonb_build_object('type', 'cve', 'name', cve,
                                                               'value', cve)) END)
        RETURNING advisories.id)
    INSERT INTO pkgmeta.advisory_packages (advisory, purl_type, name, affected_range,
                                           solution, fixed_versions, distro, compiled_range)
    SELECT a.id, t.id, pkgmeta.normalize_name(t.id, p ->> 'name'), p ->> 'range',
           p ->> 'solution', ARRAY(SELECT jsonb_array_elements_text(p -> 'fixed')),
           p ->> 'distro', (pkgmeta.compile_range(t.id, p ->> 'range')).compiled
      FROM a, jsonb_array_elements(pkgs) AS e(p)
      JOIN pkgmeta.purl_types t ON t.name = p ->> 'type'
$$;
SELECT pg_temp.advisory('VX-1', 'CVE-2024-0001', '[
    {"type": "npm", "name": "vx-left", "range": ">=1.0.0 <1.3.0", "fixed": ["2.0.0", "1.3.0", "0.5.0"]},
    {"type": "pypi", "name": "Vx_Py", "range": "<2.0", "fixed": ["2.0"], "solution": "Upgrade to 2.0."}]');
SELECT pg_temp.advisory('VX-2', NULL, '[
    {"type": "npm", "name": "vx-left", "range": "<1.0.0 || >=1.2.0 <1.2.5", "fixed": ["1.2.5"]}]');
-- a range the ordering cannot read: stored uncompiled, matched as undecided
SELECT pg_temp.advisory('VX-3', 'CVE-2024-0003', '[
    {"type": "npm", "name": "vx-left", "range": "<1.2.3x", "fixed": []}]');
SELECT pg_temp.advisory('VX-4', 'CVE-2024-0004', '[
    {"type": "deb", "name": "vx-ssl", "range": "<1.1.1n-0+deb11u4", "distro": "debian 11", "fixed": ["1.1.1n-0+deb11u4"]},
    {"type": "deb", "name": "vx-ssl", "range": "<3.0.11-1~deb12u2", "distro": "debian 12", "fixed": ["3.0.11-1~deb12u2"]}]');
INSERT INTO pkgmeta.cve_enrichment (cve, epss_score, known_exploited)
VALUES ('CVE-2024-0001', 0.625, true), ('CVE-2024-0004', 0.01, false);

SELECT advisory_id, affected_range, compiled_range IS NULL AS uncompiled
  FROM pkgmeta.affected_packages ap
  JOIN pkgmeta.advisory_packages p USING (affected_range)
 WHERE advisory_id LIKE 'VX-%' ORDER BY 1, 2;

-- Every column of the purl form, for versions inside, between and above
SELECT * FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@1.2.1');
SELECT advisory_id, fix_version, affected FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@0.9.0');
SELECT advisory_id, fix_version, affected FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@1.2.7');
SELECT advisory_id, fix_version, affected FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@3.0.0');
-- a version the ordering cannot read: every advisory of the package undecided
SELECT advisory_id, fix_version, affected FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@1.x');
-- names normalized as the export's; epss and solution come through
SELECT advisory_id, fix_version, solution, epss_score, known_exploited, affected
  FROM pkgmeta_vulnerabilities('pypi', 'VX.py', '1.9');

-- The answers agree with the one-shot range function over a grid of versions
WITH v(version) AS (VALUES ('0.0.1'), ('0.9.9'), ('1.0.0'), ('1.1.0'), ('1.2.0'), ('1.2.4'),
                           ('1.2.5'), ('1.3.0'), ('2.0.0'), ('junk'))
SELECT count(*) AS disagreements FROM (
    SELECT v.version, ap.advisory_id, pkgmeta_range_contains('npm', ap.affected_range, v.version) AS expected
      FROM v, pkgmeta.affected_packages ap WHERE ap.name = 'vx-left'
) e
FULL JOIN (
    SELECT v.version, m.advisory_id, m.affected
      FROM v, pkgmeta_vulnerabilities('npm', 'vx-left', v.version) m
) g USING (version, advisory_id)
WHERE e.expected IS DISTINCT FROM g.affected AND e.expected IS DISTINCT FROM false;

-- OS packages: the distribution from the qualifier or the argument
SELECT advisory_id, affected_range, fix_version, affected
  FROM pkgmeta_vulnerabilities('pkg:deb/debian/vx-ssl@1.1.1n-0+deb11u3?arch=amd64&distro=debian-11.6');
SELECT advisory_id, affected_range, affected
  FROM pkgmeta_vulnerabilities('deb', 'vx-ssl', '1.1.1n-0+deb11u3', 'debian-12');
SELECT advisory_id, affected_range, affected
  FROM pkgmeta_vulnerabilities('pkg:deb/debian/vx-ssl@3.0.11-1~deb12u1?distro=debian-12');
-- ... and without one: undecided where the version is in range, else left out
SELECT advisory_id, affected_range, affected
  FROM pkgmeta_vulnerabilities('pkg:deb/debian/vx-ssl@1.1.1n-0+deb11u3');
SELECT advisory_id, affected_range, affected
  FROM pkgmeta_vulnerabilities('pkg:deb/debian/vx-ssl@9.0');

-- The SBOM form answers each component as the purl form does
CREATE TEMP TABLE sbom AS SELECT '{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
    {"bom-ref": "a", "type": "library", "purl": "pkg:npm/vx-left@1.2.1",
     "components": [{"bom-ref": "b", "type": "library", "purl": "pkg:pypi/vx-py@1.0"}]},
    {"bom-ref": "c", "type": "library", "purl": "pkg:deb/debian/vx-ssl@1.1.1n-0+deb11u3?distro=debian-11"},
    {"type": "library", "purl": "pkg:npm/vx-left@1.x"},
    {"bom-ref": "e", "type": "library", "purl": "not a purl"},
    {"bom-ref": "f", "type": "library", "purl": "pkg:npm/vx-left@9.0.0"}]}'::jsonb AS doc;
SELECT bom_ref, purl, advisory_id, fix_version, affected FROM pkgmeta_sbom_vulnerabilities((SELECT doc FROM sbom));
SELECT count(*) AS differences FROM (
    (SELECT s.* FROM sbom, pkgmeta_sbom_vulnerabilities(doc) s
     EXCEPT ALL
     SELECT c ->> 'bom-ref', c ->> 'purl', m.*
       FROM sbom, jsonb_path_query(doc, 'strict $.**.components[*] ? (@.purl like_regex "^pkg:")') c,
            pkgmeta_vulnerabilities(c ->> 'purl') m)
    UNION ALL
    (SELECT c ->> 'bom-ref', c ->> 'purl', m.*
       FROM sbom, jsonb_path_query(doc, 'strict $.**.components[*] ? (@.purl like_regex "^pkg:")') c,
            pkgmeta_vulnerabilities(c ->> 'purl') m
     EXCEPT ALL
     SELECT s.* FROM sbom, pkgmeta_sbom_vulnerabilities(doc) s)) d;
-- ... and so does the array form, distros included
SELECT purl_type, name, version, advisory_id, affected
  FROM pkgmeta_bulk_vulnerabilities('{npm,deb,deb}', '{vx-left,vx-ssl,vx-ssl}',
                                    '{1.2.1,1.1.1n-0+deb11u3,1.1.1n-0+deb11u3}',
                                    '{NULL,debian-11}');

-- VEX: the SBOM with a vulnerabilities array (schema validation: t/100_vulnerabilities.pl)
SELECT jsonb_pretty(pkgmeta_sbom_vex(doc) -> 'vulnerabilities') FROM sbom;
SELECT pkgmeta_sbom_vex(doc) - 'vulnerabilities' = doc AS rest_unchanged FROM sbom;
SELECT pkgmeta_sbom_vex('{"bomFormat": "CycloneDX", "specVersion": "1.3", "components": []}');

-- Callers' search_path does not matter, and reading needs no privileges
CREATE SCHEMA regress_vx_evil;
CREATE FUNCTION regress_vx_evil.always(smallint, smallint) RETURNS boolean
    LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR regress_vx_evil.= (LEFTARG = smallint, RIGHTARG = smallint,
                                   FUNCTION = regress_vx_evil.always);
CREATE FUNCTION regress_vx_evil.always(text, text) RETURNS boolean
    LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR regress_vx_evil.= (LEFTARG = text, RIGHTARG = text,
                                   FUNCTION = regress_vx_evil.always);
CREATE FUNCTION regress_vx_evil.unnest(anyarray) RETURNS SETOF anyelement
    LANGUAGE sql AS 'SELECT NULL::anyelement WHERE false';
SET search_path = regress_vx_evil, pg_catalog, public;
SELECT advisory_id, affected FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@1.2.1');
SELECT advisory_id, affected FROM pkgmeta_vulnerabilities('deb', 'vx-ssl', '1.1.1n-0+deb11u3', 'debian-12');
SELECT bom_ref, advisory_id FROM pkgmeta_sbom_vulnerabilities('{"components": [{"bom-ref": "x", "purl": "pkg:npm/vx-left@1.2.1"}]}');
SELECT jsonb_array_length(pkgmeta_sbom_vex((SELECT doc FROM sbom)) -> 'vulnerabilities') AS vex_entries;
RESET search_path;
DROP SCHEMA regress_vx_evil CASCADE;
SET search_path = '';
SELECT advisory_id FROM public.pkgmeta_vulnerabilities('pkg:npm/vx-left@1.2.1') AS empty_search_path;
RESET search_path;
CREATE ROLE regress_vx_reader;
GRANT SELECT ON sbom TO regress_vx_reader;
SET ROLE regress_vx_reader;
SELECT advisory_id, affected FROM pkgmeta_vulnerabilities('pkg:npm/vx-left@1.2.1') AS as_reader;
SELECT count(*) AS reader_vex FROM jsonb_array_elements(pkgmeta_sbom_vex((SELECT doc FROM sbom)) -> 'vulnerabilities');
RESET ROLE;
DROP TABLE sbom;
DROP ROLE regress_vx_reader;

DELETE FROM pkgmeta.advisories WHERE advisory_id LIKE 'VX-%';
DELETE FROM pkgmeta.cve_enrichment WHERE cve LIKE 'CVE-2024-000%';
