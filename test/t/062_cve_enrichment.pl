# The CVE enrichment feed (doc/format.md, CVE enrichment): one feed without
# a purl type, read from a directory or a bucket in both layouts (files
# under v2/cve_enrichment/ as the bucket has them, or flattened right under
# v2/ as GitLab's offline guide has admins copy them), upserted by CVE with
# updated_at moving only when a value changes, bad lines recorded while the
# good ones apply, resumed after its checkpoint, and shown with the
# affected packages of advisories naming the CVE.
use strict;
use warnings;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GcsTestServer;
use PkgmetaTest;

my $node = new_node('cve_enrichment', conf => "pkgmeta.gcs_retry_delay = 10ms\n");
my $flat = PostgreSQL::Test::Utils::tempdir('flat');
my $deep = PostgreSQL::Test::Utils::tempdir('deep');
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
reconfigure($node, 'pkgmeta.cve_enrichment_source' => "file://$flat",
	'pkgmeta.advisories_source' => "file://$adv_root",
	'pkgmeta.data_types' => 'advisories, cve_enrichment');

my $cve = sub {
	my ($id, $score, %opt) = @_;
	my %r = (cve_id => $id, epss_score => $score, %opt);
	return JSON::PP->new->canonical->encode(\%r);
};

# What each file says, line by line; the expected table is computed from
# these lists below, the later line of a CVE winning.
my @file0 = (
	# GitLab's own fixture lines, spacing included
	'{ "cve_id": "CVE-2021-12345", "epss_score": 0.6, "is_known_exploit": true  }',
	'{ "cve_id": "CVE-2022-12345", "epss_score": 0.4 }',
	'{ "epss_score": 0.2 }',
	$cve->('CVE-2023-0001', 0.1, extra => 1),
	'{"cve_id":"CVE-2023-0002"}',
	$cve->('CVE-23-0003', 0.3),
	'{"cve_id":"CVE-2023-0004","epss_score":0.5,"is_known_exploit":null}',
	$cve->('CVE-2023-0005', 1.5e-3, is_known_exploit => JSON::PP::false),
	$cve->('CVE-2019-1001', 0.97, is_known_exploit => JSON::PP::true));
# the bad lines above by their index in @file0
my %bad_reason = (
	2 => 'missing "cve_id"',
	3 => 'unknown key "extra"',
	4 => 'missing "epss_score"',
	5 => '"cve_id" is not of the form CVE-yyyy-nnnn',
	6 => '"is_known_exploit" must be true or false');
# duplicates, one pair across the writer's batches of 4096
my @file1 = ($cve->('CVE-2024-0001', 0.1), $cve->('CVE-2024-0001', 0.9, is_known_exploit => JSON::PP::true),
	$cve->('CVE-2024-9999', 0.1),
	(map { $cve->(sprintf('CVE-2024-1%04d', $_), 0.01) } 1 .. 5000),
	$cve->('CVE-2024-9999', 0.5));
my @files = ([ '1700000000/000000000.ndjson', \@file0 ], [ '1700000000/000000001.ndjson.gz', \@file1 ]);
for my $f (@files)
{
	write_object($flat, "v2/$f->[0]", lines => $f->[1]);
	write_object($deep, "v2/cve_enrichment/$f->[0]", lines => $f->[1]);
}

sub expected
{
	my (@lists) = @_;
	my %rows;
	for my $line (map { @$_ } @lists)
	{
		my $r = eval { JSON::PP->new->decode($line) } or next;
		next unless defined $r->{cve_id} && $r->{cve_id} =~ /^CVE-\d{4}-\d{4,15}$/
		  && defined $r->{epss_score};
		next if grep { !/^(cve_id|epss_score|is_known_exploit)$/ } keys %$r;
		next if exists $r->{is_known_exploit} && !defined $r->{is_known_exploit};
		$rows{ $r->{cve_id} } = [ $r->{epss_score} + 0, $r->{is_known_exploit} ? 't' : 'f' ];
	}
	return join("\n", map { "$_|$rows{$_}[0]|$rows{$_}[1]" } sort keys %rows);
}

my $table_sql = q{SELECT cve, epss_score, known_exploited FROM pkgmeta.cve_enrichment ORDER BY cve};
my $checkpoint_sql = q{SELECT data_type, version_format, coalesce(purl_type, '<null>'), sequence, chunk
	FROM pkgmeta_checkpoints() WHERE data_type = 'cve_enrichment'};

# an advisory naming one of the CVEs, for the view
write_object($adv_root, 'v2/npm/1000/000000000.ndjson', lines => [ JSON::PP->new->canonical->encode({
	advisory => { id => 'a-1', source => 'glad', title => 'T', published_date => '2019-10-16',
		identifiers => [ { type => 'cve', name => 'CVE-2019-1001', value => 'CVE-2019-1001' } ] },
	packages => [ { name => 'left-pad', affected_range => '<1.3.0', fixed_versions => ['1.3.0'] } ] }) ]);

# --- file:// with the flattened layout
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'sync of the flattened directory succeeds') or diag $notices;
like($notices, qr/cve_enrichment v2: 2 files, \d+ CVEs, \d+ bytes, 5 bad lines, 0 failed files/,
	'the feed is reported without a purl type');
