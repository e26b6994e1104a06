-- License lookup (doc/format.md section 6), purl parsing and the set-based forms.
-- Rows are inserted directly (as superuser); license ids from 1001 and
-- package names starting "lk" keep clear of anything else, and the file
-- drops the extension at its end so the files after it start afresh.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pkgmeta;
RESET client_min_messages;

INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES
    (1001, 'LK-Apache-2.0'), (1002, 'LK-MIT'), (1003, 'LK-BSD-3-Clause'),
    (1004, 'LK-GPL-2.0-only');

-- purl_type ids: npm 6, pypi 8, golang 4, maven 5, composer 1, conan 2,
-- deb 11, conda 16.
INSERT INTO pkgmeta.packages (purl_type, name, lowest_version, highest_version,
                              default_licenses, other_licenses) VALUES
    (6, 'lk-widget', '1.0.0', '3.2.1', '{1001}',
     ARRAY[ROW('{1002,1003}', '{0.9.1,2.0.0-beta.1,latest}'),
           ROW('{1004}', '{2.0.0-beta.1,5.0.0}')]::pkgmeta.license_exception[]),
    (6, 'lk-no-lowest', NULL, '2.0.0', '{1002}', '{}'),
    (6, 'lk-no-highest', '2.0.0', NULL, '{1003}', '{}'),
    (6, 'lk-open', NULL, NULL, '{1001,1002}', '{}'),
    (6, 'lk-v-bounds', 'v1.0.0', 'v2.0.0', '{1002}', '{}'),
    (6, 'lk-bad-bound', 'garbage', '2.0.0', '{1002}', '{}'),
    (6, '@lk/scoped', '1.0.0', '1.9.9', '{1003}', '{}'),
    (8, 'lk-foo-bar', '1.0', '2.0', '{1002}', '{}'),
    (4, 'github.com/lk/mod', 'v1.0.0', 'v1.9.0', '{1001}', '{}'),
    (5, 'org.lk/lk-artifact', '1.0', '2.0', '{1001}', '{}'),
    (1, 'lk-vendor/lk-package', '1.0.0', '2.0.0', '{1002}', '{}'),
    (2, 'lk-conan', '1.0.0', '2.0.0', '{1003}', '{}'),
    (11, 'lk-deb', '1.0', '2.0', '{1004}', '{}'),
    (16, 'lk-conda', '1.0.0', '2.0.0', '{1002}',
     ARRAY[ROW('{1001}', '{1.5.0}')]::pkgmeta.license_exception[]);

-- Rule 1: no record for (type, name) is unknown
SELECT pkgmeta_licenses('npm', 'lk-missing', '1.0.0') AS no_record;
SELECT pkgmeta_licenses('pypi', 'lk-widget', '1.0.0') AS other_type;

-- Rule 2: the first tuple listing V as the exact same string wins, before
-- any range check, inside or outside the bounds, with or without a digit
SELECT pkgmeta_licenses('npm', 'lk-widget', '0.9.1') AS below_range_exception;
SELECT pkgmeta_licenses('npm', 'lk-widget', '2.0.0-beta.1') AS first_tuple_wins;
SELECT pkgmeta_licenses('npm', 'lk-widget', '5.0.0') AS second_tuple;
SELECT pkgmeta_licenses('npm', 'lk-widget', 'latest') AS exception_without_digit;
-- exact string only: "v0.9.1" is not "0.9.1", and 0.9.1 is below the range
SELECT pkgmeta_licenses('npm', 'lk-widget', 'v0.9.1') AS not_exact;
SELECT pkgmeta_licenses('npm', 'lk-widget', '0.9.1 ') AS trailing_space;

-- Rule 3: V without a digit is unknown, even with both bounds open
SELECT pkgmeta_licenses('npm', 'lk-open', 'main') AS no_digit;
SELECT pkgmeta_licenses('npm', 'lk-open', '') AS empty_version;

