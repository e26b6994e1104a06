# Benchmark: a full sync of the same corpus from the bucket over HTTP
# (test/servers/gcs_server.py on 127.0.0.1) against the baseline, the same files
# read from the mirror directory, in the same run.  Prints the ratio.
#
#   ./run test ../bench/gcs_vs_dir.pl          (BENCH_FILES, BENCH_RECORDS)
#
# The server's checksums are computed while warming up, outside the timing;
# what remains is HTTP, libcurl, the pause/resume buffer and crc32c.
use strict;
use warnings;
use HTTP::Tiny;
use List::Util qw(sum);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use GcsTestServer;
use PkgmetaTest;

my $files = $ENV{BENCH_FILES} // 8;
my $records = $ENV{BENCH_RECORDS} // 20000;
my $rounds = 3;

my $node = new_node('bench', conf => "pkgmeta.purl_types = 'npm'\n");
my $root = new_mirror($node, 'bucket');
for my $f (0 .. $files - 1)
{
	write_object($root, sprintf('v2/npm/1000/%09d.ndjson', $f),
		lines => [ map { record("pkg-$f-$_", lowest => '0.1.0', highest => "$_.2.3",
				other => [ [ ['MIT', 'Apache-2.0'], [ map { "0.0.$_" } 1 .. 5 ] ] ]) } 1 .. $records ]);
}
my $bytes = sum(map { -s $_ } glob("$root/v2/npm/1000/*"));
my $gcs = GcsTestServer->start(root => $root, bucket => 'bench', page_size => 1000);
HTTP::Tiny->new->get($gcs->endpoint . '/storage/v1/b/bench/o?prefix=v2/npm/')->{success}
  or die 'warm-up listing failed';

my %source = (dir => "file://$root", gcs => 'gs://bench');
my %seconds = (dir => [], gcs => []);
my %result;
for my $round (1 .. $rounds)
{
	for my $kind (qw(dir gcs))
	{
		query($node, 'TRUNCATE pkgmeta.packages, pkgmeta.checkpoints, pkgmeta.sync_errors');
		my $t0 = time;
		my ($ret, $notices) = $node->psql('postgres',
			"SET pkgmeta.licenses_source = '$source{$kind}'; "
			  . "SET pkgmeta.gcs_endpoint = '" . $gcs->endpoint . "'; CALL pkgmeta_sync()");
		push @{ $seconds{$kind} }, time - $t0;
		die "sync from $kind failed" if $ret != 0;
		$result{$kind} = query($node, q{SELECT count(*), md5(string_agg(name || default_licenses::text
			|| other_licenses::text, ',' ORDER BY name)) FROM pkgmeta.package_licenses});
	}
}
is($result{gcs}, $result{dir}, 'both syncs store the same packages');

sub median { my @s = sort { $a <=> $b } @_; return $s[ $#s / 2 ] }
my ($d, $g) = (median(@{ $seconds{dir} }), median(@{ $seconds{gcs} }));
diag sprintf('%d files, %.1f MB, %d packages; median of %d rounds', $files, $bytes / 1e6,
	$files * $records, $rounds);
diag sprintf('mirror directory (baseline): %.2f s  %.1f MB/s', $d, $bytes / 1e6 / $d);
diag sprintf('gs:// over HTTP:             %.2f s  %.1f MB/s', $g, $bytes / 1e6 / $g);
diag sprintf('ratio gs:// / directory:     %.2f', $g / $d);

$gcs->stop;
$node->stop;
done_testing();
