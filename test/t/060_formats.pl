# All of the export: v1 licenses, v2 advisories and format switches that
# roll out and back without a restart and without losing progress.
use strict;
use warnings;
use IPC::Run;
use PkgmetaTest;
use Test::More;

my $node = new_node('formats');
my $root = new_mirror($node);
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
$node->append_conf('postgresql.conf', qq{
pkgmeta.advisories_source = 'file://$adv_root'
pkgmeta.data_types = 'licenses, advisories'
pkgmeta.version_formats = 'v1,v2'
});
$node->reload;

# v2 and v1 of one registry, and advisories of two.
write_object($root, 'v2/npm/1000/000000000.ndjson',
	lines => [ record('both', lowest => '1.0.0', highest => '2.0.0', default => ['MIT']) ]);
write_object($root, 'v1/npm/1000/00000000.csv', lines => [
	'both,1.0.0,GPL-3.0',
	'only-v1,1.0.0,MIT',
	'only-v1,1.0.0,Apache-2.0',
	'only-v1,2.0.0,ISC',
	'"comma,name",1.0,BSD-2-Clause',
	'"quote ""q""",1.0,MIT',
	'too,many,fields,here',
	'two,fields',
	',1.0,MIT',
	'bad"quote,1.0,MIT',
	'"unterminated,1.0,MIT',
]);
write_object($root, 'v1/npm/2000/00000000.csv.gz', lines => [ 'only-v1,1.0.0,MIT', 'only-v1,1.0.0,0BSD' ]);
write_object($root, 'v1/pypi/1000/00000000.csv', lines => [ 'Zope.Interface,4.0,ZPL-2.1' ]);

