# ALTER EXTENSION pkgmeta UPDATE from 0.1.0: the synced data, checkpoints
# and answers stay as they were, the new version's features work, and the
# upgraded objects equal those of a fresh install of the new version.
use strict;
use warnings;
use PkgmetaTest;
use Test::More;

my $node = new_node('upgrade', no_extension => 1);
my $root = new_mirror($node);
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
$node->append_conf('postgresql.conf', qq{
pkgmeta.advisories_source = 'file://$adv_root'
pkgmeta.data_types = 'licenses, advisories'
pkgmeta.version_formats = 'v1,v2'
});
$node->reload;

my $default_version = $node->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'pkgmeta'});
isnt($default_version, '0.1.0', "the default version ($default_version) is newer than 0.1.0");

$node->safe_psql('postgres', q{CREATE EXTENSION pkgmeta VERSION '0.1.0'});
write_object($root, 'v2/npm/1000/000000000.ndjson', lines => [
	record('lodash', lowest => '1.0.0', highest => '4.17.21'),
	record('@scope/tool', default => ['unknown'], other => [ [ ['Apache-2.0'], ['0.1.0'] ] ]),
	'{"name": broken' ]);
write_object($root, 'v1/npm/1000/00000000.csv', lines => [ 'only-v1,1.0.0,ISC' ]);
write_object($adv_root, 'v2/npm/1000/000000000.ndjson', lines => [
	JSON::PP->new->canonical->encode({
		advisory => { id => 'a-1', source => 'glad', title => 'Prototype pollution',
			published_date => '2020-07-15', urls => ['https://example.test/a-1'],
			identifiers => [ { type => 'cve', name => 'CVE-2020-8203', value => 'CVE-2020-8203' } ] },
		packages => [ { name => 'lodash', affected_range => '<4.17.19', fixed_versions => ['4.17.19'] } ] }) ]);
my ($ret, $notices) = sync_notices($node);
is($ret, 0, '0.1.0 syncs');

my $state_sql = q{
SELECT count(*), md5(string_agg(p::text, E'\n' ORDER BY p::text)) FROM pkgmeta.package_licenses p;
SELECT count(*), md5(string_agg(v::text, E'\n' ORDER BY v::text)) FROM pkgmeta.v1_licenses v;
SELECT advisory_id, source, name, affected_range, fixed_versions FROM pkgmeta.affected_packages ORDER BY 1, 3;
SELECT data_type, version_format, purl_type, sequence, chunk FROM pkgmeta_checkpoints() ORDER BY 1, 2, 3;
SELECT id, object, line, reason FROM pkgmeta.sync_errors ORDER BY id;
SELECT p, pkgmeta_licenses(p) FROM unnest(ARRAY['pkg:npm/lodash@4.17.21', 'pkg:npm/%40scope/tool@0.1.0',
	'pkg:npm/only-v1@1.0.0', 'pkg:npm/lodash@5.0.0']) AS p ORDER BY 1;
};
my $before = $node->safe_psql('postgres', $state_sql);
like($before, qr/\{MIT\}/, 'the 0.1.0 database answers lookups');

$node->safe_psql('postgres', 'ALTER EXTENSION pkgmeta UPDATE');
is($node->safe_psql('postgres', q{SELECT extversion FROM pg_extension WHERE extname = 'pkgmeta'}),
	$default_version, 'ALTER EXTENSION UPDATE reaches the default version');
is($node->safe_psql('postgres', $state_sql), $before, 'data, checkpoints, errors and answers are unchanged');

