# Fault campaign (issue 8): many syncs from the GCS test server with random
# faults injected into random objects, and random pg_terminate_backend or
# immediate shutdowns of the syncing server.  After every round the tables
# must hold exactly what the corpus files up to each checkpoint say: nothing
# lost, nothing extra, nothing twice.
#
#   PKGMETA_CAMPAIGN_ROUNDS=200 PKGMETA_CAMPAIGN_SEED=42 ./run test campaign/fault_campaign.pl
#
# test/t/090_fault_campaign.pl runs it in CI with a few rounds.
use strict;
use warnings;
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();
use GcsTestServer;
use PkgmetaTest;

my $seed = $ENV{PKGMETA_CAMPAIGN_SEED} // (time ^ $$) % 1_000_000;
my $rounds = $ENV{PKGMETA_CAMPAIGN_ROUNDS} // 40;
srand($seed);
diag("fault campaign: seed $seed, $rounds rounds (PKGMETA_CAMPAIGN_SEED=$seed to repeat)");

sub pick { return $_[ int(rand(@_)) ] }

# ---- the corpus ------------------------------------------------------------

# purl type => registry id, and the names as doc/format.md section 8 stores them
my %registry = (npm => 'npm', pypi => 'pypi', golang => 'go');
my %normalize = (
	npm => sub { $_[0] },
	pypi => sub { my $n = lc $_[0]; $n =~ s/[-_.]+/-/g; $n },
	golang => sub { lc $_[0] },
);

