# Only one sync at a time in the whole cluster: a second CALL while one runs
# returns at once with a NOTICE naming the running one's pid.
use strict;
use warnings;
use IPC::Run;
use PkgmetaTest;
use Test::More;

my $node = new_node('single_flight');
my $root = new_mirror($node);
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', 'CREATE EXTENSION pkgmeta');

# Files large enough that the first sync is still running when we look.
for my $chunk (0 .. 3)
{
	write_object($root, "v2/npm/1000/$chunk.ndjson",
		lines => [ map { qq({"name":"pkg-$chunk-$_","lowest_version":"1.0.0","highest_version":"2.$_.0",)
			  . q("default_licenses":["MIT"],"other_licenses":[{"licenses":["Apache-2.0"],"versions":["0.9","0.9.1"]}]}) }
			  1 .. 60000 ]);
}

my ($out, $err) = ('', '');
my $first = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'CALL pkgmeta_sync()' ],
	'>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying v2/npm/%'}),
	'the running sync shows the object it is on in pg_stat_activity');
my $pid = query($node,
	q{SELECT pid FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying%'});

my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'second CALL returns without error');
like($notices, qr/a sync is already running \(pid $pid\); not starting another/,
	'second CALL says which pid holds the sync');
my ($r3, $o3, $e3) = $node->psql('other', 'CALL pkgmeta_sync()');
like($e3, qr/a sync is already running \(pid $pid\)/, 'the lock is cluster-wide: another database waits too');
is(query($node, qq{SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND query LIKE 'pkgmeta sync: applying%'}),
	'1', 'the losers returned while the first sync was still running');

$first->finish;
like($err, qr/sync complete: 4 files, 240000 packages/, 'the first sync completed alone');
is(query($node, 'SELECT count(*) FROM pkgmeta.packages'), '240000', 'all rows present once');

# The lock goes with its holder: a terminated sync does not block the next.
write_object($root, "v2/npm/2000/$_.ndjson",
	lines => [ map { qq({"name":"next-$_","default_licenses":["MIT"]}) } 1 .. 60000 ]) for 0 .. 3;
$first = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'CALL pkgmeta_sync()' ],
	'>', \$out, '2>', \$err);
ok($node->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying v2/npm/2000/%'}),
	'second run started');
query($node, q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying%'});
$first->finish;
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete/, 'after the holder died the next sync runs');
is(query($node, q{SELECT sequence, chunk FROM pkgmeta_checkpoints()}), '2000|3', 'and finishes the work');

done_testing();
