# Faults injected by the GCS test server: transient ones are retried (with
# Range resumption for broken bodies) and the sync completes as if nothing
# happened; permanent ones fail only their file, which leaves its checkpoint
# where it was, records an error naming the object and the cause, and is
# picked up by the next sync once the fault is gone.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GcsTestServer;
use PkgmetaTest;

my $retries = 2;
my $node = new_node('gcs_faults', conf => "pkgmeta.gcs_retry_delay = 10ms\n"
	  . "pkgmeta.gcs_retries = $retries\n"
	  . "pkgmeta.gcs_stall_timeout = 500ms\n");
my $root = new_mirror($node, 'bucket');

# big enough that faults after 100 bytes fall inside the body
sub many { my ($p) = @_; return [ map { record("$p$_", highest => "$_.0.0") } 1 .. 20 ] }
for my $i (0 .. 5)
{
	write_object($root, sprintf('v2/npm/1000/%09d.ndjson', $i), lines => many("npm$i-"));
}
my @registries = qw(pypi go maven cargo rubygem nuget conan swift);
write_object($root, "v2/$_/1000/000000000.ndjson", lines => many("$_-")) for @registries;

my $packages_sql = q{SELECT purl_type, name, lowest_version, highest_version,
	default_licenses, other_licenses FROM pkgmeta.package_licenses ORDER BY 1, 2};
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'directory sync for reference') or diag $notices;
my $reference = query($node, $packages_sql);
query($node, q{TRUNCATE pkgmeta.packages, pkgmeta.checkpoints, pkgmeta.sync_errors});

my $npm = 'v2/npm/1000/%09d.ndjson';
my $gcs = GcsTestServer->start(root => $root, bucket => 'faulty',
	config => { faults => {
		'@list' => { kind => 'status', status => 500, times => 1 },
		sprintf($npm, 0) => { kind => 'status', status => 503, times => 2 },
		sprintf($npm, 1) => { kind => 'status', status => 429, times => 1 },
		sprintf($npm, 2) => { kind => 'reset', after => 100, times => 1 },
		sprintf($npm, 3) => { kind => 'truncate', after => 150, times => 1 },
		sprintf($npm, 4) => { kind => 'stall', after => 200, seconds => 5, times => 1 },
		sprintf($npm, 5) => { kind => 'status', status => 502, times => 1 },
	} });
$node->append_conf('postgresql.conf', "pkgmeta.licenses_source = 'gs://faulty'\n"
	  . "pkgmeta.gcs_endpoint = '" . $gcs->endpoint . "'\n");
$node->reload;

($ret, $notices) = sync_notices($node);
is($ret, 0, 'sync through transient faults succeeds') or diag $notices;
is(query($node, 'SELECT count(*) FROM pkgmeta.sync_errors'), '0', 'no file failed');
is(query($node, $packages_sql), $reference, 'the same packages as from the directory');
my $stats = $gcs->stats;
is_deeply([ map { $stats->{downloads}{ sprintf($npm, $_) } } 0 .. 5 ], [ 3, 2, 2, 2, 2, 2 ],
	'each faulty download was retried until it succeeded');
# a reset may discard the bytes sent before it: resumed at 100 or restarted
my $reset_ranges = delete $stats->{ranges}{ sprintf($npm, 2) } // [100];
is_deeply([ $stats->{ranges}, $reset_ranges ],
	[ { sprintf($npm, 3) => [150], sprintf($npm, 4) => [200] }, [100] ],
	'broken bodies resumed with Range from the first byte not received');

# a server that ignores Range: the resumed download skips what it already has
write_object($root, 'v2/npm/1000/000000006.ndjson', lines => many('npm6-'));
$gcs->set_faults({ '@no_range' => {}, sprintf($npm, 6) => { kind => 'truncate', after => 300, times => 1 } });
$gcs->reset_stats;
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files, 20 packages/, 'a broken download resumes over a server without Range');
$stats = $gcs->stats;
is_deeply([ $stats->{downloads}{ sprintf($npm, 6) }, $stats->{range_requests} ], [ 2, 0 ],
	'... by downloading again and dropping the bytes it had');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'npm6-%'}), '20',
	'... and every record arrived once, intact');

