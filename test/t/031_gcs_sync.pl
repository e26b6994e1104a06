# Syncing from a bucket over the GCS JSON API (test/servers/gcs_server.py): the same
# corpus gives the same packages and checkpoints as the mirror directory; a
# caught-up sync downloads nothing and lists only from its checkpoints; all
# requests share one kept-alive connection.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GcsTestServer;
use PkgmetaTest;

my $node = new_node('gcs_sync', conf => "pkgmeta.gcs_retry_delay = 10ms\n");
my $root = new_mirror($node, 'bucket');

# plain, .gz-named and gzip-encoded objects; npm pages at 3 items
write_object($root, 'v2/npm/1000/000000000.ndjson',
	lines => [ record('lodash', lowest => '1.0.0', highest => '4.17.21'),
		record('left-pad', highest => '1.3.0', default => ['WTFPL']) ]);
write_object($root, 'v2/npm/1000/000000001.ndjson.gz',
	lines => [ record('@scope/tool', default => ['unknown'],
		other => [ [ [ 'MIT', 'Apache-2.0' ], [ '0.1.0', '0.2.0' ] ] ]) ]);
write_object($root, 'v2/npm/1000/000000002.ndjson.gz',
	lines => [ map { record("pkg$_", highest => "$_.0.0") } 1 .. 200 ]);
write_object($root, 'v2/npm/1000/3.ndjson',
	lines => [ record('lodash', lowest => '2.0.0', highest => '5.0.0', default => ['ISC']) ]);
write_object($root, 'v2/npm/1000/10.ndjson', lines => [ record('chalk', highest => '1.0.0') ]);
# larger than the download buffer: the transfer pauses and resumes
write_object($root, 'v2/npm/1000/11.ndjson',
	lines => [ map { record("bulk$_", lowest => '0.1.0', highest => "$_.0.0",
			other => [ [ ['MIT'], [ map { "0.0.$_" } 1 .. 10 ] ] ]) } 1 .. 8000 ]);
write_object($root, 'v2/npm/2000/000000000.ndjson',
	lines => [ record('chalk', highest => '2.0.0', default => ['Apache-2.0']) ]);
write_object($root, 'v2/npm/2000/README.md', raw => "not an export file\n");
write_object($root, 'v2/pypi/1000/000000000.ndjson',
	lines => [ record('Zope.Interface__X', lowest => '1', highest => '2') ]);
write_object($root, 'v2/pypi/1001/000000000.ndjson', lines => [ record('requests') ]);
write_object($root, 'v2/go/1000/000000000.ndjson',
	lines => [ record('github.com/Foo/Bar', lowest => 'v1.0.0') ]);
# stored gzip-compressed with Content-Encoding: gzip, as `gsutil cp -Z` does
write_object($root, 'v2/maven/1000/000000000.ndjson.gz',
	lines => [ record('org.acme/widget', lowest => '1.0', highest => '3.2.1') ]);
rename("$root/v2/maven/1000/000000000.ndjson.gz", "$root/v2/maven/1000/000000000.ndjson")
  or die $!;
my $files = 11;

my $gcs = GcsTestServer->start(root => $root, bucket => 'test-bucket',
	config => { content_encoding => { 'v2/maven/1000/000000000.ndjson' => 'gzip' } });

my $packages_sql = q{SELECT purl_type, name, lowest_version, highest_version,
	default_licenses, other_licenses FROM pkgmeta.package_licenses ORDER BY 1, 2};
my $checkpoints_sql = q{SELECT data_type, version_format, purl_type, sequence, chunk
	FROM pkgmeta_checkpoints() ORDER BY 1, 2, 3};

my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'sync from the directory succeeds') or diag $notices;
my $dir_packages = query($node, $packages_sql);
my $dir_checkpoints = query($node, $checkpoints_sql);
like($dir_packages, qr/pkg200/, 'the directory sync stored the corpus');

query($node, q{TRUNCATE pkgmeta.packages, pkgmeta.checkpoints, pkgmeta.sync_errors});
$node->append_conf('postgresql.conf', "pkgmeta.licenses_source = 'gs://test-bucket'\n"
	  . "pkgmeta.gcs_endpoint = '" . $gcs->endpoint . "'\n");
$node->reload;
$gcs->reset_stats;

($ret, $notices) = sync_notices($node);
is($ret, 0, 'sync from the bucket succeeds') or diag $notices;
like($notices, qr/sync complete: $files files/, "all $files files applied");
is(query($node, $packages_sql), $dir_packages, 'same packages as from the directory');
is(query($node, $checkpoints_sql), $dir_checkpoints, 'same checkpoints as from the directory');
is(query($node, 'SELECT count(*) FROM pkgmeta.sync_errors'), '0', 'no errors');
my $stats = $gcs->stats;
is($stats->{download}, $files, 'each file downloaded once');
cmp_ok($stats->{list}, '>', 17, 'listings followed nextPageToken');
is($stats->{connections}, 1, 'one connection served every listing page and download');
ok($node->log_contains('ignoring "v2/npm/2000/README.md"'), 'names that are not export files are logged');

# caught up: every registry listed once from its checkpoint folder
$gcs->reset_stats;
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 0 files/, 'a caught-up sync applies nothing');
$stats = $gcs->stats;
is($stats->{download}, 0, 'a caught-up sync downloads nothing');
is($stats->{list}, 17, 'one listing page per purl type: listing starts at the checkpoint');

# a new delta: only it is downloaded
write_object($root, 'v2/npm/3000/000000000.ndjson',
	lines => [ record('lodash', highest => '9.0.0', default => ['0BSD']) ]);
$gcs->reset_stats;
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files/, 'the new delta is applied');
is_deeply($gcs->stats->{downloads}, { 'v2/npm/3000/000000000.ndjson' => 1 },
	'and only it is downloaded');
is(query($node, q{SELECT default_licenses FROM pkgmeta.package_licenses WHERE name = 'lodash'}),
	'{0BSD}', 'its record replaced the earlier one');

# a pruned checkpoint object: replay what is there
unlink "$root/v2/pypi/1001/000000000.ndjson" or die $!;
rmdir "$root/v2/pypi/1001";
$gcs->reset_stats;
($ret, $notices) = sync_notices($node);
like($notices, qr/checkpointed file v2\/pypi\/1001\/000000000.ndjson is no longer in gs:\/\/test-bucket/,
	'a vanished checkpoint object is reported');
is_deeply($gcs->stats->{downloads}, { 'v2/pypi/1000/000000000.ndjson' => 1 },
	'and the files still there are replayed');

$gcs->stop;
$node->stop;
done_testing();
