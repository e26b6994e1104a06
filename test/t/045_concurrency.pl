# Single flight across the worker and sessions: the worker and two sessions'
# CALL pkgmeta_sync() start at once; exactly one syncs, the others return
# at once and name it.  And a CALL, too, stops at a file boundary when
# pkgmeta.enabled goes off.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Utils;
use PkgmetaTest;
use Test::More;

my $node = new_node('concurrency');
my $root = new_mirror($node);
write_big_files($root, 1000, 4, 15000);
my $worker = worker_pid($node);
ok($worker, 'the worker runs');

# a CALL from psql, printing its backend pid first
sub start_call
{
	my %c = (out => '', err => '');
	$c{h} = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'),
		  '-c', 'SELECT pg_backend_pid()', '-c', 'CALL pkgmeta_sync()' ],
		'>', \$c{out}, '2>', \$c{err});
	return \%c;
}

$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
my @calls = (start_call(), start_call());
$_->{h}->finish for @calls;
ok($node->poll_query_until('postgres',
	q{SELECT state = 'idle' AND files_done = 4 FROM pkgmeta_sync_status()}), 'the run completed');

my $winner = $node->safe_psql('postgres', 'SELECT pid FROM pkgmeta_sync_status()');
my (@ran, @lost);
for my $c (@calls)
{
	chomp(my $pid = $c->{out});
	if ($c->{err} =~ /sync complete: 4 files, 60000 packages/) { push @ran, "session $pid" }
	elsif ($c->{err} =~ /a sync is already running \(pid (\d+)\); not starting another/)
	{
		push @lost, "session $pid";
		is($1, $winner, "session $pid names the running sync's pid");
	}
	else { diag("session $pid: $c->{err}") }
}
my $log = slurp_file($node->logfile);
push @ran, 'worker' if $log =~ /\[$worker\] LOG:  pkgmeta: sync complete: 4 files/;
if ($log =~ /\[$worker\] LOG:  pkgmeta: skipping this run: a sync is already running \(pid (\d+)\)/)
{
	push @lost, 'worker';
	is($1, $winner, "the worker names the running sync's pid");
}
is(scalar(@ran), 1, "exactly one sync ran (@ran)");
is(scalar(@lost), 2, "the other two returned at once (@lost)");
is($node->safe_psql('postgres', q{SELECT count(*), count(DISTINCT name) FROM pkgmeta.packages}),
	'60000|60000', 'every row once');
is($node->safe_psql('postgres', q{SELECT sequence, chunk FROM pkgmeta_checkpoints()}), '1000|3',
	'checkpoint at the last file');

# pkgmeta.enabled = off and a reload stop a running CALL after its current file.
write_big_files($root, 2000, 4, 15000);
my $call = start_call();
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'pkgmeta sync: applying v2/npm/2000/%'}),
	'a CALL is syncing');
reconfigure($node, 'pkgmeta.enabled' => 'off');
$call->{h}->finish;
like($call->{err}, qr/pkgmeta\.enabled is off; stopped after v2\/npm\/2000\/(\d)\.ndjson/,
	'the CALL stopped after a file');
my ($done) = $call->{err} =~ /stopped after v2\/npm\/2000\/(\d)\.ndjson/;
like($call->{err}, qr/sync stopped because pkgmeta.enabled is off: @{[$done + 1]} files/,
	'and says why in its summary');
is($node->safe_psql('postgres', q{SELECT sequence, chunk FROM pkgmeta_checkpoints()}), "2000|$done",
	'checkpoint at that file');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-2000-%'}),
	($done + 1) * 15000, 'with exactly its rows');
reconfigure($node, 'pkgmeta.enabled' => 'on');
my ($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: @{[3 - $done]} files/, 'on again, a CALL resumes from the checkpoint');

done_testing();
