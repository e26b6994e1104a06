# Backups keep the mirror: pg_dump (custom and plain format) of a synced
# database restores its rows, checkpoints and error history, into a new
# database and into a new cluster, so the next sync resumes where the
# original stopped instead of starting over; watched inventories and their
# findings come back too.
use strict;
use warnings;
use PkgmetaTest;
use Test::More;

my $node = new_node('backup');
my $root = new_mirror($node);
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
my $cve_root = PostgreSQL::Test::Utils::tempdir('cve_enrichment');
$node->append_conf('postgresql.conf', qq{
pkgmeta.advisories_source = 'file://$adv_root'
pkgmeta.cve_enrichment_source = 'file://$cve_root'
pkgmeta.malware_advisories_source = 'file://$adv_root'
pkgmeta.data_types = 'licenses, advisories, cve_enrichment, malware_advisories'
pkgmeta.version_formats = 'v1,v2,v3'
});
$node->reload;

# Every kind of synced row: v3, v2 and v1 licenses, advisories, malware
# advisories, CVE enrichment (its checkpoint without a purl type), bad lines.
write_object($root, 'v3/pypi/full_dataset/checkpoint.json', lines => ['{"until": 1000}']);
write_v3_archive($root, 'v3/pypi/full_dataset/00.tar.zst', [ '00/000000000.ndjson', [
	v3_record('requests', lowest => '1.0', highest => '3.0', default => [ ['Apache-2.0'], ['Apache-2.0 OR MIT'] ]) ] ]);
write_object($root, 'v2/npm/1000/000000000.ndjson', lines => [
	record('lodash', lowest => '1.0.0', highest => '4.17.21'),
	record('@scope/tool', default => ['unknown'], other => [ [ [ 'MIT', 'Apache-2.0' ], ['0.1.0'] ] ]),
	'{"name": broken']);
write_object($root, 'v2/pypi/1000/000000000.ndjson',
	lines => [ record('Zope.Interface', lowest => '1', highest => '6.0', default => ['ZPL-2.1']) ]);
write_object($root, 'v1/npm/1000/00000000.csv', lines => [ 'only-v1,1.0.0,ISC', 'two,fields' ]);
write_object($adv_root, 'v2/npm/1000/000000000.ndjson', lines => [
	JSON::PP->new->canonical->encode({
		advisory => { id => 'a-1', source => 'glad', title => 'Prototype pollution',
			published_date => '2020-07-15', urls => ['https://example.test/a-1'],
			identifiers => [ { type => 'cve', name => 'CVE-2020-8203', value => 'CVE-2020-8203' } ] },
		packages => [ { name => 'lodash', affected_range => '<4.17.19', fixed_versions => ['4.17.19'] } ] }) ]);
write_object($cve_root, 'v2/cve_enrichment/1000/000000000.ndjson',
	lines => [ '{"cve_id": "CVE-2020-8203", "epss_score": 0.42, "is_known_exploit": true}' ]);
write_object($adv_root, 'v3/npm/full_dataset/checkpoint.json', lines => ['{"until": 1000}']);
write_v3_archive($adv_root, 'v3/npm/full_dataset/00.tar.zst', [ '00/000000000.ndjson', [
	JSON::PP->new->canonical->encode({
		malware_advisory => { id => 'GLAM-2025-04-00005', source => 'glam', title => 'Malicious code in evil-pkg',
			published_date => '2025-04-29', identifiers => [], urls => [] },
		package => { name => 'evil-pkg', purl_type => 'npm', affected_range => '>=1.0.0' } }) ] ]);
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'the original syncs');
# and a watched inventory with a finding of that advisory
$node->safe_psql('postgres', q{SELECT pkgmeta_watch('backup-app', ARRAY['pkg:npm/lodash@4.0.0'])});

# What must survive a backup: every synced table, the checkpoints and the
# answers of the lookups, as text (ids included: they are restored too).
my $tables = join(' UNION ALL ', map {
	"SELECT '$_' AS t, count(*) AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS h FROM pkgmeta.$_ x"
} qw(licenses packages v3_packages v1_licenses advisories advisory_packages malware_advisories
  malware_packages cve_enrichment checkpoints sync_errors inventories watched_components findings));
