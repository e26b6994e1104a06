# The GCS test server (test/servers/gcs_server.py) speaks the real JSON API: Google's
# own client library (@google-cloud/storage) lists with paging and
# startOffset and downloads through it, verifying crc32c, retrying 5xx and
# undoing Content-Encoding: gzip the way it does against GCS.  Also checks
# the faults the sync tests rely on, with a plain HTTP client.
use strict;
use warnings;
use Digest::MD5 qw(md5_base64);
use File::Path qw(make_path);
use HTTP::Tiny;
use IO::Compress::Gzip qw(gzip $GzipError);
use IPC::Run ();
use JSON::PP ();
use MIME::Base64 qw(decode_base64);
use PostgreSQL::Test::Utils;
use Test::More;
use GcsTestServer;

my $json = JSON::PP->new->canonical;
my $root = PostgreSQL::Test::Utils::tempdir;
my %content;

sub put
{
	my ($name, $bytes) = @_;
	(my $dir = "$root/$name") =~ s{/[^/]+$}{};
	make_path($dir);
	open my $fh, '>:raw', "$root/$name" or die $!;
	print $fh $bytes;
	close $fh;
	$content{$name} = $bytes;
}

sub gz
{
	my ($text) = @_;
	my $out;
	gzip(\$text => \$out) or die $GzipError;
	return $out;
}

# seven plain v2/npm files over two sequences (paging at 3 needs 3 pages),
# a .gz mirror copy, a gzip-encoded object, other registries
for my $i (0 .. 4)
{
	put(sprintf('v2/npm/1675356202/%09d.ndjson', $i),
		qq({"name":"pkg$i","default_licenses":["MIT"]}\n) x ($i + 1));
}
put('v2/npm/1675400000/000000000.ndjson', qq({"name":"late","default_licenses":["0BSD"]}\n));
put('v2/npm/1675400000/000000001.ndjson.gz', gz(qq({"name":"zipped","default_licenses":["ISC"]}\n)));
my $encoded_text = qq({"name":"encoded","default_licenses":["Apache-2.0"]}\n) x 50;
put('v2/npm/1675400000/000000002.ndjson', gz($encoded_text));
put('v2/maven/1675356202/000000000.ndjson', qq({"name":"g/a","default_licenses":["MIT"]}\n));
put('v1/npm/1677169710/00000000.csv', "left-pad,1.0.0,MIT\n");

my $encoded = 'v2/npm/1675400000/000000002.ndjson';
my $gcs = GcsTestServer->start(
	root => $root,
	bucket => 'test-bucket',
	config => {
		content_encoding => { $encoded => 'gzip' },
		faults => {
			'v2/npm/1675356202/000000001.ndjson' => { kind => 'status', status => 503, times => 2 },
			'v2/npm/1675356202/000000002.ndjson' => { kind => 'corrupt' },
			'v2/npm/1675356202/000000003.ndjson' => { kind => 'status', status => 404 },
		},
	});
my @npm = sort grep { m{^v2/npm/} } keys %content;
my $start = 'v2/npm/1675356202/000000003';

sub run_client
{
	my ($plan) = @_;
	my $file = "$root.plan.json";
	open my $fh, '>', $file or die $!;
	print $fh $json->encode($plan);
	close $fh;
	my ($out, $err) = ('', '');
	local $ENV{NODE_PATH} = "$ENV{PKGMETA_TOP}/test/node/node_modules";
	IPC::Run::run([ 'node', "$ENV{PKGMETA_SRC}/test/node/gcs_client_check.js", $file ],
		'>', \$out, '2>', \$err, IPC::Run::timeout(120))
	  or die "gcs_client_check.js failed: $err";
	return $json->decode($out);
}

my $res = run_client({
	endpoint => $gcs->endpoint,
	bucket => 'test-bucket',
	lists => [ { prefix => 'v2/npm/' }, { prefix => 'v2/npm/', startOffset => $start },
		{ prefix => 'v2/pypi/' } ],
	downloads => [@npm, 'v2/npm/none.ndjson'],
});
my $stats = $gcs->stats;

# listing
is_deeply([ map { $_->{name} } @{ $res->{lists}[0] } ], \@npm,
	'prefix listing returns every object under the prefix in name order');
is_deeply([ map { $_->{name} } @{ $res->{lists}[1] } ], [ grep { $_ ge $start } @npm ],
	'startOffset returns only names at or after it');