-- Rule 4: inclusive bounds
SELECT pkgmeta_licenses('npm', 'lk-widget', '1.0.0') AS at_lowest;
SELECT pkgmeta_licenses('npm', 'lk-widget', '3.2.1') AS at_highest;
SELECT pkgmeta_licenses('npm', 'lk-widget', '2.5.0') AS inside;
SELECT pkgmeta_licenses('npm', 'lk-widget', '0.9.9') AS below;
SELECT pkgmeta_licenses('npm', 'lk-widget', '3.2.2') AS above;
-- absent bounds are open
SELECT pkgmeta_licenses('npm', 'lk-no-lowest', '0.0.1') AS open_lowest;
SELECT pkgmeta_licenses('npm', 'lk-no-lowest', '2.0.1') AS open_lowest_above;
SELECT pkgmeta_licenses('npm', 'lk-no-highest', '99.0.0') AS open_highest;
SELECT pkgmeta_licenses('npm', 'lk-no-highest', '1.9.9') AS open_highest_below;
SELECT pkgmeta_licenses('npm', 'lk-open', '7.7.7') AS both_open;
-- a leading "v" is removed from V and from both bounds
SELECT pkgmeta_licenses('npm', 'lk-widget', 'v2.0.0') AS v_prefix;
SELECT pkgmeta_licenses('npm', 'lk-v-bounds', '1.0.0') AS v_bounds_lowest;
SELECT pkgmeta_licenses('npm', 'lk-v-bounds', 'v2.0.0') AS v_bounds_highest;
SELECT pkgmeta_licenses('npm', 'lk-v-bounds', 'v2.0.1') AS v_bounds_above;
SELECT pkgmeta_licenses('golang', 'github.com/lk/mod', 'v1.5.0') AS golang_v;
-- what the ordering cannot parse is outside
SELECT pkgmeta_licenses('npm', 'lk-widget', 'x1.y') AS unparsable_version;
SELECT pkgmeta_licenses('npm', 'lk-open', 'x1.y') AS unparsable_open_bounds;
SELECT pkgmeta_licenses('npm', 'lk-bad-bound', '1.5.0') AS unparsable_bound;

-- A package without v2 record: the v1 row of exactly that version answers;
-- with a v2 record, v1 rows play no part
INSERT INTO pkgmeta.v1_licenses VALUES
    (6, 'lk-v1-only', '1.0.0', '{1002,1003}'), (6, 'lk-widget', '9.9.9', '{1004}'),
    (8, 'lk-v1-pypi', '1.0', '{1001}');
SELECT pkgmeta_licenses('npm', 'lk-v1-only', '1.0.0') AS v1_exact;
SELECT pkgmeta_licenses('npm', 'lk-v1-only', 'v1.0.0') AS v1_not_exact;
SELECT pkgmeta_licenses('npm', 'lk-widget', '9.9.9') AS v2_record_wins;
SELECT pkgmeta_licenses('pkg:pypi/LK_V1.PyPI@1.0') AS v1_normalized_name;

-- Types without an ordering: only rule 2 answers
SELECT pkgmeta_licenses('conda', 'lk-conda', '1.5.0') AS conda_exception;
SELECT pkgmeta_licenses('conda', 'lk-conda', '1.6.0') AS conda_in_bounds;

-- Names are normalized (section 8) before the lookup; types are case-insensitive
SELECT pkgmeta_licenses('pypi', 'LK_Foo.bar', '1.5') AS pypi_normalized;
SELECT pkgmeta_licenses('pypi', 'lk--foo__bar', '1.5') AS pypi_runs;
SELECT pkgmeta_licenses('golang', 'GitHub.com/LK/Mod', 'v1.0.0') AS golang_lower;
SELECT pkgmeta_licenses('npm', 'LK-widget', '1.0.0') AS npm_case_kept;
SELECT pkgmeta_licenses('NPM', 'lk-widget', '1.0.0') AS type_case;
SELECT pkgmeta_licenses('npm', 'lk-widget', NULL) AS null_version;
-- a type outside the export
SELECT pkgmeta_licenses('github', 'lk/widget', '1.0.0');

