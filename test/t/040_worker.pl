# The background worker: waits for the extension, syncs on its interval and
# on request, shows itself in pg_stat_activity and pkgmeta_sync_status(),
# stops at a file boundary when pkgmeta.enabled goes off, survives errors
# and pg_terminate_backend, purges old error rows and resolved findings and
# warns on stale data.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PkgmetaTest;
use Test::More;

my $sample = "$ENV{PKGMETA_SRC}/test/sample-mirror";
my $node = new_node('worker', no_extension => 1,
	conf => "pkgmeta.sync_interval = '2s'\npkgmeta.licenses_source = 'file://$sample'\n");
# status is read from a database of its own, where the extension exists first
$node->safe_psql('postgres', 'CREATE DATABASE watch');
$node->safe_psql('watch', 'CREATE EXTENSION pkgmeta');

sub status
{
	my ($columns) = @_;
	return $node->safe_psql('watch', "SELECT $columns FROM pkgmeta_sync_status()");
}

ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'}),
	'the worker starts, backend_type "pkgmeta sync"');
my $pid = worker_pid($node);
ok($node->poll_query_until('watch',
	qq{SELECT state = 'waiting' AND worker_pid = $pid FROM pkgmeta_sync_status()}),
	'without the extension in pkgmeta.database it waits');
is(status('files_done, pid IS NULL, last_success_at IS NULL'), '0|t|t', 'and has not synced');

# The extension appears: the next interval syncs the sample mirror.
$node->safe_psql('postgres', 'CREATE EXTENSION pkgmeta');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 5 FROM pkgmeta_checkpoints()}),
	'checkpoints appear without any CALL');
# From here on the worker runs on request only, so that what follows is not
# raced by interval runs.
reconfigure($node, 'pkgmeta.sync_interval' => '0');
ok($node->poll_query_until('watch',
	q{SELECT state = 'idle' AND next_run_at IS NULL FROM pkgmeta_sync_status()}),
	'then it is idle, with no run planned at interval 0');
ok($node->log_contains(qr/\[$pid\] LOG:  pkgmeta: sync complete: 7 files, 17 packages/),
	'the worker logged its run: 7 files');
is(status(qq{pid = $pid, last_success_at >= started_at, last_error IS NULL, current_object IS NULL}),
	"t|t|t|t", 'status: the worker ran it, a success, no error');