is_deeply($res->{lists}[2], [], 'an empty prefix lists nothing');
cmp_ok($stats->{list}, '>=', 3 + 2 + 1, 'the client followed nextPageToken over several pages');
is_deeply(
	{ map { $_->{name} => [ $_->{size}, $_->{md5Hash} ] } @{ $res->{lists}[0] } },
	{ map { $_ => [ length($content{$_}), md5_base64($content{$_}) . '==' ] } @npm },
	'sizes and md5 hashes describe the stored bytes');
is_deeply([ map { $_->{name} } grep { $_->{contentEncoding} } @{ $res->{lists}[0] } ],
	[$encoded], 'only the gzip-encoded object has contentEncoding');

# downloads, verified by the library's crc32c check
my %want = map { $_ => $content{$_} } @npm;
$want{$encoded} = $encoded_text;
delete @want{ 'v2/npm/1675356202/000000002.ndjson', 'v2/npm/1675356202/000000003.ndjson' };
for my $name (sort keys %want)
{
	my $d = $res->{downloads}{$name};
	is(defined $d->{data} ? decode_base64($d->{data}) : "error: $d->{error}", $want{$name},
		"download of $name matches");
}
is($stats->{downloads}{'v2/npm/1675356202/000000001.ndjson'}, 3,
	'503 twice: the library retried and the third try succeeded');
like($res->{downloads}{'v2/npm/1675356202/000000002.ndjson'}{error},
	qr/CONTENT_DOWNLOAD_MISMATCH/, 'a corrupted body fails the crc32c check');
like($res->{downloads}{'v2/npm/1675356202/000000003.ndjson'}{error}, qr/^404 /,
	'an injected 404 is a 404');
like($res->{downloads}{'v2/npm/none.ndjson'}{error}, qr/^404 /, 'a missing object is a 404');
cmp_ok($stats->{connections}, '<', $stats->{requests}, 'connections are kept alive and reused');

# the same bytes over plain HTTP, and the faults the sync tests use
my $http = HTTP::Tiny->new(timeout => 2);
sub media
{
	my ($name, %headers) = @_;
	(my $enc = $name) =~ s{([^A-Za-z0-9._~-])}{sprintf('%%%02X', ord $1)}ge;
	return $http->get($gcs->endpoint . "/storage/v1/b/test-bucket/o/$enc?alt=media",
		{ headers => \%headers });
}
my $r = media($encoded);
is($r->{content}, $encoded_text, 'without Accept-Encoding a gzip-encoded object is served inflated');
ok(!defined $r->{headers}{'content-length'} && !defined $r->{headers}{'content-encoding'},
	'... without Content-Length or Content-Encoding, as GCS transcodes');
$r = media($encoded, 'Accept-Encoding' => 'gzip');
is($r->{headers}{'content-encoding'}, 'gzip', 'with Accept-Encoding: gzip it is served as stored');
is($r->{content}, $content{$encoded}, '... byte for byte');
is($r->{headers}{'x-goog-stored-content-encoding'}, 'gzip', 'x-goog-stored-content-encoding says gzip');
like($r->{headers}{'x-goog-hash'}, qr/^crc32c=[A-Za-z0-9+\/]{6}==,md5=/, 'x-goog-hash carries crc32c and md5');

my $victim = 'v2/npm/1675356202/000000004.ndjson';
$gcs->set_faults({ $victim => { kind => 'truncate', after => 10 } });
$r = media($victim);
is($r->{status}, 599, 'truncate: the client sees an incomplete body');
$gcs->set_faults({ $victim => { kind => 'reset', after => 10 } });
$r = media($victim);
is($r->{status}, 599, 'reset: the client sees a broken connection');
$gcs->set_faults({ $victim => { kind => 'stall', after => 10, seconds => 30 } });
$r = media($victim);
like($r->{content}, qr/timed out/i, 'stall: the client times out');
$gcs->set_faults({ $victim => { kind => 'status', status => 429, times => 1 } });
is(media($victim)->{status}, 429, '429 on the first try');
is(media($victim)->{content}, $content{$victim}, 'served whole on the next');
$gcs->set_faults({ '@list' => { kind => 'status', status => 500, times => 1 } });
is($http->get($gcs->endpoint . '/storage/v1/b/test-bucket/o?prefix=v2/')->{status}, 500,
	'listing faults apply to list requests');
$gcs->reset_stats;
is($gcs->stats->{requests}, 0, 'counters reset');

$gcs->stop;
done_testing();