-- Purls: npm scopes (encoded or not), maven, golang, pypi, composer, conan, deb
SELECT pkgmeta_licenses('pkg:npm/%40lk/scoped@1.5.0') AS npm_scope;
SELECT pkgmeta_licenses('pkg:npm/@lk/scoped@1.5.0') AS npm_scope_raw;
SELECT pkgmeta_licenses('pkg:npm/lk-widget@0.9.1') AS npm_exception;
SELECT pkgmeta_licenses('pkg:maven/org.lk/lk-artifact@1.5?type=jar&classifier=sources') AS maven;
SELECT pkgmeta_licenses('pkg:golang/github.com/LK/Mod@v1.5.0#sub/dir') AS golang;
SELECT pkgmeta_licenses('pkg:pypi/LK_Foo.Bar@1.5') AS pypi;
SELECT pkgmeta_licenses('pkg:composer/lk-vendor/lk-package@1.5.0') AS composer;
SELECT pkgmeta_licenses('pkg:conan/lk-conan@1.5.0') AS conan;
SELECT pkgmeta_licenses('pkg:deb/debian/lk-deb@1.5?arch=amd64&distro=bookworm') AS deb_namespace_dropped;
-- scheme and type case-insensitive, leading slashes, trailing slashes
SELECT pkgmeta_licenses('PKG:NPM/lk-widget@1.0.0') AS upper_case;
SELECT pkgmeta_licenses('pkg://npm//lk-widget@1.0.0') AS slashes;
SELECT pkgmeta_licenses('pkg:npm/lk-widget@2.0.0/') AS trailing_slash;
-- percent-decoding of each part
SELECT pkgmeta_licenses('pkg:npm/lk%2Dwidget@2.0.0%2Dbeta%2E1') AS decoded;
SELECT pkgmeta_licenses('pkg:npm/%40lk%2Fscoped@1.5.0') AS encoded_slash_in_name;
-- a valid purl without version: nothing to decide
SELECT pkgmeta_licenses('pkg:npm/lk-widget') AS no_version;
SELECT pkgmeta_licenses('pkg:npm/@lk/scoped') AS raw_scope_no_version;
-- qualifiers and subpath are not inspected
SELECT pkgmeta_licenses('pkg:npm/lk-widget@1.0.0?x=%ZZ#%ZZ') AS ignored_parts;

-- Every purl error
SELECT pkgmeta_licenses('');
SELECT pkgmeta_licenses('npm/lk-widget@1.0.0');
SELECT pkgmeta_licenses('http://example.com/lk-widget');
SELECT pkgmeta_licenses('pkg:');
SELECT pkgmeta_licenses('pkg:/lk-widget');
SELECT pkgmeta_licenses('pkg:1npm/lk-widget@1.0.0');
SELECT pkgmeta_licenses('pkg:n_pm/lk-widget@1.0.0');
SELECT pkgmeta_licenses('pkg:np%6D/lk-widget@1.0.0');
SELECT pkgmeta_licenses('pkg:npm');
SELECT pkgmeta_licenses('pkg:npm/');
SELECT pkgmeta_licenses('pkg:npm/@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/%40lk/@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/lk-widget@');
SELECT pkgmeta_licenses('pkg:npm/%4/lk-widget@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/lk-widget%G1@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/lk-widget@1.0.0%');
SELECT pkgmeta_licenses('pkg:npm/lk%00widget@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/%00/lk-widget@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/lk-widget@1.0.0%00');
SELECT pkgmeta_licenses('pkg:npm/lk%FFwidget@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/%C0%AF/lk-widget@1.0.0');
SELECT pkgmeta_licenses('pkg:npm/lk-widget@1.0.0%ED%A0%80');
SELECT pkgmeta_licenses('pkg:maven/org%2Flk/lk-artifact@1.0');
SELECT pkgmeta_licenses('pkg:github/lk/widget@1.0.0');

-- The array form: element i of each array is one package, answered in order;
-- types outside the export are unknown rather than an error
SELECT * FROM pkgmeta_bulk_licenses(
    ARRAY['npm', 'pypi', 'npm', 'github', 'npm', 'conda'],
    ARRAY['lk-widget', 'LK.Foo_Bar', 'lk-missing', 'lk/widget', 'lk-widget', 'lk-conda'],
    ARRAY['0.9.1', '1.0', '1.0.0', '1.0.0', NULL, '1.5.0']);