is($node->safe_psql('postgres',
	q{SELECT application_name, wait_event_type, wait_event, state FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'}),
	'pkgmeta sync|Extension|Extension|idle', 'while idle it waits on its latch with a wait event');

# The worker's result is what CALL makes of the same mirror.
my $contents = q{SELECT string_agg(format('%s|%s|%s|%s|%s|%s', purl_type, name, lowest_version,
	highest_version, default_licenses, other_licenses), E'\n' ORDER BY purl_type, name)
	FROM pkgmeta.package_licenses};
my ($ret, $out, $err) = $node->psql('watch', 'SELECT pg_backend_pid(); CALL pkgmeta_sync()');
like($err, qr/sync complete: 7 files/, 'a CALL in another database syncs the same mirror');
is($node->safe_psql('postgres', $contents), $node->safe_psql('watch', $contents),
	'the worker stored exactly what the CALL stored');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pkgmeta.sync_errors'),
	$node->safe_psql('watch', 'SELECT count(*) FROM pkgmeta.sync_errors'), 'and the same error rows');
is(status('pid, files_done, packages_written'), "$out|7|17",
	'status shows the last run, by whichever process ran it');

# The interval is honoured: new files are picked up with no CALL.
my $root = PostgreSQL::Test::Utils::tempdir('mirror');
# (npm only: the sample's other checkpoints are not in this mirror)
reconfigure($node, 'pkgmeta.licenses_source' => "file://$root", 'pkgmeta.purl_types' => 'npm',
	'pkgmeta.sync_interval' => '2s');
write_object($root, 'v2/npm/1700000000/0.ndjson', lines => [ record('first') ]);
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pkgmeta.packages WHERE name = 'first'}), 'interval run applies a new file');
write_object($root, 'v2/npm/1700000000/1.ndjson', lines => [ record('second') ]);
ok($node->poll_query_until('postgres',
	q{SELECT chunk = 1 FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), 'and the next one');
ok($node->poll_query_until('watch',
	q{SELECT state = 'idle' AND next_run_at - finished_at BETWEEN interval '2s' AND interval '3s'
	  FROM pkgmeta_sync_status()}),
	'next_run_at is one interval after the last run');

# Only on request: interval 0; a request counts when its transaction commits.
reconfigure($node, 'pkgmeta.sync_interval' => '0');
ok($node->poll_query_until('watch', q{SELECT next_run_at IS NULL FROM pkgmeta_sync_status()}),
	'interval 0: no run planned');
write_object($root, 'v2/npm/1700000000/2.ndjson', lines => [ record('third') ]);
$node->safe_psql('postgres', 'BEGIN; SELECT pkgmeta_request_sync(); ROLLBACK;');
sleep 3;
is($node->safe_psql('postgres', q{SELECT chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
	'1', 'no run without a request, nor for a rolled-back one');
is($node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()'), 't', 'request_sync returns true');
ok($node->poll_query_until('postgres',
	q{SELECT chunk = 2 FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), 'the request runs a sync');

# pkgmeta.enabled = off stops a running sync at the next file boundary.
write_big_files($root, 1700000100, 6, 15000);
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'
	  AND query LIKE 'pkgmeta sync: applying v2/npm/1700000100/%'}),
	'pg_stat_activity names the object the worker is applying');
ok($node->poll_query_until('watch',
	q{SELECT state = 'running' AND current_object LIKE 'v2/npm/1700000100/%' FROM pkgmeta_sync_status()}),
	'status: running, with the current object');
reconfigure($node, 'pkgmeta.enabled' => 'off');
ok($node->poll_query_until('watch', q{SELECT state = 'disabled' FROM pkgmeta_sync_status()}),
	'status: disabled once the run stopped');
my ($sequence, $chunk) = split /\|/,
  $node->safe_psql('postgres', q{SELECT sequence, chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'});
ok($sequence == 1700000100 && $chunk < 5, "stopped in the middle (checkpoint at chunk $chunk of 0..5)");
is($node->safe_psql('postgres', q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-1700000100-%'}),
	($chunk + 1) * 15000, 'at a file boundary: the rows of exactly the checkpointed files');
ok($node->log_contains(qr/pkgmeta\.enabled is off; stopped after v2\/npm\/1700000100\/$chunk\.ndjson/),
	'the log says where it stopped');
($ret, $out, $err) = $node->psql('postgres', 'CALL pkgmeta_sync()');
like($err, qr/NOTICE:  pkgmeta: syncing is switched off \(pkgmeta.enabled = off\); not starting/,
	'CALL refuses with a NOTICE');
is($ret, 0, 'without an error');
is($node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()'), 'f', 'request_sync returns false');

reconfigure($node, 'pkgmeta.enabled' => 'on');
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT chunk = 5 FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), 'on again: it resumes');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-1700000100-%'}),
	6 * 15000, 'and completes with every row once');

# pkgmeta.worker_max_duration: a run stops at a file boundary past its budget
# and, with work left, the next run follows without another request.
# (1ms: every run ends after its first file, whatever the machine's speed)
reconfigure($node, 'pkgmeta.worker_max_duration' => '1ms');
write_big_files($root, 1700000150, 4, 15000);
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT sequence = 1700000150 AND chunk = 3 FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
	'a budget-limited worker finishes after one request');
ok($node->log_contains(qr/\[$pid\] LOG:  pkgmeta: sync stopped at its time budget/),
	'in more than one run');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-1700000150-%'}),
	4 * 15000, 'with every row once');
reconfigure($node, 'pkgmeta.worker_max_duration' => '0');

# pg_terminate_backend: the postmaster restarts it, nothing is lost.
write_big_files($root, 1700000200, 6, 15000);
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'
	  AND query LIKE 'pkgmeta sync: applying v2/npm/1700000200/%'}), 'the worker is syncing');