my $state_sql = qq{
SELECT t, n, h FROM ($tables) s ORDER BY t;
SELECT * FROM pkgmeta_checkpoints() ORDER BY 1, 2, 3;
SELECT p, pkgmeta_licenses(p) FROM unnest(ARRAY['pkg:npm/lodash\@4.17.21', 'pkg:npm/%40scope/tool\@0.1.0',
	'pkg:pypi/zope-interface\@5.0', 'pkg:npm/only-v1\@1.0.0', 'pkg:pypi/requests\@2.0']) AS p ORDER BY 1;
SELECT advisory_id, source, affected_range FROM pkgmeta_advisories('npm', 'lodash') ORDER BY 1;
};
my $original = $node->safe_psql('postgres', $state_sql);
like($original, qr/sync_errors\|2\|/, 'the original has its two bad lines recorded');
like($original, qr/cve_enrichment\|v2\|\|1000\|0/, 'the original has the CVE enrichment checkpoint');
like($original, qr/\{MIT\}/, 'the original answers lookups');
like($original, qr/malware_packages\|1\|/, 'the original has its malware advisory');
like($original, qr/requests\@2\.0\|\{Apache-2\.0\}/, 'the original answers from its v3 record');
like($original, qr/findings\|1\|/, 'the original has the finding of its watched inventory');

# The next sync after a restore must read nothing: it resumes at the checkpoints.
sub resumes_from_checkpoints
{
	my ($n, $db, $what) = @_;
	my ($r, $out, $err) = $n->psql($db, 'CALL pkgmeta_sync()');
	is($r, 0, "$what: the next sync succeeds");
	like($err, qr/sync complete: 0 files/, "$what: the next sync reads 0 files");
	return;
}

my $dumpdir = PostgreSQL::Test::Utils::tempdir('dumps');
my $custom = "$dumpdir/pkgmeta.dump";
my $plain = "$dumpdir/pkgmeta.sql";
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('postgres'), '-f', $custom ], 'pg_dump -Fc');
$node->command_ok([ 'pg_dump', '-Fp', '-d', $node->connstr('postgres'), '-f', $plain ], 'pg_dump plain');

# 1. pg_restore into a new database of the same cluster.
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $custom ],
	'pg_restore into a new database');
is($node->safe_psql('restored', $state_sql), $original,
	'new database: rows, checkpoints, error history and lookups equal the original');
resumes_from_checkpoints($node, 'restored', 'new database');

# 2. pg_restore into a new cluster (the role pkgmeta_admin does not exist there yet).
my $other = new_node('backup_other', no_extension => 1);
$other->append_conf('postgresql.conf', qq{
pkgmeta.licenses_source = 'file://$root'
pkgmeta.advisories_source = 'file://$adv_root'
pkgmeta.cve_enrichment_source = 'file://$cve_root'
pkgmeta.data_types = 'licenses, advisories, cve_enrichment'
pkgmeta.version_formats = 'v1,v2'
});
$other->reload;
$other->command_ok([ 'pg_restore', '--exit-on-error', '-d', $other->connstr('postgres'), $custom ],
	'pg_restore into a new cluster');
is($other->safe_psql('postgres', $state_sql), $original, 'new cluster: everything equals the original');
resumes_from_checkpoints($other, 'postgres', 'new cluster');

# 3. A plain dump restored with psql.
$node->safe_psql('postgres', 'CREATE DATABASE from_plain');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('from_plain'), '-f', $plain ],
	'plain dump restored with psql');
is($node->safe_psql('from_plain', $state_sql), $original, 'plain dump: everything equals the original');
resumes_from_checkpoints($node, 'from_plain', 'plain dump');

# Restored sequences go on after the restored ids: a new delta with a new
# license and a bad line syncs without a duplicate key.
write_object($root, 'v2/npm/2000/000000000.ndjson',
	lines => [ record('left-pad', highest => '1.3.0', default => ['WTFPL']), 'not json' ]);
($ret, my $out, my $err) = $other->psql('postgres', 'CALL pkgmeta_sync()');
is($ret, 0, 'a new delta applies after the restore');
like($err, qr/sync complete: 1 files, 1 packages/, 'only the new file is read');
is($other->safe_psql('postgres', q{SELECT count(*), count(DISTINCT id) FROM pkgmeta.sync_errors}), '3|3',
	'the new error row gets a new id');
is($other->safe_psql('postgres', q{SELECT pkgmeta_licenses('pkg:npm/left-pad@1.0.0')}), '{WTFPL}',
	'the new license gets a new id');
is($other->safe_psql('postgres', q{SELECT opened FROM pkgmeta_watch('backup-app',
	ARRAY['pkg:npm/lodash@4.0.0', 'pkg:npm/lodash@4.1.0'])}), '1', 'the restored inventory is watched on');
is($other->safe_psql('postgres', q{SELECT count(*), count(DISTINCT id) FILTER (WHERE resolved_at IS NULL) FROM pkgmeta.findings}),
	'2|2', 'the new finding gets a new id');

done_testing();
