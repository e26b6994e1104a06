# pg_cron as the scheduler: a job running CALL pkgmeta_sync() advances the
# checkpoints, and its run shows in pkgmeta_sync_status().  pg_cron 1.4
# schedules by the minute, so this waits for up to one minute.
use strict;
use warnings;
use PkgmetaTest;
use Test::More;

# pg_cron comes from Debian's postgresql-15-cron: servers of other versions
# (./run test --pg N, built from source) have none to load.
my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
plan skip_all => 'pg_cron is not installed for this server (Debian packages it for 15 only)'
  unless -f "$sharedir/extension/pg_cron.control";

my $node = new_node('cron', no_extension => 1,
	conf => "shared_preload_libraries = 'pkgmeta,pg_cron'\ncron.database_name = 'postgres'\n");
# pg_cron connects like a client: through this node's socket directory
$node->append_conf('postgresql.conf', "cron.host = '" . $node->host . "'\n");
$node->restart;
$node->safe_psql('postgres', 'CREATE EXTENSION pkgmeta; CREATE EXTENSION pg_cron;');
my $root = new_mirror($node);
write_object($root, 'v2/npm/1000/0.ndjson', lines => [ record('lodash') ]);
write_object($root, 'v2/npm/1000/1.ndjson', lines => [ record('chalk') ]);

query($node, q{SELECT cron.schedule('pkgmeta-sync', '* * * * *', 'CALL pkgmeta_sync()')});
ok($node->poll_query_until('postgres',
	q{SELECT sequence = 1000 AND chunk = 1 FROM pkgmeta_checkpoints()}),
	'the pg_cron job advanced the checkpoints');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages}), '2', 'and stored the rows');
ok($node->poll_query_until('postgres',
	q{SELECT status = 'succeeded' FROM cron.job_run_details ORDER BY runid DESC LIMIT 1}),
	'pg_cron records the run as succeeded');
is(query($node, q{SELECT pid <> (SELECT pid FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'),
	files_done, last_success_at IS NOT NULL FROM pkgmeta_sync_status()}),
	't|2|t', 'the status shows the job\'s run, not the worker\'s');

done_testing();