-- a table goes through array_agg
CREATE TEMP TABLE lk_deps (purl_type text, name text, version text);
INSERT INTO lk_deps VALUES ('npm', '@lk/scoped', '1.0.0'), ('golang', 'github.com/lk/mod', 'v2.0.0');
SELECT * FROM pkgmeta_bulk_licenses(
    (SELECT array_agg(purl_type) FROM lk_deps), (SELECT array_agg(name) FROM lk_deps),
    (SELECT array_agg(version) FROM lk_deps));
SELECT count(*) AS no_rows FROM pkgmeta_bulk_licenses('{}', '{}', '{}');
SELECT * FROM pkgmeta_bulk_licenses('{npm,npm}', '{lk-widget}', '{1.0.0,2.0.0}');
SELECT * FROM pkgmeta_bulk_licenses('{{npm}}', '{{lk-widget}}', '{{1.0.0}}');

-- The SBOM form: nested components, document order, components without purl
-- skipped, a malformed or foreign purl answered unknown in its own row
SELECT * FROM pkgmeta_sbom_licenses($${
  "bomFormat": "CycloneDX", "specVersion": "1.5",
  "metadata": {"component": {"bom-ref": "app", "purl": "pkg:npm/lk-widget@1.0.0"},
               "tools": {"components": [{"purl": "pkg:npm/lk-widget@1.0.0"}]}},
  "components": [
    {"bom-ref": "w", "type": "library", "purl": "pkg:npm/lk-widget@2.0.0",
     "components": [
        {"bom-ref": "w-scope", "purl": "pkg:npm/%40lk/scoped@1.9.9",
         "components": [{"bom-ref": "deep", "purl": "pkg:pypi/lk_foo_bar@2.0"}]},
        {"bom-ref": "no-purl", "name": "vendored"}]},
    {"bom-ref": "m", "purl": "pkg:maven/org.lk/lk-artifact@3.0"},
    {"bom-ref": "bad", "purl": "pkg:npm/lk-widget@1.0.0%"},
    {"bom-ref": "foreign", "purl": "pkg:github/lk/widget@1.0.0"},
    {"bom-ref": "unversioned", "purl": "pkg:npm/lk-widget"},
    {"purl": "pkg:npm/lk-widget@0.9.1"},
    {"bom-ref": "null-purl", "purl": null},
    {"bom-ref": 7, "purl": 42},
    "not an object"
  ]}$$);
SELECT count(*) AS no_components FROM pkgmeta_sbom_licenses('{"bomFormat": "CycloneDX"}');
SELECT count(*) AS components_not_array FROM pkgmeta_sbom_licenses('{"components": {"purl": "pkg:npm/lk-widget@1.0.0"}}');
SELECT count(*) AS not_an_object FROM pkgmeta_sbom_licenses('[1, 2]');

-- One call answers many components, in document order
INSERT INTO pkgmeta.packages
SELECT 6, 'lk-many-' || i, '1.0.0', '2.0.0', '{1002}', '{}' FROM generate_series(1, 20000) i;
SELECT count(*) AS components,
       count(*) FILTER (WHERE licenses = '{LK-MIT}') =
           (SELECT count(*) FROM generate_series(1, 30000) i
             WHERE i % 3 = 1 AND i % 25000 BETWEEN 1 AND 20000) AS in_range_as_expected,
       count(*) FILTER (WHERE licenses NOT IN ('{LK-MIT}', '{unknown}')) AS other_answers,
       bool_and(bom_ref = 'c' || ord) AS in_document_order
  FROM pkgmeta_sbom_licenses((
         SELECT jsonb_build_object('components', jsonb_agg(jsonb_build_object(
                    'bom-ref', 'c' || i,
                    'purl', 'pkg:npm/lk-many-' || (i % 25000) || '@' || (i % 3) || '.5.0')
                    ORDER BY i))
           FROM generate_series(1, 30000) i))
       WITH ORDINALITY AS l(bom_ref, purl, purl_type, name, version, licenses, expression, ord);

