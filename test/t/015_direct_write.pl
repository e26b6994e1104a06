# v2 records written straight into pkgmeta.packages (package_writer.c):
# later line wins inside and across insert batches, re-stated packages,
# replays that change nothing, bad lines, a failed file rolled back whole,
# TOASTed rows, and the SQL path taken when the table has a trigger.
use strict;
use warnings;
use IO::Compress::Gzip qw(gzip $GzipError);
use PkgmetaTest;
use Test::More;

my $node = new_node('direct_write');
my $root = new_mirror($node);

sub packages
{
	my ($where) = @_;
	return query($node, qq{SELECT name, lowest_version, highest_version, default_licenses,
		other_licenses FROM pkgmeta.package_licenses WHERE $where ORDER BY 1});
}

# More lines than one insert batch (1000 rows), with repeats inside a batch
# and across batches, in a purl type that starts empty.
my @lines;
push @lines, record("pkg$_", highest => "1.$_") for 1 .. 2500;
splice(@lines, 10, 0, record('pkg5', highest => 'same-batch', default => ['ISC']));
push @lines, record('pkg7', highest => 'next-batch', default => ['BSD-2-Clause']);
push @lines, record('pkg7', highest => 'last-line', default => ['Apache-2.0']);
push @lines, '{"name":"broken"', record('pkg2000', highest => 'after-bad-line');
write_object($root, 'v2/npm/1000/000000000.ndjson', lines => \@lines);
# the same package under two spellings that normalize to one name
write_object($root, 'v2/pypi/1000/000000000.ndjson',
	lines => [ record('Zope.Interface', highest => '1'), record('zope_interface', highest => '2') ]);

my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'first sync succeeds');
like($notices, qr/licenses v2 npm: 1 files, 2500 packages, \d+ bytes, 1 bad lines/,
	'each package counted once however often its lines repeat');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE purl_type = 6}), '2500',
	'one row per package');
is(packages(q{name IN ('pkg5', 'pkg7', 'pkg2000', 'pkg2500')}),
	join("\n",
		'pkg2000||after-bad-line|{MIT}|[]',
		'pkg2500||1.2500|{MIT}|[]',
		'pkg5||same-batch|{ISC}|[]',
		'pkg7||last-line|{Apache-2.0}|[]'),
	'later line wins within a batch, across batches and after a bad line');
is(packages(q{purl_type = 'pypi'}), 'zope-interface||2|{MIT}|[]',
	'later line wins between spellings of one normalized name');
like(query($node, q{SELECT line, reason FROM pkgmeta.sync_errors}), qr/^2504\|expected .* at byte 17$/,
	'the bad line is recorded');