my $adv = sub {
	my (%a) = @_;
	my %rec = (
		advisory => {
			id => $a{id}, source => $a{source} // 'glad', title => $a{title} // "Title $a{id}",
			published_date => $a{published} // '2019-10-16', cvss_v3 => 'CVSS:3.1/AV:N',
			urls => [ "https://example.test/$a{id}" ],
			identifiers => [ { type => 'cve', name => "CVE-2019-$a{id}", value => "CVE-2019-$a{id}" } ] },
		packages => $a{packages},
		additional_fields => { advisory => { cvss_v4 => 'CVSS:4.0/AV:N' } });
	delete $rec{advisory}{published_date} if $a{no_published};
	return JSON::PP->new->canonical->encode(\%rec);
};
my $pkg = sub { { name => $_[0], affected_range => $_[1], fixed_versions => [ $_[2] ], solution => 'Upgrade.', %{ $_[3] // {} } } };
write_object($adv_root, 'v2/maven/1000/000000000.ndjson', lines => [
	$adv->(id => '1001', packages => [ $pkg->('org.example/lib', '(,0.7.0]', '0.8') ]),
	$adv->(id => '1002', packages => [ $pkg->('org.example/lib', '[1.0,1.2)', '1.2'),
		$pkg->('left-pad', '<1.3.0', '1.3.0', { purl_type => 'npm' }) ]),
	$adv->(id => '1003', packages => undef),
	$adv->(id => '1004', no_published => 1, packages => []),
	$adv->(id => '1005', source => 'nvd', packages => []),
	$adv->(id => '1006', published => '2019-02-30', packages => []),
	$adv->(id => '1007', packages => [ { name => 'no-range' } ]),
	'{"advisory": not json',
	$adv->(id => '1008', packages => [ $pkg->('x', '*', '1', { purl_type => 'nosuchtype' }) ]),
]);
write_object($adv_root, 'v2/npm/1000/000000000.ndjson', lines => [
	$adv->(id => '2001', source => 'trivy', packages => [ $pkg->('left-pad', '<1.0.0', '1.0.0') ]) ]);

my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'one sync of v1, v2 and advisories');
like($notices, qr/licenses v2 npm: 1 files, 1 packages/, 'v2 licenses synced');
like($notices, qr/licenses v1 npm: 2 files, \d+ versions, \d+ bytes, 5 bad lines/, 'v1 licenses synced, bad rows counted');
like($notices, qr/advisories v2 maven: 1 files, 2 advisories, \d+ bytes, 7 bad lines/, 'advisories synced, bad records counted');
like($notices, qr/licenses v2 npm.*licenses v1 npm.*licenses v1 pypi.*advisories v2 npm/s, 'v2 before v1, advisories last');

is(query($node, q{SELECT data_type, version_format, purl_type, sequence FROM pkgmeta_checkpoints()}),
	join("\n", 'advisories|v2|maven|1000', 'advisories|v2|npm|1000',
		'licenses|v2|npm|1000', 'licenses|v1|npm|2000', 'licenses|v1|pypi|1000'),
	'each stream has its own checkpoint');

is(query($node, q{SELECT v.name, v.version, array_agg(l.spdx_identifier ORDER BY l.spdx_identifier)
	FROM pkgmeta.v1_licenses v, unnest(v.licenses) AS u(id) JOIN pkgmeta.licenses l ON l.id = u.id
	GROUP BY 1, 2 ORDER BY 1, 2}),
	join("\n",
		'both|1.0.0|{GPL-3.0}',
		'comma,name|1.0|{BSD-2-Clause}',
		'only-v1|1.0.0|{0BSD,Apache-2.0,MIT}',
		'only-v1|2.0.0|{ISC}',
		'quote "q"|1.0|{MIT}',
		'zope-interface|4.0|{ZPL-2.1}'),
	'v1 rows per exact version; a later delta adds licenses; CSV quoting; names normalized');
is(query($node, q{SELECT pkgmeta_licenses('npm', 'only-v1', '1.0.0'), pkgmeta_licenses('npm', 'only-v1', '2.0.0'),
	pkgmeta_licenses('npm', 'only-v1', '3.0.0'), pkgmeta_licenses('pkg:pypi/zope.interface@4.0')}),
	'{MIT,Apache-2.0,0BSD}|{ISC}|{unknown}|{ZPL-2.1}',
	'lookup answers from v1 rows of the exact version when there is no v2 record');
is(query($node, q{SELECT pkgmeta_licenses('npm', 'both', '1.0.0')}), '{MIT}',
	'where v1 and v2 both know a package, v2 answers');
is(query($node, q{SELECT licenses FROM pkgmeta_bulk_licenses('{npm,npm}', '{only-v1,both}', '{2.0.0,1.5.0}')}),
	"{ISC}\n{MIT}", 'the set-based forms fall back to v1 the same way');
is(query($node, q{SELECT line || ': ' || reason FROM pkgmeta.sync_errors WHERE version_format = 'v1' ORDER BY line}),
	join("\n",
		'7: more than 3 fields (expected name,version,license)',
		'8: fewer than 3 fields (expected name,version,license)',
		'9: empty name',
		'10: quote inside an unquoted field',
		'11: unterminated quoted field'),
	'v1 bad rows reported');

is(query($node, q{SELECT line || ': ' || reason FROM pkgmeta.sync_errors WHERE data_type = 'advisories' ORDER BY line}),
	join("\n",
		'3: "packages" must be an array',
		'4: "advisory.published_date" must be a string',
		'5: unknown advisory source "nvd"',
		'6: "advisory.published_date" is not a valid date',
		'7: package "no-range" lacks "affected_range"',
		'8: invalid JSON value',
		'9: package "x" has an unknown purl_type'),
	'advisory bad records reported');
is(query($node, q{SELECT purl_type, name, advisory_id, source, cve, affected_range, fixed_versions
	FROM pkgmeta.affected_packages ORDER BY advisory_id, name}),
	join("\n",
		'maven|org.example/lib|1001|glad|CVE-2019-1001|(,0.7.0]|{0.8}',
		'npm|left-pad|1002|glad|CVE-2019-1002|<1.3.0|{1.3.0}',
		'maven|org.example/lib|1002|glad|CVE-2019-1002|[1.0,1.2)|{1.2}',
		'npm|left-pad|2001|trivy|CVE-2019-2001|<1.0.0|{1.0.0}'),
	'affected packages, purl type defaulting to the file registry');
is(query($node, q{SELECT advisory_id, source, title, cve, cvss_v3, cvss_v4, published_date, affected_range,
	fixed_versions, solution, urls FROM pkgmeta_advisories('npm', 'left-pad')}),
	join("\n",
		'1002|glad|Title 1002|CVE-2019-1002|CVSS:3.1/AV:N|CVSS:4.0/AV:N|2019-10-16|<1.3.0|{1.3.0}|Upgrade.|{https://example.test/1002}',
		'2001|trivy|Title 2001|CVE-2019-2001|CVSS:3.1/AV:N|CVSS:4.0/AV:N|2019-10-16|<1.0.0|{1.0.0}|Upgrade.|{https://example.test/2001}'),
	'pkgmeta_advisories() answers per package');

# A later advisory record replaces the advisory and its affected packages.
write_object($adv_root, 'v2/maven/2000/000000000.ndjson', lines => [
	$adv->(id => '1002', title => 'Revised', packages => [ $pkg->('org.example/other', '<2', '2') ]) ]);
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT title, string_agg(name, ',') FROM pkgmeta.affected_packages
	WHERE advisory_id = '1002' GROUP BY 1}), 'Revised|org.example/other',
	'advisory upserted by (id, source), affected packages replaced');
is(query($node, q{SELECT count(*) FROM pkgmeta_advisories('npm', 'left-pad')}), '1',
	'the replaced affected package is gone');