# a corrupted body is caught without the listing's crc32c: by the crc32c of
# x-goog-hash, or by md5 when there is no crc32c at all
for my $case ([ '@no_list_hashes', 'crc32c', 7 ], [ '@no_crc32c', 'md5', 8 ])
{
	my ($switch, $hash, $chunk) = @$case;
	write_object($root, sprintf($npm, $chunk), lines => many("npm$chunk-"));
	$gcs->set_faults({ $switch => {}, sprintf($npm, $chunk) => { kind => 'corrupt', times => 1 } });
	($ret, $notices) = sync_notices($node);
	like($notices, qr/\Q@{[sprintf($npm, $chunk)]}\E" failed its checksum: $hash /,
		"with $switch a corrupted body fails its $hash check");
	($ret, $notices) = sync_notices($node);
	like($notices, qr/sync complete: 1 files, 20 packages/, '... and applies whole on the next sync');
}
query($node, 'TRUNCATE pkgmeta.sync_errors');

# permanent faults: one registry each, a new delta of two files
my %fault = (
	pypi => [ { kind => 'status', status => 404 }, qr/failed in the HTTP status phase after 1 attempt in [\d.]+ s: HTTP 404/, 1 ],
	go => [ { kind => 'corrupt' }, qr/failed its checksum: crc32c \S+, the listing says \S+/, 1 ],
	maven => [ { kind => 'truncate', after => 100 }, qr/failed in the body phase after 3 attempts in [\d.]+ s: transfer closed with \d+ bytes remaining/, 3 ],
	cargo => [ { kind => 'stall', after => 100, seconds => 30 }, qr/failed in the body phase after 3 attempts in [\d.]+ s: nothing received for 500 ms/, 3 ],
	rubygem => [ { kind => 'status', status => 403 }, qr/failed in the HTTP status phase after 1 attempt in [\d.]+ s: HTTP 403/, 1 ],
	nuget => [ { kind => 'status', status => 503 }, qr/failed in the HTTP status phase after 3 attempts in [\d.]+ s: HTTP 503/, 3 ],
	conan => [ { kind => 'reset', after => 10 }, qr/failed in the body phase after 3 attempts in [\d.]+ s: Recv failure/, 3 ],
	swift => [ { kind => 'grow', data => "{}\n" x 100 }, qr/is longer than the \d+ bytes its listing gives/, 1 ],
);
for my $r (@registries)
{
	write_object($root, "v2/$r/2000/000000000.ndjson", lines => many("$r-new-a-"));
	write_object($root, "v2/$r/2000/000000001.ndjson", lines => many("$r-new-b-"));
}
$gcs->set_faults({ map { ("v2/$_/2000/000000000.ndjson" => $fault{$_}[0]) } @registries });
$gcs->reset_stats;
my $before = query($node, q{SELECT purl_type || ':' || sequence || '/' || chunk FROM pkgmeta_checkpoints() ORDER BY 1});

($ret, $notices) = sync_notices($node);
is($ret, 0, 'a sync with failing files still ends normally');
like($notices, qr/WARNING:  pkgmeta: v2\/pypi\/2000\/000000000.ndjson was not applied/, 'a WARNING names the failed file');
is(query($node, q{SELECT purl_type || ':' || sequence || '/' || chunk FROM pkgmeta_checkpoints() ORDER BY 1}),
	$before, 'no checkpoint moved past a failed file');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE '%-new-%'}), '0',
	'nothing of the failed files or the files after them is applied');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE '%-1'}), 9 + @registries,
	'what was applied before is still there');
$stats = $gcs->stats;
for my $r (@registries)
{
	my $object = "v2/$r/2000/000000000.ndjson";
	my $reason = query($node, "SELECT reason FROM pkgmeta.sync_errors WHERE object = '$object' AND line IS NULL");
	like($reason, $fault{$r}[1], "$r: error row says why ($fault{$r}[0]{kind})");
	like($reason, qr/\Q"$object"\E|\Q$object\E/, "$r: the reason names the object");
	is($stats->{downloads}{$object}, $fault{$r}[2], "$r: tried $fault{$r}[2] time(s)");
	ok(!exists $stats->{downloads}{"v2/$r/2000/000000001.ndjson"}, "$r: the next file was not tried");
}

# the faults are gone: the next sync picks up from the failed files
$gcs->set_faults({});
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 16 files/, 'the next sync applies the failed files and those after them');
is(query($node, q{SELECT count(DISTINCT sequence::text || '/' || chunk) FROM pkgmeta_checkpoints()
	WHERE purl_type <> 'npm'}), '1', 'every checkpoint reached the new delta');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE '%-new-%'}), 2 * 20 * @registries,
	'their records are applied');

$gcs->stop;
$node->stop;
done_testing();
