# A streaming standby: receives the synced data, answers lookups, never
# syncs (no worker, status "standby", CALL and request refused); once
# promoted, its worker starts.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PkgmetaTest;
use Test::More;

my $primary = new_node('primary', init => { allows_streaming => 1 });
my $root = new_mirror($primary);
write_object($root, 'v2/npm/1000/0.ndjson',
	lines => [ record('lodash', lowest => '1.0.0', highest => '4.17.21') ]);
my ($ret, $notices) = sync_notices($primary);
like($notices, qr/sync complete: 1 files/, 'the primary syncs');

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

# data synced after the backup arrives by streaming
write_object($root, 'v2/npm/2000/0.ndjson',
	lines => [ record('left-pad', highest => '1.3.0', default => ['WTFPL']) ]);
query($primary, 'SELECT pkgmeta_request_sync()');
ok($primary->poll_query_until('postgres',
	q{SELECT sequence = 2000 FROM pkgmeta_checkpoints()}), "the primary's worker syncs a new delta");
$primary->wait_for_catchup($standby);

my $lookup = q{SELECT purl_type, name, default_licenses FROM pkgmeta.package_licenses ORDER BY name};
is($standby->safe_psql('postgres', $lookup), "npm|left-pad|{WTFPL}\nnpm|lodash|{MIT}",
	'lookups on the standby see the replicated data');
is($standby->safe_psql('postgres', q{SELECT sequence FROM pkgmeta_checkpoints()}), '2000',
	'and the checkpoints');

is($standby->safe_psql('postgres',
	q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'}),
	'0', 'no worker runs on the standby');
is($standby->safe_psql('postgres',
	q{SELECT state, worker_pid IS NULL, stale IS NULL, newest_delta_at = to_timestamp(2000)
	  FROM pkgmeta_sync_status()}),
	'standby|t|t|t', 'status says standby; freshness is the primary\'s');
is($standby->safe_psql('postgres', 'SELECT pkgmeta_request_sync()'), 'f', 'request_sync: false');
my ($r, $o, $e) = $standby->psql('postgres', 'CALL pkgmeta_sync()');
like($e, qr/pkgmeta_sync\(\) cannot run on a standby/, 'CALL is refused with a clear error');

$standby->promote;
ok($standby->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'}),
	'after promotion the worker starts');
write_object($root, 'v2/npm/3000/0.ndjson', lines => [ record('chalk') ]);
query($standby, 'SELECT pkgmeta_request_sync()');
ok($standby->poll_query_until('postgres',
	q{SELECT sequence = 3000 FROM pkgmeta_checkpoints()}), 'and syncs');

done_testing();