my $expected = expected(\@file0, \@file1);
is(query($node, $table_sql), $expected, 'good lines applied, the later line of a CVE wins');
is(query($node, q{SELECT object || ':' || line || ': ' || reason || ' | ' || coalesce(purl_type, '<null>')
	FROM pkgmeta.sync_errors WHERE data_type = 'cve_enrichment' ORDER BY id}),
	join("\n", map { "v2/1700000000/000000000.ndjson:" . ($_ + 1) . ": $bad_reason{$_} | <null>" }
		sort keys %bad_reason),
	'bad lines recorded with object, line and reason, purl type NULL');
is(query($node, $checkpoint_sql), 'cve_enrichment|v2|<null>|1700000000|1',
	'pkgmeta_checkpoints() shows the feed with a NULL purl type');
is(query($node, q{SELECT advisory_id, name, cve, epss_score, known_exploited FROM pkgmeta.affected_packages}),
	'a-1|left-pad|CVE-2019-1001|0.97|t', 'the view shows the score and flag of the advisory\'s CVE');

# --- resumes after its checkpoint
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 0 files/, 'a caught-up sync reads no file again');

# --- a later file: a changed value moves updated_at, an unchanged one keeps it
my $stamps_sql = q{SELECT cve, updated_at FROM pkgmeta.cve_enrichment
	WHERE cve IN ('CVE-2021-12345', 'CVE-2022-12345') ORDER BY cve};
my %before = map { split /\|/ } split /\n/, query($node, $stamps_sql);
my @file2 = ($cve->('CVE-2021-12345', 0.7, is_known_exploit => JSON::PP::true),
	'{ "cve_id": "CVE-2022-12345", "epss_score": 0.4 }',
	$cve->('CVE-2019-1001', 0.97, is_known_exploit => JSON::PP::false));
write_object($flat, 'v2/1700000100/000000000.ndjson', lines => \@file2);
write_object($deep, 'v2/cve_enrichment/1700000100/000000000.ndjson', lines => \@file2);
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files/, 'only the new file is read');
$expected = expected(\@file0, \@file1, \@file2);
is(query($node, $table_sql), $expected, 'the later file changes the values');
my %after = map { split /\|/ } split /\n/, query($node, $stamps_sql);
isnt($after{'CVE-2021-12345'}, $before{'CVE-2021-12345'}, 'a changed score moves updated_at');
is($after{'CVE-2022-12345'}, $before{'CVE-2022-12345'}, 'an unchanged record keeps updated_at');
is(query($node, q{SELECT known_exploited FROM pkgmeta.affected_packages}), 'f',
	'the view follows the changed flag');

# --- the same export in the bucket's layout, from a directory and from GCS
my $reset = q{TRUNCATE pkgmeta.cve_enrichment, pkgmeta.sync_errors;
	DELETE FROM pkgmeta.checkpoints WHERE data_type = 'cve_enrichment'};
query($node, $reset);
reconfigure($node, 'pkgmeta.cve_enrichment_source' => "file://$deep");
($ret, $notices) = sync_notices($node);
like($notices, qr/cve_enrichment v2: 3 files/, 'the v2/cve_enrichment/ layout is read from a directory');
is(query($node, $table_sql), $expected, 'same rows as from the flattened layout');

my %servers = (deep => GcsTestServer->start(root => $deep, bucket => 'cve-deep'),
	flat => GcsTestServer->start(root => $flat, bucket => 'cve-flat'));
for my $layout (sort keys %servers)
{
	query($node, $reset);
	reconfigure($node, 'pkgmeta.cve_enrichment_source' => "gs://cve-$layout",
		'pkgmeta.gcs_endpoint' => $servers{$layout}->endpoint);
	($ret, $notices) = sync_notices($node);
	like($notices, qr/cve_enrichment v2: 3 files/, "the $layout layout is read from GCS");
	is(query($node, $table_sql), $expected, "same rows from GCS ($layout)");
	is(query($node, $checkpoint_sql), 'cve_enrichment|v2|<null>|1700000100|0',
		"one checkpoint row from GCS ($layout)");
	$servers{$layout}->reset_stats;
	($ret, $notices) = sync_notices($node);
	like($notices, qr/sync complete: 0 files/, "resumed from GCS ($layout)");
	is($servers{$layout}->stats->{download} // 0, 0, "nothing downloaded again ($layout)");
}

# --- switched off, the feed waits; switched on, it resumes
reconfigure($node, 'pkgmeta.data_types' => 'advisories');
my @file3 = ($cve->('CVE-2025-0001', 0.2));
write_object($flat, 'v2/1700000200/000000000.ndjson', lines => \@file3);
write_object($deep, 'v2/cve_enrichment/1700000200/000000000.ndjson', lines => \@file3);
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 0 files/, 'switched off: nothing read');
is(query($node, q{SELECT count(*) FROM pkgmeta.cve_enrichment WHERE cve = 'CVE-2025-0001'}), '0',
	'switched off: the new file waits');
reconfigure($node, 'pkgmeta.data_types' => 'advisories,cve_enrichment');
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files/, 'switched on: only the new file is read');
is(query($node, $table_sql), expected(\@file0, \@file1, \@file2, \@file3), 'switched on: applied');

$_->stop for values %servers;
done_testing();
