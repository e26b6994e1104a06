# Limits against hostile data: each exceeded limit is a clear per-line or
# per-file (per-type, for listings) error, and raising the limit lets the
# same data in.  Also the line splitter's regressions found by fuzzing.
use strict;
use warnings;
use IO::Compress::Gzip qw(gzip $GzipError);
use GcsTestServer;
use JSON::PP;
use PkgmetaTest;
use Test::More;

my $node = new_node('limits', conf => "pkgmeta.max_line_length = '1kB'\n");
my $root = new_mirror($node);

sub set_conf
{
	my ($line) = @_;
	$node->append_conf('postgresql.conf', "$line\n");
	$node->reload;
}

# Fuzz finding: a last line without a newline, longer than what preceded it
# in the same read, was returned from the bytes make_room had just moved.
my $last = record('last-line-without-newline', lowest => '1.0.0', highest => '9.9.9',
	default => [ 'Apache-2.0', 'MIT', 'BSD-3-Clause' ]);
write_object($root, 'v2/npm/1000/0.ndjson', raw => record('a') . "\n" . $last);
my ($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT concat_ws(' ', name, default_licenses::text, highest_version)
	FROM pkgmeta.package_licenses ORDER BY name}),
	"a {MIT}\nlast-line-without-newline {Apache-2.0,MIT,BSD-3-Clause} 9.9.9",
	'a last line without a newline is read whole');

# Fuzz finding: a line of exactly max_line_length bytes ending in \r\n was
# refused as too long when a read ended between its \r and its \n.  A plain
# file is read in 256 kB blocks: put that \r at the end of the first block.
{
	my $block = 256 * 1024;
	my $exact = sub {
		my ($name, $len) = @_;
		my $rec = record($name);
		my $pad = $len - length($rec) - length(',"pad":""');
		die "cannot pad $name to $len" if $pad < 0;
		substr($rec, -1, 0) = ',"pad":"' . ('p' x $pad) . '"';
		return $rec;
	};
	my $data = '';
	my $i = 0;
	$data .= record(sprintf('filler-%05d', $i++)) . "\r\n"
	  while length($data) < $block - 1025 - 1000;
	$data .= $exact->('filler-last', $block - 1024 - 1 - length($data) - 2) . "\r\n";
	$data .= $exact->('at-the-limit', 1024) . "\r\n";
	die 'misplaced' unless substr($data, $block - 1, 2) eq "\r\n";
	$data .= record('after-it') . "\r\n";
	write_object($root, 'v2/npm/1000/1.ndjson', raw => $data);
	($ret, $notices) = sync_notices($node);
	is(query($node, q{SELECT count(*) FROM pkgmeta.packages
		WHERE name IN ('at-the-limit', 'after-it', 'filler-last')}), '3',
		'a CRLF line of exactly max_line_length is accepted across a read boundary');
	is(query($node, q{SELECT string_agg(line || ': ' || reason, ', ') FROM pkgmeta.sync_errors}), '',
		'and no bad line is reported');
}

# Record sizes and counts: each limit makes a bad line naming its setting.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
set_conf(join("\n",
	"pkgmeta.max_name_length = 12", "pkgmeta.max_version_length = 5",
	"pkgmeta.max_license_length = 4", "pkgmeta.max_licenses_per_set = 2",
	"pkgmeta.max_versions_per_tuple = 2", "pkgmeta.max_other_licenses = 1"));
my @limited = (
	record('ok-record', lowest => '1.0', highest => '2.0', default => [ 'MIT', 'ISC' ],
		other => [ [ ['0BSD'], [ '0.1', '0.2' ] ] ]),
	record('name-too-long'),
	record('ver', lowest => '1.0.0.0'),
	record('lic', default => ['Apache-2.0']),
	record('lic-set', default => [ 'MIT', 'ISC', '0BSD' ]),
	record('versions', other => [ [ ['MIT'], [ '1', '2', '3' ] ] ]),
	record('tuples', other => [ [ ['MIT'], ['1'] ], [ ['ISC'], ['2'] ] ]),
);
write_object($root, 'v2/npm/2000/0.ndjson', lines => \@limited);
write_object($root, 'v1/npm/2000/0.csv', lines => [ 'v1-ok,1.0,MIT', 'v1-name-too-long,1.0,MIT',
	'v1-ver,1.0.0.0,MIT', 'v1-lic,1.0,Apache-2.0' ]);