$node->safe_psql('postgres',
	q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'});
ok($node->poll_query_until('postgres',
	qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync' AND pid <> $pid}),
	'a new worker is started');
like(status('last_error'), qr/the sync ended with its process/, 'status: the run ended with its process');
my $done = $node->safe_psql('postgres',
	q{SELECT CASE WHEN sequence = 1700000200 THEN chunk + 1 ELSE 0 END FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'});
is($node->safe_psql('postgres', q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-1700000200-%'}),
	$done * 15000, 'the checkpoint and the rows agree');
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT sequence = 1700000200 AND chunk = 5 FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
	'the new worker finishes the work');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'big-1700000200-%'}),
	6 * 15000, 'with every row once');

# An ERROR in a run is recorded and the worker carries on; stale data is reported.
reconfigure($node, 'pkgmeta.licenses_source' => 'file:///nonexistent/pkgmeta-mirror',
	'pkgmeta.stale_after' => '1s');
$pid = worker_pid($node);
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('watch',
	q{SELECT last_error LIKE '%/nonexistent/pkgmeta-mirror%' FROM pkgmeta_sync_status()}),
	'status: last_error names the failure');
ok($node->wait_for_log(qr/WARNING:  pkgmeta: no sync has succeeded for longer than pkgmeta.stale_after/),
	'a stale-data WARNING is logged');
is(status('stale, state'), 't|idle', 'status: stale, and the worker is still there');
is(worker_pid($node), $pid, 'the same worker process: no crash loop');

# Retention: error rows older than pkgmeta.errors_retention, and findings
# resolved longer ago than pkgmeta.findings_retention, go at the next run.
reconfigure($node, 'pkgmeta.licenses_source' => "file://$root", 'pkgmeta.errors_retention' => '1d',
	'pkgmeta.findings_retention' => '30d', 'pkgmeta.stale_after' => '1d');
$node->safe_psql('postgres', q{INSERT INTO pkgmeta.findings (inventory, owner, bom_ref, purl, kind,
	advisory_id, source, first_seen_at, resolved_at, resolution)
	VALUES ('app', 'postgres', 'a', 'pkg:npm/a@1', 'advisory', 'open', 'glad', now() - interval '90 days', NULL, NULL),
	       ('app', 'postgres', 'a', 'pkg:npm/a@1', 'advisory', 'recent', 'glad', now() - interval '90 days',
	        now() - interval '1 day', 'removed'),
	       ('app', 'postgres', 'a', 'pkg:npm/a@1', 'advisory', 'old', 'glad', now() - interval '90 days',
	        now() - interval '40 days', 'removed')});
write_object($root, 'v2/npm/1700000300/0.ndjson', lines => [ 'not json', record('fourth') ]);
$node->safe_psql('postgres', q{UPDATE pkgmeta.sync_errors SET at = now() - interval '2 days'});
my $old = $node->safe_psql('postgres', 'SELECT count(*) FROM pkgmeta.sync_errors');
$node->safe_psql('postgres', 'SELECT pkgmeta_request_sync()');
ok($node->poll_query_until('postgres',
	q{SELECT sequence = 1700000300 FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), 'a good run again');
ok($node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pkgmeta.sync_errors}),
	'old error rows are purged, the new one stays');
ok($node->log_contains(qr/deleted $old rows older than pkgmeta.errors_retention/), 'the purge is logged');
ok($node->poll_query_until('postgres', q{SELECT string_agg(advisory_id, ',' ORDER BY advisory_id) = 'open,recent'
	FROM pkgmeta.findings}), 'findings resolved past pkgmeta.findings_retention are purged, the others stay');
ok($node->log_contains(qr/deleted 1 rows older than pkgmeta.findings_retention from pkgmeta.findings/),
	'that purge is logged too');
ok($node->poll_query_until('watch', q{SELECT NOT stale FROM pkgmeta_sync_status()}),
	'a success makes the data fresh again');

# Without shared_preload_libraries the library refuses to load, and says how.
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
($ret, $out, $err) = $plain->psql('postgres', 'CREATE EXTENSION pkgmeta');
like($err, qr/ERROR:  pkgmeta must be loaded via shared_preload_libraries\n.*HINT:  Add pkgmeta to shared_preload_libraries/s,
	'CREATE EXTENSION without preloading fails with a hint');
$plain->stop;

done_testing();