# The new version works on the upgraded database: it syncs on from the
# checkpoints (only the new file), and its backup marks are in place.
write_object($root, 'v2/npm/2000/000000000.ndjson', lines => [ record('left-pad', highest => '1.3.0') ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files, 1 packages/, 'the upgraded extension resumes at its checkpoints');
is($node->safe_psql('postgres', q{SELECT pkgmeta_licenses('pkg:npm/left-pad@1.0.0')}), '{MIT}',
	'the new file answers');
cmp_ok($node->safe_psql('postgres', q{SELECT cardinality(extconfig) FROM pg_extension WHERE extname = 'pkgmeta'}),
	'>', 0, 'synced tables are marked for pg_dump');

# Every object of the extension, described by name (never by oid), with
# what an upgrade could get wrong: signatures, properties, bodies,
# columns, defaults, constraints, indexes, views, policies and grants.
my $objects_sql = q{
WITH members AS (
	SELECT classid, objid FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pkgmeta'))
SELECT 'function ' || p.oid::regprocedure || ' returns ' || pg_get_function_result(p.oid)
	|| ' ' || p.prokind::text || p.provolatile::text || p.proparallel::text || p.proisstrict || p.prosecdef
	|| ' config ' || coalesce(p.proconfig::text, '-') || ' acl ' || coalesce(p.proacl::text, '-')
	|| ' body ' || md5(coalesce(p.prosrc, '') || coalesce(p.probin, ''))
FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || c.relpersistence::text
	|| ' acl ' || coalesce(c.relacl::text, '-') || ' options ' || coalesce(c.reloptions::text, '-')
	|| ' rls ' || c.relrowsecurity || c.relforcerowsecurity
	|| coalesce(' view ' || pg_get_viewdef(c.oid), '')
FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
	|| ' notnull ' || a.attnotnull || ' identity ' || a.attidentity::text || ' generated ' || a.attgenerated::text
	|| ' default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' acl ' || coalesce(a.attacl::text, '-')
FROM members m JOIN pg_attribute a ON m.classid = 'pg_class'::regclass AND a.attrelid = m.objid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
FROM members m JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
UNION ALL
SELECT 'constraint ' || co.conrelid::regclass || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
FROM members m JOIN pg_constraint co ON m.classid = 'pg_class'::regclass AND co.conrelid = m.objid
UNION ALL
SELECT 'policy ' || po.polrelid::regclass || ' ' || po.polname || ' ' || po.polcmd::text || ' ' || po.polpermissive
	|| ' roles ' || po.polroles::regrole[]::text
	|| ' using ' || coalesce(pg_get_expr(po.polqual, po.polrelid), '-')
	|| ' check ' || coalesce(pg_get_expr(po.polwithcheck, po.polrelid), '-')
FROM members m JOIN pg_policy po ON m.classid = 'pg_class'::regclass AND po.polrelid = m.objid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
FROM members m JOIN pg_trigger t ON m.classid = 'pg_class'::regclass AND t.tgrelid = m.objid
WHERE NOT t.tgisinternal
UNION ALL
SELECT 'type ' || t.oid::regtype || ' ' || t.typtype::text
FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
UNION ALL
SELECT 'schema ' || n.nspname || ' acl ' || coalesce(n.nspacl::text, '-')
FROM members m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
UNION ALL
SELECT 'config ' || c::regclass || ' ' || coalesce(e.extcondition[i], '')
FROM pg_extension e, unnest(e.extconfig) WITH ORDINALITY AS u(c, i)
WHERE e.extname = 'pkgmeta'
UNION ALL
SELECT 'member ' || pg_describe_object(classid, objid, 0) FROM members
ORDER BY 1;
};
my $upgraded = $node->safe_psql('postgres', $objects_sql);
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION pkgmeta');
my $fresh = $node->safe_psql('fresh', $objects_sql);
like($fresh, qr/^function pkgmeta_licenses\(text\)/m, 'the object list describes the functions');
like($fresh, qr/^policy |^column pkgmeta\.packages\.name text/m, 'the object list describes columns');
if ($upgraded eq $fresh)
{
	pass("the upgraded extension's objects equal a fresh $default_version install's");
}
else
{
	my %u = map { $_ => 1 } split /\n/, $upgraded;
	my %f = map { $_ => 1 } split /\n/, $fresh;
	fail("the upgraded extension's objects equal a fresh $default_version install's");
	diag("only after the upgrade: $_") for grep { !$f{$_} } sort keys %u;
	diag("only in a fresh install: $_") for grep { !$u{$_} } sort keys %f;
}

done_testing();
