# Crashes in the middle of a large file: SIGKILL of the backend running
# CALL pkgmeta_sync(), and an immediate shutdown while the worker syncs.
# After the restart the checkpoints and the rows agree (the half-applied file
# is absent) and the next sync completes with exactly the expected rows.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Utils;
use PkgmetaTest;
use Test::More;

# (the test framework turns automatic crash restarts off)
my $node = new_node('crash', conf => "restart_after_crash = on\n");
my $root = new_mirror($node);
my $lines = 20000;

# Whether the checkpoint and the rows of delta $sequence agree; returns the
# number of files applied.
sub check_consistent
{
	my ($sequence, $what) = @_;
	my $applied = query($node,
		qq{SELECT coalesce(max(CASE WHEN sequence = $sequence THEN chunk + 1 END), 0)
		   FROM pkgmeta.checkpoints});
	is(query($node, qq{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-$sequence-%'}),
		$applied * $lines, "$what: the rows of exactly the $applied checkpointed files");
	is(query($node, qq{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-$sequence-$applied-%'}),
		'0', "$what: nothing of the file that was being applied");
	is(query($node, 'SELECT count(*) FROM pkgmeta.staging'), '0', "$what: staging is empty");
	return $applied;
}

# SIGKILL of the syncing backend in the middle of its second file.
write_big_files($root, 1000, 4, $lines);
my ($out, $err) = ('', '');
my $call = IPC::Run::start(
	[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'CALL pkgmeta_sync()' ],
	'>', \$out, '2>', \$err);
# a file after the first and before the last: any of them, since a busy
# machine's poll may miss one file's time
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity
	  WHERE query ~ '^pkgmeta sync: applying v2/npm/1000/[1-3]\.ndjson$'}),
	'the CALL is applying a file after the first');
my $pid = query($node, q{SELECT pid FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying%'});
my $offset = -s $node->logfile;
kill 'KILL', $pid;
$call->finish;
ok($node->wait_for_log(qr/database system is ready to accept connections/, $offset),
	'the server restarted after the crash');
ok($node->log_contains(qr/\(PID $pid\) was terminated by signal 9/), 'the backend was killed');
my $applied = check_consistent(1000, 'after SIGKILL');
ok($applied >= 1 && $applied < 4, "stopped mid-way ($applied of 4 files)");
my ($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: @{[4 - $applied]} files, @{[(4 - $applied) * $lines]} packages/,
	'the next sync applies exactly the rest');
is(query($node, q{SELECT count(*), count(DISTINCT name) FROM pkgmeta.packages}),
	join('|', 4 * $lines, 4 * $lines), 'every row once');

# Immediate shutdown while the worker applies a file.
write_big_files($root, 2000, 4, $lines);
query($node, 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'
	  AND query ~ '^pkgmeta sync: applying v2/npm/2000/[1-3]\.ndjson$'}),
	'the worker is applying a file after the first');
$node->stop('immediate');
$node->start;
$applied = check_consistent(2000, 'after an immediate shutdown');
ok($applied >= 1 && $applied < 4, "stopped mid-way ($applied of 4 files)");
query($node, 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT sequence = 2000 AND chunk = 3 FROM pkgmeta_checkpoints()}), 'the next run finishes');
is(query($node, q{SELECT count(*), count(DISTINCT name) FROM pkgmeta.packages}),
	join('|', 8 * $lines, 8 * $lines), 'every row once');
is(query($node, 'SELECT files_done, last_error IS NULL FROM pkgmeta_sync_status()'),
	(4 - $applied) . '|t', 'status: the run after the restart, no error');

done_testing();