-- License ids resolve through pkgmeta.licenses, also ids added after this
-- session first cached them
INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES (1005, 'LK-ISC');
INSERT INTO pkgmeta.packages VALUES (6, 'lk-late', '1.0.0', '1.0.0', '{1005,1001}', '{}');
SELECT pkgmeta_licenses('npm', 'lk-late', '1.0.0') AS new_license;
-- what an aborted transaction or subtransaction inserted is not remembered
BEGIN;
INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES (1006, 'LK-rolled-back');
INSERT INTO pkgmeta.packages VALUES (6, 'lk-aborted', '1.0.0', '1.0.0', '{1006}', '{}');
SELECT pkgmeta_licenses('npm', 'lk-aborted', '1.0.0') AS inside_transaction;
ROLLBACK;
INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES (1006, 'LK-0BSD');
INSERT INTO pkgmeta.packages VALUES (6, 'lk-aborted', '1.0.0', '1.0.0', '{1006}', '{}');
SELECT pkgmeta_licenses('npm', 'lk-aborted', '1.0.0') AS after_rollback;
BEGIN;
SAVEPOINT s;
INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES (1007, 'LK-rolled-back');
INSERT INTO pkgmeta.packages VALUES (6, 'lk-aborted-sub', '1.0.0', '1.0.0', '{1007}', '{}');
SELECT pkgmeta_licenses('npm', 'lk-aborted-sub', '1.0.0') AS inside_savepoint;
ROLLBACK TO SAVEPOINT s;
INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES (1007, 'LK-Zlib');
INSERT INTO pkgmeta.packages VALUES (6, 'lk-aborted-sub', '1.0.0', '1.0.0', '{1007}', '{}');
SELECT pkgmeta_licenses('npm', 'lk-aborted-sub', '1.0.0') AS after_rollback_to_savepoint;
COMMIT;
-- so is anything from before pkgmeta.licenses was truncated
BEGIN;
TRUNCATE pkgmeta.licenses;
INSERT INTO pkgmeta.licenses (id, spdx_identifier) VALUES (1002, 'LK-MIT-renumbered');
SELECT pkgmeta_licenses('npm', 'lk-no-lowest', '1.0.0') AS after_truncate;
ROLLBACK;
SELECT pkgmeta_licenses('npm', 'lk-no-lowest', '1.0.0') AS after_truncate_rolled_back;
-- a dangling id is reported, not guessed
INSERT INTO pkgmeta.packages VALUES (6, 'lk-dangling', '1.0.0', '1.0.0', '{1999}', '{}');
SELECT pkgmeta_licenses('npm', 'lk-dangling', '1.0.0');

-- Callers' search_path does not matter, not even one that puts look-alike
-- operators and functions before pg_catalog, and reading needs no privileges
SET search_path = '';
SELECT public.pkgmeta_licenses('pkg:npm/lk-widget@1.0.0') AS empty_search_path;
RESET search_path;
CREATE SCHEMA regress_lk_evil;
CREATE FUNCTION regress_lk_evil.always(smallint, smallint) RETURNS boolean
    LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR regress_lk_evil.= (LEFTARG = smallint, RIGHTARG = smallint,
                                   FUNCTION = regress_lk_evil.always);
CREATE FUNCTION regress_lk_evil.unnest(anyarray) RETURNS SETOF anyelement
    LANGUAGE sql AS 'SELECT NULL::anyelement WHERE false';
SET search_path = regress_lk_evil, pg_catalog, public;
SELECT pkgmeta_licenses('npm', 'lk-widget', '5.0.0') AS hostile_search_path;
SELECT * FROM pkgmeta_bulk_licenses('{npm}', '{lk-widget}', '{0.9.1}');
RESET search_path;
DROP SCHEMA regress_lk_evil CASCADE;
CREATE ROLE regress_lk_reader;
SET ROLE regress_lk_reader;
SELECT pkgmeta_licenses('pkg:npm/lk-widget@1.0.0') AS as_reader;
RESET ROLE;
DROP ROLE regress_lk_reader;

DROP EXTENSION pkgmeta;