# One spelling of package $i of a type; pypi and golang spell it variously,
# so that re-stated packages and duplicates differ only in spelling.
sub spell
{
	my ($type, $i) = @_;
	return ($i % 3 ? "pkg-$i" : "\@scope$i/tool") if $type eq 'npm';
	my $case = sub { join '', map { rand() < 0.3 ? uc : $_ } split //, $_[0] };
	return $case->('py' . pick('-', '_', '.', '__', '-.') . "pkg" . pick('-', '_', '.') . $i)
	  if $type eq 'pypi';
	return $case->("github.com/acme$i/mod");
}

my @license_pool = ('MIT', 'Apache-2.0', 'ISC', 'BSD-3-Clause', 'unknown', 'GPL-2.0-only');

sub json_strings { return '[' . join(', ', map { qq("$_") } @_) . ']' }

# A random record of package $i: its JSON line and the row the
# package_licenses query below must return for it.
sub make_record
{
	my ($type, $i) = @_;
	my $name = spell($type, $i);
	my $lowest = rand() < 0.2 ? undef : '1.' . int(rand(10)) . '.0';
	my $highest = '2.' . int(rand(50)) . '.' . int(rand(10));
	my @default = (pick(@license_pool));
	push @default, pick(grep { $_ ne $default[0] } @license_pool) if rand() < 0.3;
	my @other;
	for (1 .. (rand() < 0.5 ? 0 : 1 + int(rand(2))))
	{
		push @other, [ [ pick(@license_pool) ], [ map { "0.$_." . int(rand(9)) } 1 .. 1 + int(rand(3)) ] ];
	}
	my $json = JSON::PP->new->canonical->encode({
		name => $name, lowest_version => $lowest, highest_version => $highest,
		default_licenses => \@default,
		other_licenses => [ map { { licenses => $_->[0], versions => $_->[1] } } @other ] });
	my $other_text = '[' . join(', ', map { '{"licenses": ' . json_strings(@{ $_->[0] })
		  . ', "versions": ' . json_strings(@{ $_->[1] }) . '}' } @other) . ']';
	my $key = $normalize{$type}->($name);
	my $row = join('|', $type, $key, $lowest // '<null>', $highest, join(',', @default), $other_text);
	return ($json, $key, $row);
}

my @bad_lines = ('this is not json {', '{"name":"no-licenses-here"}',
	'{"default_licenses":["MIT"],"highest_version":"1.0"}', '{"name":"cut off","default_l');

# Per type, the files in applying order: {name, sequence, chunk, data, records}
# where records are [normalized name, row] of the valid lines in line order.
my (%files, %encoded);
my $pool = 1500;
for my $type (sort keys %registry)
{
	for my $sequence (1000, 2000, 3000)
	{
		for my $chunk (0 .. int(rand(3)))
		{
			my $encoding = pick('plain', 'gz', 'content-encoding');
			my $name = sprintf('v2/%s/%d/%09d.ndjson', $registry{$type}, $sequence, $chunk)
			  . ($encoding eq 'gz' ? '.gz' : '');
			my (@lines, @records);
			for (1 .. 200 + int(rand(1500)))
			{
				my $i = int(rand($pool));
				# now and then the same package twice in one file (spelled anew)
				for (1 .. (rand() < 0.02 ? 2 : 1))
				{
					my ($json, $key, $row) = make_record($type, $i);
					push @lines, $json;
					push @records, [ $key, $row ];
				}
				if (rand() < 0.005)
				{
					push @lines, pick(@bad_lines);
				}
			}
			push @lines, pick(@bad_lines);
			$encoded{$name} = 'gzip' if $encoding eq 'content-encoding';
			push @{ $files{$type} }, { name => $name, sequence => $sequence, chunk => $chunk,
				lines => \@lines, records => \@records, gzip => $encoding ne 'plain' };
		}
	}
}

# ---- the cluster and the bucket ----------------------------------------------

my $node = new_node('campaign', conf => "pkgmeta.gcs_retry_delay = 10ms\n"
	  . "pkgmeta.gcs_retries = 2\n"
	  . "pkgmeta.gcs_stall_timeout = 300ms\n"
	  . "restart_after_crash = on\n");
my $root = PostgreSQL::Test::Utils::tempdir('bucket');
my $gcs = GcsTestServer->start(root => $root, bucket => 'campaign',
	config => { content_encoding => \%encoded });
reconfigure($node, 'pkgmeta.licenses_source' => 'gs://campaign',
	'pkgmeta.gcs_endpoint' => $gcs->endpoint);

# Files appear in the bucket a few at a time, as new deltas do.
my %published = map { $_ => 0 } keys %files;

sub publish
{
	my ($type) = @_;
	my $f = $files{$type}[ $published{$type}++ ];
	my $data = join('', map { "$_\n" } @{ $f->{lines} });
	if ($f->{gzip})
	{
		my $z;
		IO::Compress::Gzip::gzip(\$data => \$z) or die 'gzip failed';
		$data = $z;
	}
	write_object($root, $f->{name}, raw => $data);
	$f->{size} = length $data;
	return;
}

# ---- the checks --------------------------------------------------------------

my $mismatches = 0;

# The rows the corpus files up to each checkpoint give, sorted.
sub expected_rows
{
	my %checkpoint = map { my ($t, $s, $c) = split /\|/; ($t => [ $s, $c ]) } split /\n/,
	  query($node, q{SELECT purl_type, sequence, chunk FROM pkgmeta_checkpoints()
		WHERE data_type = 'licenses' AND version_format = 'v2'});
	my @rows;
	for my $type (sort keys %files)
	{
		my $cp = $checkpoint{$type} or next;
		my %state;
		for my $f (@{ $files{$type} })
		{
			last if $f->{sequence} > $cp->[0] || ($f->{sequence} == $cp->[0] && $f->{chunk} > $cp->[1]);
			$state{ $_->[0] } = $_->[1] for @{ $f->{records} };
		}
		push @rows, values %state;
	}
	return sort @rows;
}

sub check_state
{
	my ($what) = @_;
	my @expected = expected_rows();
	my @actual = sort split /\n/, query($node, q{SELECT purl_type || '|' || name || '|'
		|| coalesce(lowest_version, '<null>') || '|' || coalesce(highest_version, '<null>') || '|'
		|| array_to_string(default_licenses, ',') || '|' || other_licenses::text
		FROM pkgmeta.package_licenses});
	my (%want, %have);
	$want{$_}++ for @expected;
	$have{$_}++ for @actual;
	my @missing = grep { !$have{$_} } @expected;
	my @extra = grep { !$want{$_} } @actual;
	my @twice = grep { $have{$_} > 1 } keys %have;
	my $unnamed = query($node, 'SELECT count(*) FROM pkgmeta.sync_errors WHERE object IS NULL');
	my $staged = query($node, 'SELECT count(*) FROM pkgmeta.staging');
	my $ok = !@missing && !@extra && !@twice && $unnamed eq '0' && $staged eq '0';
	unless ($ok)
	{
		$mismatches++;
		diag(sprintf("%s: %d expected, %d rows; %d missing, %d extra, %d twice; %s error rows without object; %s staged",
			$what, scalar @expected, scalar @actual, scalar @missing, scalar @extra, scalar @twice,
			$unnamed, $staged));
		diag("  missing: $_") for @missing[ 0 .. ($#missing < 4 ? $#missing : 4) ];
		diag("  extra:   $_") for @extra[ 0 .. ($#extra < 4 ? $#extra : 4) ];
		diag('  checkpoints: ' . query($node, 'SELECT string_agg(purl_type || sequence || \'/\' || chunk, \' \') FROM pkgmeta_checkpoints()'));
	}
	return $ok;
}

# ---- the rounds --------------------------------------------------------------

# A random fault for object $f; permanent ones (no "times") last until cleared.
sub random_fault
{
	my ($f) = @_;
	my $after = int(rand($f->{size}));
	my $times = 1 + int(rand(4));    # 3 and 4 outlast the 3 attempts
	my @kinds = (
		sub { { kind => 'status', status => pick(500, 503, 429), times => $times } },
		sub { { kind => 'status', status => 404 } },
		sub { { kind => 'reset', after => $after, times => $times } },
		sub { { kind => 'stall', after => $after, seconds => 1, times => $times } },
		sub { { kind => 'truncate', after => $after, times => $times } },
		sub { { kind => 'corrupt', (rand() < 0.5 ? (times => 1) : ()) } },
		sub { { kind => 'grow', data => pick(@bad_lines) . "\n" } },
	);
	return pick(@kinds)->();
}

sub applied_through
{
	return { map { my ($t, $s, $c) = split /\|/; ($t => "$s/$c") } split /\n/,
		query($node, 'SELECT purl_type, sequence, chunk FROM pkgmeta_checkpoints()') };
}

my ($injected, $kills, %permanent) = (0, 0);
my $per_round = 1.5 * (map { @$_ } values %files) / $rounds;
for my $round (1 .. $rounds)
{
	for my $type (sort keys %files)
	{
		publish($type) if $published{$type} < @{ $files{$type} } && rand() < $per_round / 3;
	}
	# faults go to the published objects not applied yet
	my $through = applied_through();
	my @pending;
	for my $type (sort keys %files)
	{
		my ($s, $c) = split m{/}, $through->{$type} // '-1/-1';
		push @pending, grep { $_->{sequence} > $s || ($_->{sequence} == $s && $_->{chunk} > $c) }
		  @{ $files{$type} }[ 0 .. $published{$type} - 1 ];
	}
	my %faults = %permanent;
	for (1 .. int(rand(4)))
	{
		last unless @pending;
		my $f = pick(@pending);
		$faults{ $f->{name} } = random_fault($f);
		$injected++;
	}
	$gcs->set_faults(\%faults);

	my $kill = rand();
	if ($kill < 0.3)
	{
		my ($out, $err) = ('', '');
		my $call = IPC::Run::start(
			[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'CALL pkgmeta_sync()' ],
			'>', \$out, '2>', \$err);
		Time::HiRes::sleep(rand(0.5));
		if ($kill < 0.2)
		{
			my $killed = query($node, q{SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE pid <> pg_backend_pid() AND (query LIKE 'pkgmeta sync%' OR query LIKE 'CALL pkgmeta_sync%')});
			$kills++ if $killed;
		}
		else
		{
			$node->stop('immediate');
			$node->start;
			$kills++;
		}
		$call->finish;
	}
	else
	{
		my ($ret, $notices) = sync_notices($node);
		diag("round $round: CALL pkgmeta_sync() failed: $notices") if $ret;
	}
	check_state("round $round");

	# permanent faults go away now and then, so later rounds make progress
	%permanent = map { $faults{$_}{times} || rand() < 0.5 ? () : ($_ => $faults{$_}) } keys %faults;
}

# ---- the end: everything ------------------------------------------------------

for my $type (sort keys %files)
{
	publish($type) while $published{$type} < @{ $files{$type} };
}
$gcs->set_faults({});
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'the final sync without faults ends normally') or diag $notices;
is_deeply(applied_through(),
	{ map { ($_ => "$files{$_}[-1]{sequence}/$files{$_}[-1]{chunk}") } keys %files },
	'every checkpoint reached the last file');
ok(check_state('final'), 'the tables hold the complete corpus');
ok(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE line IS NOT NULL}) > 0,
	'bad lines were reported');

my $line = "rounds: $rounds, faults injected: $injected, kills: $kills, mismatches: $mismatches";
print "# $line\n";
diag($line);
is($mismatches, 0, 'no round left the tables different from the checkpoints');

$gcs->stop;
$node->stop;
done_testing();