# A delta: re-stated, unchanged, repeated and new packages.
my $xmin_before = query($node, q{SELECT xmin FROM pkgmeta.packages WHERE name = 'pkg1'});
write_object($root, 'v2/npm/2000/000000000.ndjson',
	lines => [ record('pkg1', highest => '1.1'),    # as stored: nothing to write
		record('pkg3', highest => '3.0', default => ['GPL-3.0-only']),
		record('pkg4', highest => '4.0'), record('pkg4', highest => '4.1', default => ['0BSD']),
		record('newpkg', highest => '0.1') ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/npm: 1 files, 3 packages/, 'a delta counts the packages it changed');
is(query($node, q{SELECT xmin FROM pkgmeta.packages WHERE name = 'pkg1'}), $xmin_before,
	'an unchanged record does not rewrite its row');
is(packages(q{name IN ('pkg1', 'pkg3', 'pkg4', 'newpkg')}),
	join("\n",
		'newpkg||0.1|{MIT}|[]',
		'pkg1||1.1|{MIT}|[]',
		'pkg3||3.0|{GPL-3.0-only}|[]',
		'pkg4||4.1|{0BSD}|[]'),
	'known packages replaced whole, the last of two lines wins, new ones inserted');

# A file that fails after many rows were written leaves no trace; the next
# file of the same run is still written right (a new purl type: cargo).
my $big = join('', map { record("crate$_", highest => '1.0') . "\n" } 1 .. 3000);
my $gz;
gzip(\$big => \$gz) or die $GzipError;
write_object($root, 'v2/cargo/1000/000000000.ndjson',
	lines => [ record('crate1', highest => '0.1'), record('crate2', highest => '0.1') ]);
write_object($root, 'v2/cargo/2000/000000000.ndjson.gz', raw => substr($gz, 0, length($gz) - 12));
($ret, $notices) = sync_notices($node);
like($notices, qr/2000\/000000000.ndjson.gz was not applied: gzip stream .* is truncated/,
	'the truncated file fails');
is(query($node, q{SELECT count(*), max(highest_version) FROM pkgmeta.packages WHERE purl_type = 14}),
	'2|0.1', 'none of its rows remain');
is(query($node, q{SELECT chunk, sequence FROM pkgmeta_checkpoints() WHERE purl_type = 'cargo'}),
	'0|1000', 'its checkpoint did not move');
write_object($root, 'v2/cargo/2000/000000000.ndjson.gz', raw => $gz);
($ret, $notices) = sync_notices($node);
like($notices, qr/cargo: 1 files, 3000 packages/, 'the repaired file applies');
is(query($node, q{SELECT count(*), min(highest_version), max(highest_version)
	FROM pkgmeta.packages WHERE purl_type = 14}), '3000|1.0|1.0', 'all of it, once');

# Rows large enough to be TOASTed: inserted, then replayed without a write.
my @versions = map { "9.$_.0-some-long-prerelease-tag" } 1 .. 400;
my $huge = record('huge', highest => '9', other => [ map { [ ["LicenseRef-$_"], \@versions ] } 1 .. 6 ]);
write_object($root, 'v2/nuget/1000/000000000.ndjson', lines => [$huge]);
($ret, $notices) = sync_notices($node);
my $stored = query($node, q{SELECT xmin, pg_column_size(other_licenses) < octet_length(other_licenses::text)
	FROM pkgmeta.packages WHERE name = 'huge'});
like($stored, qr/\|t$/, 'a large row is stored compressed');
write_object($root, 'v2/nuget/2000/000000000.ndjson', lines => [$huge]);
($ret, $notices) = sync_notices($node);
like($notices, qr/nuget: 1 files, 0 packages/, 'replaying a large row writes nothing');
is(query($node, q{SELECT xmin, pg_column_size(other_licenses) < octet_length(other_licenses::text)
	FROM pkgmeta.packages WHERE name = 'huge'}), $stored, 'the row is untouched');
is(query($node, q{SELECT jsonb_array_length(other_licenses), other_licenses -> 5 -> 'versions' ->> 399
	FROM pkgmeta.package_licenses WHERE name = 'huge'}), '6|9.400.0-some-long-prerelease-tag',
	'the large row reads back whole');

# A pkgmeta_admin that is no superuser syncs the same way.
query($node, q{CREATE ROLE regress_syncer IN ROLE pkgmeta_admin});
write_object($root, 'v2/npm/2500/000000000.ndjson',
	lines => [ record('by-admin', highest => '1'), record('pkg1', highest => 'admin') ]);
my ($aret, $aout, $aerr) = $node->psql('postgres', "SET ROLE regress_syncer;\nCALL pkgmeta_sync();");
like($aerr, qr/npm: 1 files, 2 packages/, 'an admin applies a file');
is(packages(q{name IN ('by-admin', 'pkg1')}), "by-admin||1|{MIT}|[]\npkg1||admin|{MIT}|[]",
	'with its new and known packages');

# A trigger of the site's own on packages: rows go through SQL and fire it.
log_writes($node, 'packages', 'package_log');
write_object($root, 'v2/npm/3000/000000000.ndjson',
	lines => [ record('pkg8', highest => 'x'), record('trig', highest => '1'),
		record('trig', highest => '2'), record('pkg8', highest => 'y') ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/npm: 1 files, 2 packages/, 'the SQL path counts the same way');
is(packages(q{name IN ('pkg8', 'trig')}), "pkg8||y|{MIT}|[]\ntrig||2|{MIT}|[]",
	'the SQL path keeps the later line too');
is(query($node, q{SELECT string_agg(name, ',' ORDER BY name) FROM public.package_log}), 'pkg8,trig',
	'the trigger fired once per package');
is(query($node, q{SELECT count(*) FROM pkgmeta.staging}), '0', 'the staging table is left empty');

# A CHECK constraint of the site's own is honoured too (the file fails whole).
query($node, q{DROP TRIGGER package_log ON pkgmeta.packages;
	ALTER TABLE pkgmeta.packages ADD CONSTRAINT no_forbidden CHECK (highest_version <> 'forbidden')});
write_object($root, 'v2/npm/4000/000000000.ndjson',
	lines => [ record('pkg9', highest => 'fine'), record('pkg10', highest => 'forbidden') ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/4000\/000000000.ndjson was not applied: .*no_forbidden/, 'the constraint rejects the file');
is(packages(q{name = 'pkg9'}), 'pkg9||1.9|{MIT}|[]', 'and none of its rows remain');

# The id of a license that a failed file added goes with its rows: a later
# file of the same run that names the license again stores an id that exists.
my $doomed = join('', map { record("gopkg$_", highest => '1', default => ['LicenseRef-rolled-back']) . "\n" }
	1 .. 3000);
gzip(\$doomed => \$gz) or die $GzipError;
write_object($root, 'v2/go/1000/000000000.ndjson.gz', raw => substr($gz, 0, length($gz) - 12));
write_object($root, 'v2/maven/1000/000000000.ndjson',
	lines => [ record('org.example:lib', highest => '1.0.0', default => ['LicenseRef-rolled-back']) ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/go\/1000\/000000000.ndjson.gz was not applied/, 'the file adding a license fails');
like($notices, qr/maven: 1 files, 1 packages/, 'the later file applies');
is(query($node, q{SELECT pkgmeta_licenses('maven', 'org.example:lib', '1.0.0')}), '{LicenseRef-rolled-back}',
	'its license reads back');

done_testing();