set_conf("pkgmeta.version_formats = 'v2,v1'");
($ret, $notices) = sync_notices($node);
is($ret, 0, 'a sync with records over the limits succeeds');
is(query($node, q{SELECT version_format || ' ' || line || ': ' || reason FROM pkgmeta.sync_errors
	ORDER BY version_format DESC, line}),
	join("\n",
		'v2 2: "name" is longer than 12 bytes (pkgmeta.max_name_length)',
		'v2 3: "lowest_version" is longer than 5 bytes (pkgmeta.max_version_length)',
		'v2 4: "default_licenses" has a string longer than 4 bytes (pkgmeta.max_license_length)',
		'v2 5: "default_licenses" has more than 2 entries (pkgmeta.max_licenses_per_set)',
		'v2 6: "versions" has more than 2 entries (pkgmeta.max_versions_per_tuple)',
		'v2 7: "other_licenses" has more than 1 entries (pkgmeta.max_other_licenses)',
		'v1 2: name longer than 12 bytes (pkgmeta.max_name_length)',
		'v1 3: version longer than 5 bytes (pkgmeta.max_version_length)',
		'v1 4: license longer than 4 bytes (pkgmeta.max_license_length)'),
	'each record over a limit is a bad line naming the setting');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name = 'ok-record'}), '1',
	'records inside the limits apply');

# Raised limits let the same kind of record in.
set_conf(join("\n",
	"pkgmeta.max_name_length = 255", "pkgmeta.max_version_length = 255",
	"pkgmeta.max_license_length = 50", "pkgmeta.max_licenses_per_set = 100",
	"pkgmeta.max_versions_per_tuple = 500", "pkgmeta.max_other_licenses = 50"));
write_object($root, 'v2/npm/2000/1.ndjson', lines => [ @limited[ 1 .. $#limited ] ]);
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.packages
	WHERE name IN ('name-too-long', 'ver', 'lic', 'lic-set', 'versions', 'tuples')}), '6',
	'raised limits accept them');

# Gzip bombs: inflating far more than max_inflate_ratio fails the file.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
my $bomb_plain = ("\n" x (4 * 1024 * 1024)) . record('after-bomb') . "\n";
my $bomb;
gzip(\$bomb_plain => \$bomb, -Level => 9) or die "gzip: $GzipError";
write_object($root, 'v2/npm/3000/0.ndjson.gz', raw => $bomb);
($ret, $notices) = sync_notices($node);
like($notices,
	qr/WARNING:  pkgmeta: v2\/npm\/3000\/0.ndjson.gz was not applied: gzip stream of "v2\/npm\/3000\/0.ndjson.gz" inflates to more than 100 times its size/,
	'a gzip bomb fails its file with a clear message');
like($notices, qr/times its size \(pkgmeta.max_inflate_ratio\)\nDETAIL:  \d+ bytes read inflated to \d+ bytes/,
	'naming the setting and the sizes');
is(query($node, q{SELECT sequence FROM pkgmeta_checkpoints() WHERE purl_type = 'npm' AND version_format = 'v2'}),
	'2000', 'its checkpoint does not move');
set_conf('pkgmeta.max_inflate_ratio = 100000');
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name = 'after-bomb'}), '1',
	'a raised ratio lets the same file apply');

# Listing size: too many files stop that type only, with an error row.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
write_object($root, "v2/pypi/1000/$_.ndjson", lines => [ record("py-$_") ]) for 0 .. 2;
write_object($root, 'v2/maven/1000/0.ndjson', lines => [ record('g/a') ]);
set_conf('pkgmeta.max_listing_objects = 2');
($ret, $notices) = sync_notices($node);
is($ret, 0, 'a sync with an oversized listing succeeds');
like($notices, qr/WARNING:  pkgmeta: the listing of v2\/pypi\/ holds more than 2 files \(pkgmeta.max_listing_objects\)/,
	'an oversized listing is reported with its setting');
is(query($node, q{SELECT object || ': ' || reason FROM pkgmeta.sync_errors WHERE purl_type = 'pypi'}),
	'v2/pypi/: the listing of v2/pypi/ holds more than 2 files (pkgmeta.max_listing_objects)',
	'and recorded for its type');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'py-%'}), '0',
	'nothing of that type applies');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name = 'g/a'}), '1',
	'other types still sync');
set_conf('pkgmeta.max_listing_objects = 100000');
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'py-%'}), '3',
	'a raised limit lets the listing through');