# An affected package's distribution: "distro" (GitLab), "distro_version"
# (older exports).  An unknown key of the advisory or of a package rejects
# the advisory (doc/format.md section 5), as does a key given twice; other
# top-level keys are ignored.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
write_object($adv_root, 'v2/npm/3000/000000000.ndjson', lines => [
	$adv->(id => '3001', packages => [ $pkg->('deb-a', '<1.0.0', '1.0.0', { distro => 'debian 12' }),
		$pkg->('deb-b', '<2.0.0', '2.0.0', { distro_version => 'debian 11' }),
		$pkg->('no-distro', '<3.0.0', '3.0.0') ]),
	'{"advisory":{"id":"3002","source":"glad","published_date":"2020-01-01","severity":"high"},"packages":[]}',
	'{"advisory":{"id":"3003","source":"glad","published_date":"2020-01-01"},"packages":[{"name":"p","affected_range":"*","ecosystem":"npm"}]}',
	'{"advisory":{"id":"3004","source":"trivy-db","published_date":"2020-01-01"},"packages":[{"name":"p","affected_range":"*"}],"extra":{"any":[1,2]}}',
	'{"advisory":{"id":"3005","source":"glad","published_date":"2020-01-01","urls":["a"],"urls":["b"]},"packages":[]}',
]);
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT name, coalesce(distro, '-') FROM pkgmeta.affected_packages
	WHERE advisory_id = '3001' ORDER BY name}),
	"deb-a|debian 12\ndeb-b|debian 11\nno-distro|-", 'distro and distro_version both read into distro');
is(query($node, q{SELECT line || ': ' || reason FROM pkgmeta.sync_errors WHERE data_type = 'advisories' ORDER BY line}),
	join("\n", '2: unknown key "severity" in "advisory"', '3: unknown key "ecosystem" in a package',
		'5: duplicate key "urls" in "advisory"'),
	'an unknown advisory or package key rejects the advisory, and so does a key given twice');
is(query($node, q{SELECT advisory_id || ' ' || source FROM pkgmeta.advisories WHERE advisory_id IN ('3002', '3003', '3004')}),
	'3004 trivy-db', 'an unknown top-level key is ignored');

my ($r, $o, $e) = $node->psql('postgres', q{SELECT * FROM pkgmeta_advisories('rubygem', 'rails')});
like($e, qr/unknown purl type "rubygem".*\n.*HINT:  Use one of: composer, conan, gem/, 'unknown purl type: error with hint');

# Rollback: v2 switched off mid-sync stops at a file boundary while v1 goes on;
# switched on again it resumes after its checkpoint, nothing twice or skipped.
$node->safe_psql('postgres', q{ALTER SYSTEM SET pkgmeta.data_types = 'licenses'});
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
my $files = 6;
for my $chunk (0 .. $files - 1)
{
	write_object($root, sprintf('v2/npm/3000/%09d.ndjson', $chunk),
		lines => [ map { qq({"name":"bulk-$chunk-$_","default_licenses":["MIT"]}) } 1 .. 40000 ]);
}
write_object($root, 'v1/npm/3000/00000000.csv', lines => [ 'late-v1,1.0,MIT' ]);
my ($out, $err) = ('', '');
my $bg = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'CALL pkgmeta_sync()' ],
	'>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying v2/npm/3000/000000001%'}),
	'v2 sync under way');
$node->safe_psql('postgres', q{ALTER SYSTEM SET pkgmeta.version_formats = 'v1'});
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
$bg->finish;
like($err, qr/licenses v2 npm switched off; stopped after v2\/npm\/3000\//, 'v2 stopped at a file boundary');
like($err, qr/licenses v1 npm: 1 files/, 'v1 went on in the same run');
my ($applied) = $err =~ /licenses v2 npm: (\d+) files/;
cmp_ok($applied, '<', $files, "v2 stopped before its last file ($applied of $files applied)");
is(query($node, q{SELECT chunk FROM pkgmeta_checkpoints() WHERE data_type = 'licenses' AND version_format = 'v2' AND purl_type = 'npm'}),
	$applied - 1, 'v2 checkpoint at the last file applied');

($ret, $notices) = sync_notices($node);
unlike($notices, qr/licenses v2/, 'while off, v2 does not sync');
$node->safe_psql('postgres', q{ALTER SYSTEM SET pkgmeta.version_formats = 'v1,v2'});
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
($ret, $notices) = sync_notices($node);
my ($rest) = $notices =~ /licenses v2 npm: (\d+) files/;
is($applied + $rest, $files, 'on again: the remaining files, none twice, none skipped');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'bulk-%'}), $files * 40000,
	'every record present once');

done_testing();
