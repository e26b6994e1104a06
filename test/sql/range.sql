-- Affected-version ranges (src/range.c) and distro matching (src/distro.c):
-- the examples of doc/ranges.md (GitLab's spec examples), every form of each dialect,
-- and input that must give a clear NULL or error.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pkgmeta;
RESET client_min_messages;

-- Section C's spec data: what GitLab answers (NULL: its parse error), what
-- pkgmeta answers, and for each case where pkgmeta's own ordering reads the
-- version differently, why (doc/ranges.md lists the kinds).
CREATE TEMP TABLE spec (t text, r text, v text, gitlab boolean, differs text);
INSERT INTO spec VALUES
    ('composer', '<=2.2.1', '2.2.1', true, NULL), ('composer', '<=2.2.1', '2.2.2', false, NULL),
    ('conan', '<=2.2.1', '2.2.1', true, NULL), ('conan', '<=2.2.1', '2.2.2', false, NULL),
    ('golang', '<=2.2.1', '2.2.1', true, NULL), ('golang', '<=2.2.1', '2.2.2', false, NULL),
    ('npm', '<=2.2.1', '2.2.1', true, NULL), ('npm', '<=2.2.1', '2.2.2', false, NULL),
    ('gem', '<=2.2.1.pre', '2.2.1.pre', true, NULL), ('gem', '<=2.2.1.pre', '2.2.1', false, NULL),
    ('maven', '[,2.5]', '2.5', true, NULL), ('maven', '[,2.5]', '2.6', false, NULL),
    ('nuget', '[,1.2.3.0]', '1.2.3.0', true, NULL), ('nuget', '[,1.2.3.0]', '1.2.3.1', false, NULL),
    ('pypi', '<=1.11.0', '1.11', true, NULL), ('pypi', '<=1.11.0', '1.11.1', false, NULL),
    ('npm', '>=0.8.0 <1.0.0', '0.8.0', true, NULL), ('npm', '>=0.8.0 <1.0.0', '1.0.0', false, NULL),
    ('npm', '>=0.8.0 <1.0.0', 'invalid-version', NULL, NULL),
    ('npm', '<0.1.0', '0.8.0', false, NULL),
    ('npm', '>=5.2.0 <5.2.1.1', '5.2', true, 'npm versions have exactly three numbers'),
    ('npm', '>=5.2.0 <5.2.1.1', '1.0', false, 'npm versions have exactly three numbers'),
    -- bad versions
    ('composer', '<=2.2.1', 'dev-master', NULL, NULL),
    ('conan', '<=2.2.1', 'x', NULL, 'Conan orders any word as a version'),
    ('gem', '<=2.2.1', '1.2.3.*', NULL, NULL),
    ('golang', '<=2.2.1', '1.2.3x', NULL, NULL), ('npm', '<=2.2.1', '1.2.3x', NULL, NULL),
    ('nuget', '[,1.2.3.0]', '1.2.3x', NULL, NULL),
    ('maven', '[,2.5]', '?', NULL, 'Maven orders any string as a version'),
    ('pypi', '<=1.11.0', 'x', NULL, NULL),
    ('pypi', '<=1.11.0', ' 5.0', NULL, 'PEP 440 ignores surrounding whitespace'),
    ('npm', '<=2.2.1', '', NULL, NULL), ('pypi', '<=1.11.0', '', NULL, NULL),
    -- bad ranges
    ('composer', '<dev-master', '1.2.3', NULL, NULL), ('conan', '-', '1.2.3', NULL, NULL),
    ('gem', '<1.2.3.*', '1.2.3', NULL, NULL), ('golang', '<1.2.3x', '1.2.3', NULL, NULL),
    ('npm', '<1.2.3x', '1.2.3', NULL, NULL), ('nuget', '<1.2.3x', '1.2.3', NULL, NULL),
    ('maven', '-', '1.2.3', NULL, 'Maven orders any string as a version: "-" is ">= -"'),
    ('pypi', '[,1.0.0]', '1.2.3', NULL, NULL),
    ('npm', '>=3.0.0alpha <= 3.8.2 || <= 2.15.0', '1.2.3', NULL, NULL),
    -- the OS rule
    ('deb', '<2:7.4.052-1ubuntu3.1', '2:7.4.051-1ubuntu3.1', true, NULL),
    ('deb', '<2:7.4.052-1ubuntu3.1', '2:7.4.052-1ubuntu3.1', false, NULL),
    ('deb', '<5:5.2', '5.2', true, NULL),
    ('apk', '<5.03', '5.02', NULL, 'apk-tools orders leading zeros (5.03) as decimal fractions');
SELECT t, r, v, pkgmeta_range_contains(t, r, v) AS pkgmeta, gitlab,
       CASE WHEN differs IS NULL THEN 'same' ELSE 'differs: ' || differs END AS vs_gitlab
  FROM spec ORDER BY t, r, v;
-- every agreement the table promises holds, and every listed difference is one
SELECT t, r, v, differs FROM spec
 WHERE (differs IS NULL) = (pkgmeta_range_contains(t, r, v) IS DISTINCT FROM gitlab);

-- The dialects: branch separators, operator spacing, "=*"/"*", the leading
-- "=" of a branch, operator runs that add nothing.
SELECT t, r, v, pkgmeta_range_contains(t, r, v)
  FROM (VALUES
    ('npm', '>=1.0.0 <2.0.0 || >=3.0.0', '3.1.0'), ('npm', '>=1.0.0 <2.0.0 || >=3.0.0', '2.5.0'),
    ('npm', '>=1.0.0 && <2.0.0', '1.5.0'), ('npm', '>= 1.0.0  <  2.0.0', '2.0.0'),
    ('npm', '1.0.0', '1.0.0'), ('npm', '1.0.0', '1.0.1'), ('npm', '=1.0.0 || =1.0.1', '1.0.1'),
    ('npm', '>1.0.0-alpha', '1.0.0-beta'), ('npm', '<1.0.0', '1.0.0-rc.1'),
    ('npm', '*', '0.0.1'), ('npm', '=*', '9.9.9'), ('npm', '= *', '9.9.9'), ('npm', '*', 'bad'),
    ('npm', '=>2.0.0', '1.0.0'), ('npm', '=>2.0.0 <1.0.0', '1.5.0'),
    ('cargo', '>=1.0.0 && <1.2.0', '1.1.0'), ('conan', '>=1.0 && <2.0', '1.5'),
    ('golang', '>=v1.2.0 <v1.3.0', 'v1.2.5'), ('golang', '<1.2.0 || >=1.4.0', '1.3.0'),
    ('golang', '>=1.0.0 && <2.0.0', '1.5.0'),
    ('gem', '>=1.0, <2.0', '1.5'), ('gem', '>=1.0 <2.0', '1.5'), ('gem', '=1.0', '1.0.0'),
    ('pypi', '>=1.0,<2.0', '1.5'), ('pypi', '>=1.0,<2.0', '2.0'), ('pypi', '==1.0', '1.0.0'),
    ('pypi', '<1.0', '1.0rc1'), ('pypi', '>1.0', '1.0.post1'), ('pypi', '<2.0 || >=3.0', '3.0'),
    ('composer', '>=1.0,<1.1 || >=2.0,<2.1', '2.0.5'), ('composer', '>=1.0,<1.1 || >=2.0,<2.1', '1.5')
  ) AS c(t, r, v);

-- npm's partial versions as bounds, as node semver reads them with
-- pre-releases included (t/055 compares with it): "1.2" spans >=1.2.0-0
-- <1.3.0-0, "*" is every version, "<*" none; the malware example ">=0".
SELECT r, string_agg(v || CASE pkgmeta_range_contains('npm', r, v) WHEN true THEN ':yes'
       WHEN false THEN ':no' ELSE ':null' END, ' ' ORDER BY v) AS versions
  FROM (VALUES ('>=0'), ('>=1'), ('>1'), ('<1'), ('<=1'), ('1'), ('=1.2'), ('1.x'), ('1.2.*'),
               ('>1.2'), ('<=1.2.x'), ('<1.2'), ('*'), ('x'), ('<*'), ('>X'), ('>= v1.2'),
               ('1.2.x-beta'), ('1+build'), ('>=1 <1.2.5 || 3')) AS r(r),
       (VALUES ('0.0.0-0'), ('0.9.9'), ('1.0.0-0'), ('1.0.0-rc.1'), ('1.0.0'), ('1.2.0-0'),
               ('1.2.9'), ('1.3.0-0'), ('1.9.9'), ('2.0.0-0'), ('2.0.0'), ('3.5.0')) AS v(v)
 GROUP BY r ORDER BY r;

-- Maven and NuGet intervals: every form of section C's table.
SELECT t, r, string_agg(v || CASE pkgmeta_range_contains(t, r, v) WHEN true THEN ':yes'
                                  WHEN false THEN ':no' ELSE ':null' END, ' ' ORDER BY v) AS versions
  FROM (VALUES ('maven'), ('nuget')) AS ty(t),
       (VALUES ('(,)'), ('[,]'), ('[2.0]'), ('(2.0)'), ('[,2.0]'), ('(,2.0]'), ('(,2.0)'),
               ('[,2.0)'), ('[2.0,]'), ('[2.0,)'), ('(2.0,)'), ('(2.0,]'), ('[1.0,2.0]'),
               ('(1.0,2.0)'), ('[1.0,2.0)'), ('(1.0,2.0]'), ('2.0'), ('[1.0], [ 2.0 , 3.0 )'),
               ('(,1.0],[3.0,)'), ('1.0, [3.0]')) AS rs(r),
       (VALUES ('0.5'), ('1.0'), ('1.5'), ('2.0'), ('2.5'), ('3.0')) AS vs(v)
 GROUP BY t, r ORDER BY t, r;
SELECT pkgmeta_range_contains('nuget', '[1.0.0-Beta,2.0.0)', '1.0.0-beta') AS nuget_case,
       pkgmeta_range_contains('maven', '[1.0-SNAPSHOT,1.0)', '1.0-rc1') AS maven_qualifiers;

-- The OS rule: "*" or "<X" for apk, rpm, deb; "*" only for cbl-mariner and
-- wolfi; swift, conda and pub have no range syntax.
SELECT t, r, v, pkgmeta_range_contains(t, r, v)
  FROM (VALUES
    ('deb', '*', '1.0-1'), ('deb', ' * ', '1.0-1'), ('deb', '*', 'not a version'),
    ('deb', '<1.0~rc1-1', '1.0~beta1-1'), ('deb', '<=1.0', '0.9'), ('deb', '>1.0', '2.0'),
    ('deb', '<1.0 <2.0', '0.5'), ('deb', '1.0', '1.0'),
    ('rpm', '<1:1.0-1.el8', '1.0-1.el8'), ('rpm', '<1.0^20230101-1', '1.0-1'),
    ('apk', '<1.2.3-r1', '1.2.3-r0'), ('apk', '<1.2.3_rc1', '1.2.3'),
    ('cbl-mariner', '*', '1.0-1.cm2'), ('cbl-mariner', '*', ' '), ('cbl-mariner', '<2.0', '1.0'),
    ('wolfi', '*', '1.2.3-r0'), ('wolfi', '<2', '1'),
    ('swift', '*', '1.0.0'), ('conda', '>=1.0', '1.0'), ('pub', '<2.0.0', '1.0.0')
  ) AS c(t, r, v);

-- Distros: section C's examples, then each normalization.
SELECT a, n, v, pkgmeta_distro_matches(a, n, v)
  FROM (VALUES
    ('CBL-Mariner 2.0', 'CBL-Mariner', '2.0.20220122'), ('alpine edge', 'alpine', '3.19_alpha20230901'),
    ('ubuntu 19.04', 'ubuntu', '19.04-ESM'), ('ubuntu 19.05-ESM', 'ubuntu', '19.05-ESM'),
    ('amazon linux 1', 'amazon linux', 'AMI release 2018.03'), ('amazon linux 2', 'amazon linux', '2 (Karoo)'),
    ('alma 9', 'alma', '8.4'), ('ubuntu 12.04-XYZ', 'ubuntu', '12.04-ESM'),
    ('debian 12', 'debian', '12.5'), ('debian 12', 'debian', '11.9'), ('debian 12', 'Debian', '12.5'),
    ('rocky 9', 'rocky', '9.3'), ('Oracle Linux 8', 'Oracle Linux', '8.9'),
    ('alpine 3.19', 'alpine', '3.19.1'), ('alpine 3.19', 'alpine', '3.1'),
    ('Red Hat', 'Red Hat', '9.3'), ('wolfi', 'wolfi', '20230201'),
    ('amazon linux 2023', 'amazon linux', '2023.3.20240108'), ('amazon linux 2023', 'amazon linux', '2023 (Amazon Linux)'),
    ('ubuntu 12.04-ESM', 'ubuntu', '12.04-ESM'), ('ubuntu 22.04', 'ubuntu', '22.04'),
    ('ubuntu 22.04', 'ubuntu', '22.04.3'), ('opensuse 15.5', 'opensuse', '15.5'),
    ('debian', 'debian', '')
  ) AS c(a, n, v);

-- Compiled once, matched many times: the same answers as the one-shot form.
SELECT reason, compiled IS NOT NULL AS compiled FROM pkgmeta.compile_range(6::smallint, '>=1.0.0 <2.0.0 || =3.0.0');
-- the layout doc/ranges.md describes: format 1, npm (6), one branch of two
-- comparators, >= (5) "1.0.0" and < (2) "2.0.0"; "*" is one empty branch
SELECT compiled FROM pkgmeta.compile_range(6::smallint, '>= 1.0.0 && <2.0.0');
SELECT compiled FROM pkgmeta.compile_range(6::smallint, '*');
SELECT pkgmeta.compile_range(6::smallint, '<1.2.3x');
SELECT v, pkgmeta.range_match(c.compiled, 6::smallint, v) AS match,
       pkgmeta_range_contains('npm', '>=1.0.0 <2.0.0 || =3.0.0', v) AS contains
  FROM pkgmeta.compile_range(6::smallint, '>=1.0.0 <2.0.0 || =3.0.0') AS c,
       unnest(ARRAY['0.9.0', '1.0.0', '1.9.9', '2.0.0', '3.0.0', 'bad']) AS v;

-- Bad input: a clear NULL or error, never a crash.
SELECT pkgmeta_range_contains('npm', repeat('=1.0.0 || ', 10000) || '=1.0.0', '1.0.0') AS ten_thousand_branches;
SELECT reason FROM pkgmeta.compile_range(6::smallint, repeat('=1.0.0 || ', 10000) || '=1.0.0');
-- within the length limit but beyond the comparator limit
SELECT reason FROM pkgmeta.compile_range(5::smallint, repeat('1,', 4000) || '1');
SELECT pkgmeta_range_contains('maven', repeat('1,', 1999) || '1', '1') AS at_comparator_limit;
SELECT pkgmeta_range_contains('maven', repeat('[', 5000) || '1' || repeat(']', 5000), '1') AS nested,
       pkgmeta_range_contains('nuget', repeat('(', 9000), '1.0') AS unclosed,
       pkgmeta_range_contains('maven', '[1.0,2.0,3.0]', '1.5') AS three_bounds,
       pkgmeta_range_contains('maven', '[]', '1.0') AS empty_interval,
       pkgmeta_range_contains('maven', '1.0]', '1.0') AS stray_close,
       pkgmeta_range_contains('maven', ' , ', '1.0') AS no_items;
SELECT pkgmeta_range_contains('npm', '', '1.0.0') AS empty,
       pkgmeta_range_contains('npm', '||', '1.0.0') AS empty_branches,
       pkgmeta_range_contains('npm', '>=', '1.0.0') AS operator_only,
       pkgmeta_range_contains('npm', '>=1.0.0 2.0.0', '1.0.0') AS no_operator,
       pkgmeta_range_contains('npm', '^1.2.0', '1.2.0') AS caret,
       pkgmeta_range_contains('npm', '~1.2.0', '1.2.0') AS tilde,
       pkgmeta_range_contains('npm', '1.x.3', '1.2.0') AS number_after_x,
       pkgmeta_range_contains('npm', '1.2-rc.1', '1.2.0') AS partial_prerelease,
       pkgmeta_range_contains('npm', '>=1.0.0' || chr(160) || '<2.0.0', '1.5.0') AS nbsp;
SELECT pkgmeta_range_contains('npm', '<2.0.0', repeat('9', 100000) || '.0.0') AS absurd_number,
       pkgmeta_range_contains('npm', '<2.0.0', '1.0.0-' || repeat('a.', 50000) || 'a') AS absurd_prerelease,
       pkgmeta_range_contains('pypi', '<2.0', repeat('1.', 50000) || '1') AS absurd_release,
       pkgmeta_range_contains('maven', '[1.0,2.0)', repeat('-', 100000)) AS dashes;
SELECT pkgmeta_range_contains('maven', '[1.0,2.0)', E'1.5\n') AS newline_version;
SELECT pkgmeta_range_contains('nope', '*', '1.0');
SELECT pkgmeta.compile_range(99::smallint, '*');
SELECT pkgmeta.range_match('\x01'::bytea, 6::smallint, '1.0.0');
-- well formed, but its bound is no npm version
SELECT pkgmeta.range_match('\x010600010001010003'::bytea || '1.0'::bytea, 6::smallint, '1.0.0');
SELECT pkgmeta.range_match(c.compiled, 8::smallint, '1.0')
  FROM pkgmeta.compile_range(6::smallint, '*') AS c;

DROP EXTENSION pkgmeta;
