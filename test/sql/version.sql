-- pkgmeta_version_cmp: a few orderings per ecosystem, and every error.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pkgmeta;
RESET client_min_messages;

SELECT t, a, b, pkgmeta_version_cmp(t, a, b) AS cmp
  FROM (VALUES
    ('npm', '1.0.0-alpha', '1.0.0-alpha.1'),
    ('npm', '1.0.0-beta.11', '1.0.0-rc.1'),
    ('npm', 'v1.2.3', '=1.2.3+build.5'),
    ('npm', '10.0.0', '9.99.99'),
    ('golang', 'v0.0.0-20191109021931-daa7c04131f5', 'v0.0.1'),
    ('golang', 'v1.2', 'v1.2.0'),
    ('golang', 'v2.0.0+incompatible', 'v2.0.0'),
    ('cargo', '1.0.0-rc.1', '1.0.0'),
    ('cargo', '18446744073709551616.0.0', '18446744073709551615.0.0'),
    ('nuget', '1.0.0.0', '1.0'),
    ('nuget', '1.0.0-Beta', '1.0.0-beta'),
    ('nuget', '1.0.0.1', '1.0.0'),
    ('maven', '1.0-alpha-1', '1.0'),
    ('maven', '1.0-RC1', '1.0-cr1'),
    ('maven', '1.0-SNAPSHOT', '1.0'),
    ('maven', '1.0.0.Final', '1'),
    ('maven', '1.0-sp1', '1.0'),
    ('maven', '1.0-a1', '1.0-alpha-1'),
    ('pypi', '1.0.dev1', '1.0a1'),
    ('pypi', '1.0-1', '1.0.post1'),
    ('pypi', '1!0.1', '2.0'),
    ('pypi', '1.0+local.1', '1.0'),
    ('pypi', 'V1.0RC1', '1.0rc1'),
    ('gem', '1.0.0.rc1', '1.0.0'),
    ('gem', '1.0-rc1', '1.0.0.pre.rc1'),
    ('gem', '1.0.a', '1.a'),
    ('deb', '1.0~rc1-1', '1.0-1'),
    ('deb', '1:0.9', '2.0'),
    ('deb', '1.0+dfsg-1ubuntu2', '1.0+dfsg-1'),
    ('rpm', '1.0~rc1-1.el8', '1.0-1.el8'),
    ('rpm', '1.0^20230101-1', '1.0-1'),
    ('rpm', '1:1.0-1', '2.0-1'),
    ('rpm', '1.0', '1.0-1'),
    ('apk', '1.0_rc1-r0', '1.0-r0'),
    ('apk', '1.0_p1', '1.0-r5'),
    ('apk', '1.0a', '1.0.1'),
    ('composer', '1.0.0-beta2', '1.0.0-RC1'),
    ('composer', 'v2.1', '2.1.0.0'),
    ('composer', '1.0.0-dev', '1.0.0-alpha'),
    ('composer', '1.0.0-patch1', '1.0.0'),
    ('conan', '1.2.0', '1.2'),
    ('conan', '1.2-pre', '1.2'),
    ('conan', 'cci.20230101', '1.0')
  ) AS v(t, a, b);

-- NULL in, NULL out
SELECT pkgmeta_version_cmp('npm', NULL, '1.0.0') IS NULL AS strict;

-- errors
SELECT pkgmeta_version_cmp('nope', '1', '2');
SELECT pkgmeta_version_cmp('NPM', '1.0.0', '1.0.0');
SELECT pkgmeta_version_cmp('swift', '1.0.0', '1.0.1');
SELECT pkgmeta_version_cmp('npm', '1.2', '1.2.3');
SELECT pkgmeta_version_cmp('npm', '1.2.3', '1.2.3-01');
SELECT pkgmeta_version_cmp('pypi', '1.0', '1.0-');
SELECT pkgmeta_version_cmp('deb', 'a1.0', '1.0');
SELECT pkgmeta_version_cmp('gem', '1.0', '1..0');
SELECT pkgmeta_version_cmp('apk', '1.0-r', '1.0');
SELECT pkgmeta_version_cmp('composer', 'dev-main', '1.0');
SELECT pkgmeta_version_cmp('rpm', '1:', '1.0');
SELECT pkgmeta_version_cmp('conan', '', '1.0');

-- a pure function anyone may call
SELECT has_function_privilege('public', 'pkgmeta_version_cmp(text, text, text)', 'EXECUTE') AS public_can_call,
       provolatile, proisstrict, proparallel
  FROM pg_proc WHERE proname = 'pkgmeta_version_cmp';