# Advisories are decoded in C (decode_advisory.c): hostile lines are bad
# lines too, and the good line of the same file applies.
{
	my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
	my $good = JSON::PP->new->canonical->encode({
		advisory => { id => 'a-1', source => 'glad', published_date => '2020-01-01' },
		packages => [ { name => 'lib', affected_range => '<1.0.0' } ] });
	write_object($adv_root, 'v2/npm/1000/0.ndjson', lines => [
		'{"x":' . ('[' x 100000) . (']' x 100000) . '}',    # nested past the decoder's depth bound
		('{"advisory":' x 300) . '{}' . ('}' x 300),
		'{"advisory":{"id":"a-2","source":"glad","published_date":"2020-01-01"},"packages":[{"name":"x","affected_range":"\u0000"}]}',
		'{"advisory":{"id":"a-3","source":"glad","published_date":"99999-99-99"},"packages":[]}',
		$good,
	]);
	set_conf(join("\n", "pkgmeta.advisories_source = 'file://$adv_root'",
		"pkgmeta.data_types = 'advisories'", "pkgmeta.purl_types = 'npm'",
		"pkgmeta.max_line_length = '1MB'"));
	$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
	($ret, $notices) = sync_notices($node);
	is(query($node, q{SELECT count(*) FROM pkgmeta.advisories WHERE advisory_id = 'a-1'}), '1',
		'hostile advisory lines do not keep the good one out');
	like(query($node, q{SELECT string_agg(line || ': ' || reason, E'\n' ORDER BY line)
		FROM pkgmeta.sync_errors WHERE data_type = 'advisories'}),
		qr/\A1: JSON nested deeper than \d+ levels\n2: unknown key "advisory" in "advisory"\n3: \\u0000 is not allowed in text\n4: "advisory\.published_date" is not a date \(YYYY-MM-DD\)\z/,
		'each hostile advisory line is a bad line with its reason');

	# GitLab's advisory field limits (doc/format.md section 5), each a setting:
	# set small, every over-limit line is a bad line naming its setting, and
	# the good line of the same file, inside every limit, applies.
	my %small = (max_advisory_id_length => 4, max_advisory_title_length => 4,
		max_advisory_description_length => 4, max_advisory_urls => 1, max_url_length => 4,
		max_advisory_identifiers => 1, max_identifier_type_length => 4,
		max_identifier_name_length => 4, max_cvss_length => 4, max_distro_length => 4,
		max_solution_length => 4, max_affected_range_length => 4, max_fixed_versions => 1);
	my $json = JSON::PP->new->canonical;
	my $base = sub {
		my ($id) = @_;
		return {
			advisory => { id => $id, source => 'glad', published_date => '2020-01-01', title => 'T',
				description => 'D', cvss_v3 => 'C3', urls => ['u'],
				identifiers => [ { type => 'cve', name => 'n', value => 'v', url => 'u' } ] },
			packages => [ { name => 'p', affected_range => '<1', solution => 's', distro => 'd',
				fixed_versions => ['1'] } ],
			additional_fields => { advisory => { cvss_v4 => 'C4' } } };
	};
	my @over = (
		[ max_advisory_id_length => sub { $_[0]{advisory}{id} = 'long-id' } ],
		[ max_advisory_title_length => sub { $_[0]{advisory}{title} = 'TTTTT' } ],
		[ max_advisory_description_length => sub { $_[0]{advisory}{description} = 'DDDDD' } ],
		[ max_advisory_urls => sub { $_[0]{advisory}{urls} = [ 'u', 'w' ] } ],
		[ max_url_length => sub { $_[0]{advisory}{urls} = ['uuuuu'] } ],
		[ max_advisory_identifiers => sub { push @{ $_[0]{advisory}{identifiers} }, { type => 't', name => 'm' } } ],
		[ max_identifier_type_length => sub { $_[0]{advisory}{identifiers}[0]{type} = 'ttttt' } ],
		[ max_identifier_name_length => sub { $_[0]{advisory}{identifiers}[0]{name} = 'nnnnn' } ],
		[ max_cvss_length => sub { $_[0]{additional_fields}{advisory}{cvss_v4} = 'CCCCC' } ],
		[ max_distro_length => sub { $_[0]{packages}[0]{distro} = 'ddddd' } ],
		[ max_solution_length => sub { $_[0]{packages}[0]{solution} = 'sssss' } ],
		[ max_affected_range_length => sub { $_[0]{packages}[0]{affected_range} = '<1.0.0' } ],
		[ max_fixed_versions => sub { $_[0]{packages}[0]{fixed_versions} = [ '1', '2' ] } ],
	);
	my @lines;
	for my $i (0 .. $#over)
	{
		my $rec = $base->("o$i");
		$over[$i][1]->($rec);
		push @lines, $json->encode($rec);
	}
	push @lines, $json->encode($base->('good'));
	write_object($adv_root, 'v2/npm/2000/0.ndjson', lines => \@lines);
	set_conf(join("\n", map { "pkgmeta.$_ = $small{$_}" } sort keys %small));
	$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
	($ret, $notices) = sync_notices($node);
	is(query($node, q{SELECT count(*) FROM pkgmeta.affected_packages WHERE advisory_id = 'good'}), '1',
		'an advisory inside every advisory limit applies beside the over-limit ones');
	my %reason = map { split /\|/, $_, 2 } split /\n/,
		query($node, q{SELECT line, reason FROM pkgmeta.sync_errors WHERE data_type = 'advisories'});
	for my $i (0 .. $#over)
	{
		like($reason{ $i + 1 } // '', qr/\(pkgmeta\.$over[$i][0]\)/,
			"over pkgmeta.$over[$i][0]: a bad line naming the setting");
	}
	is(query($node, q{SELECT count(*) FROM pkgmeta.advisories WHERE advisory_id LIKE 'o%'}), '0',
		'no over-limit advisory applied');

	set_conf(join("\n", "pkgmeta.data_types = 'licenses'", "pkgmeta.purl_types = 'npm,pypi,maven'",
		"pkgmeta.max_line_length = '1kB'"));
}

# A v3 archive whose zstd frames ask for a window over max_zstd_window_log
# (zstd --long=27 through a pipe: 128 MB) fails whole, its memory never taken.
{
	my $members = PostgreSQL::Test::Utils::tempdir('v3long');
	write_object($members, '00/0.ndjson', lines => [ v3_record('long-window') ]);
	write_object($root, 'v3/cargo/full_dataset/checkpoint.json', lines => ['{"until": 100}']);
	my $archive = "$root/v3/cargo/full_dataset/00.tar.zst";
	system("tar -cf - -C $members 00/0.ndjson | zstd -q -3 --long=27 -o $archive") == 0
	  or die 'tar | zstd --long failed';
	$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
	set_conf(join("\n", "pkgmeta.purl_types = 'cargo'", "pkgmeta.version_formats = 'v3'"));
	($ret, $notices) = sync_notices($node);
	like($notices,
		qr{archive "v3/cargo/full_dataset/00\.tar\.zst" needs a zstd window over 33554432 bytes \(pkgmeta\.max_zstd_window_log = 25\)},
		'a window over the limit fails the archive, naming it and the setting');
	is(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE object = 'v3/cargo/full_dataset/00.tar.zst'}),
		'1', 'with an error row');
	is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages}), '0', 'nothing of it applied');
	set_conf('pkgmeta.max_zstd_window_log = 27');
	($ret, $notices) = sync_notices($node);
	is(query($node, q{SELECT name FROM pkgmeta.v3_packages}), 'long-window',
		'a raised limit lets the same archive apply');
	set_conf(join("\n", "pkgmeta.max_zstd_window_log = 25", "pkgmeta.purl_types = 'npm,pypi,maven'",
		"pkgmeta.version_formats = 'v2'"));
}

# Over the GCS JSON API the listing stops paging once over the limit.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
my $bucket = PostgreSQL::Test::Utils::tempdir('bucket');
write_object($bucket, "v2/rubygem/1000/$_.ndjson", lines => [ record("gem-$_") ]) for 0 .. 9;
my $gcs = GcsTestServer->start(root => $bucket, bucket => 'limits', page_size => 2);
set_conf(join("\n", "pkgmeta.licenses_source = 'gs://limits'",
	"pkgmeta.gcs_endpoint = '" . $gcs->endpoint . "'", "pkgmeta.purl_types = 'gem'",
	"pkgmeta.version_formats = 'v2'",
	'pkgmeta.max_listing_objects = 3'));
$gcs->reset_stats;
($ret, $notices) = sync_notices($node);
like($notices, qr/the listing of v2\/rubygem\/ holds more than 3 files/, 'a bucket listing over the limit is refused');
is($gcs->stats->{list}, 2, 'after the page that crossed the limit (pages of 2), no more pages are read');
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'gem-%'}), '0',
	'nothing of that type applies');
$gcs->stop;

done_testing();
