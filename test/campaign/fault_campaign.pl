# Fault campaign: many syncs of v2 licenses from the GCS test server, v3
# licenses from the distribution service's test server, and advisories, CVE
# enrichment and v3 malware advisories from directories, with random faults
# injected into random objects (network faults, slow bodies, service error
# statuses, gzip stored corrupt under matching hashes, v3 archives stored
# truncated or corrupt, an unreadable checkpoint.json), and random
# pg_terminate_backend or immediate shutdowns of the syncing server, in
# mid-file and between files.
# While a sync runs, other sessions read the tables in a loop.  After every
# round, and in every reader's snapshot, the tables must hold exactly what
# the corpus files up to the checkpoints of that moment say: nothing lost,
# nothing extra, nothing twice, never half a file.
# Watched inventories change between and during syncs; after every round
# their open findings must equal a recomputation from the components and
# advisories stored.
#
#   PKGMETA_CAMPAIGN_ROUNDS=1000 PKGMETA_CAMPAIGN_SEED=42 ./run test t/090_fault_campaign.pl
#
# test/t/090_fault_campaign.pl runs it; CI uses its quick mode (few rounds).
use strict;
use warnings;
use HTTP::Tiny;
use IPC::Run ();
use MIME::Base64 ();
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
	# the same record in v3 (doc/format.md section 11): sets with expressions,
	# which package_licenses does not show
	my $v3_json = v3_record($name, lowest => $lowest, highest => $highest,
		default => [ \@default, [ join(' OR ', @default) ] ],
		other => [ map { [ $_->[0], [], $_->[1] ] } @other ]);
	my $other_text = '[' . join(', ', map { '{"licenses": ' . json_strings(@{ $_->[0] })
		  . ', "versions": ' . json_strings(@{ $_->[1] }) . '}' } @other) . ']';
	my $key = $normalize{$type}->($name);
	my $row = join('|', $type, $key, $lowest // '<null>', $highest, join(',', @default), $other_text);
	return ($json, $key, $row, $v3_json);
}

my @bad_lines = ('this is not json {', '{"name":"no-licenses-here"}',
	'{"default_licenses":["MIT"],"highest_version":"1.0"}', '{"name":"cut off","default_l');

# Per type, the files in applying order: {name, sequence, chunk, data, records}
# where records are [normalized name, row] of the valid lines in line order.
my (%files, %encoded);
my $pool = 1500;
# A long campaign gets more, smaller deltas, so that most rounds have files
# to fault and to be killed in; a quick one three large ones per type.
# Sequences of one length, as epoch seconds are: a GCS listing starts at the
# checkpoint's folder, which needs later sequences to sort after it as strings
# (doc/format.md section 3).
my @sequences = map { 1_000_000 + 1000 * $_ } 1 .. ($rounds > 50 ? int($rounds / 10) : 3);
my ($lines_min, $lines_spread) = $rounds > 50 ? (20, 150) : (200, 1500);
for my $type (sort keys %registry)
{
	for my $sequence (@sequences)
	{
		for my $chunk (0 .. int(rand(3)))
		{
			my $encoding = pick('plain', 'gz', 'content-encoding');
			my $name = sprintf('v2/%s/%d/%09d.ndjson', $registry{$type}, $sequence, $chunk)
			  . ($encoding eq 'gz' ? '.gz' : '');
			my (@lines, @records);
			for (1 .. $lines_min + int(rand($lines_spread)))
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


# Advisories (v2, doc/format.md section 5) of npm packages: a record replaces the
# advisory with the same (id, source), its packages included.
my @adv_bad_lines = ('{"advisory": ', '{"advisory":{"id":"x","source":"glad"},"packages":null}',
	'{"packages":[]}');

sub make_advisory
{
	my ($i) = @_;
	my $id = sprintf('c0ffee00-0000-4000-8000-%012d', $i);
	my $title = "Issue $i rev " . int(rand(1000));
	my @packages = map {
		{ name => "pkg-$_", purl_type => 'npm', affected_range => '<' . int(rand(5)) . '.' . int(rand(9)) . '.0',
			fixed_versions => [ '9.' . int(rand(9)) . '.0' ], solution => 'Upgrade.' }
	} map { int(rand($pool)) } 1 .. 1 + int(rand(3));
	my $json = JSON::PP->new->canonical->encode({
		advisory => { id => $id, source => 'glad', title => $title, published_date => '2024-0' . (1 + int(rand(9))) . '-15',
			identifiers => [ { type => 'cve', name => "CVE-2024-$i", value => "CVE-2024-$i" } ],
			urls => ["https://example.test/$i"] },
		packages => \@packages });
	my @rows = map { join('|', $id, 'glad', $title, 'npm', $_->{name}, $_->{affected_range}) } @packages;
	return ($json, $id, \@rows);
}

# Files of a feed read from a directory, in applying order: {name, sequence,
# chunk, lines, records} where records are [key, rows] of the valid lines;
# $make->($i) gives record $i's (line, key, rows).
sub directory_files
{
	my ($folder, $make, @bad_lines) = @_;
	my @feed_files;
	for my $sequence (@sequences)
	{
		for my $chunk (0 .. int(rand(2)))
		{
			my $gz = rand() < 0.5;
			my (@lines, @records);
			for (1 .. $lines_min / 4 + int(rand($lines_spread / 5)))
			{
				my ($line, $key, $rows) = $make->(int(rand(400)));
				push @lines, $line;
				push @records, [ $key, $rows ];
				push @lines, pick(@bad_lines) if rand() < 0.01;
			}
			push @feed_files, { name => sprintf('%s/%d/%09d.ndjson', $folder, $sequence, $chunk) . ($gz ? '.gz' : ''),
				sequence => $sequence, chunk => $chunk, lines => \@lines, records => \@records, gzip => $gz };
		}
	}
	return \@feed_files;
}
$files{'advisories'} = directory_files('v2/npm', \&make_advisory, @adv_bad_lines);

# CVE enrichment (doc/format.md section 10): a record replaces its CVE's score
# and flag.  The mirror has the bucket's layout or the flattened one.
sub make_cve_enrichment
{
	my ($i) = @_;
	my $cve = sprintf('CVE-2024-%05d', $i);
	my $score = sprintf('%.3f', rand());
	my $exploited = rand() < 0.2;
	my $line = qq({"cve_id":"$cve","epss_score":$score)
	  . ($exploited || rand() < 0.5 ? ',"is_known_exploit":' . ($exploited ? 'true' : 'false') : '') . '}';
	return ($line, $cve, join('|', 'cve', $cve, $score + 0, $exploited ? 'true' : 'false'));
}
$files{'cve_enrichment'} = directory_files(rand() < 0.5 ? 'v2/cve_enrichment' : 'v2',
	\&make_cve_enrichment, '{"cve_id":"CVE-2024-00001"}', '{"cve_id":"CVE-24-1","epss_score":0.5}',
	'{"cve_id":"CVE-2024-00001","epss_score":0.5,"is_known_exploit":null}');

# v3 archives (doc/format.md section 11), in the offline layout: per registry
# a full dataset of one or two shards under an "until" older than every delta,
# published whole with its checkpoint.json, then deltas of one or two members,
# each applied as one unit (its checkpoint: its time and its last member).
# $make->($i) gives record $i's (line, key, rows).
my $v3_until = 999_000;

sub v3_units
{
	my ($registry_id, $make, @bad_lines) = @_;
	my @units;
	my $members = sub {
		my ($count, $name) = @_;
		return map {
			my (@lines, @records);
			for (1 .. $lines_min / 4 + int(rand($lines_spread / 5)))
			{
				my ($line, $key, $rows) = $make->(int(rand($pool)));
				push @lines, $line;
				push @records, [ $key, $rows ];
				push @lines, pick(@bad_lines) if rand() < 0.01;
			}
			[ $name->($_), \@lines, \@records ]
		} 1 .. $count;
	};
	for my $shard (0 .. int(rand(2)))
	{
		my @m = $members->(1, sub { sprintf('%02x/%09d.ndjson', $shard, $_[0] - 1) });
		push @units, { name => sprintf('v3/%s/full_dataset/%02x.tar.zst', $registry_id, $shard),
			sequence => $v3_until, chunk => $shard, members => \@m };
	}
	for my $sequence (@sequences)
	{
		my @m = $members->(1 + int(rand(2)), sub { sprintf('%08d.ndjson', $_[0]) });
		push @units, { name => "v3/$registry_id/deltas/$sequence.tar.zst", sequence => $sequence,
			chunk => scalar @m, members => \@m, delta => 1 };
	}
	$_->{records} = [ map { @{ $_->[2] } } @{ $_->{members} } ] for @units;
	return \@units;
}
for my $type (sort keys %registry)
{
	$files{"v3 $type"} = v3_units($registry{$type}, sub {
		my ($json, $key, $row, $v3_json) = make_record($type, $_[0]);
		return ($v3_json, $key, $row);
	}, @bad_lines);
}

# Malware advisories (v3, npm only): a record replaces its advisory's package;
# one publication date per advisory, so the later record wins.
sub make_malware
{
	my ($i) = @_;
	my $id = sprintf('GLAM-2025-04-%05d', $i % 400);
	my $title = "Malicious code, rev " . int(rand(1000));
	my $name = 'pkg-' . int(rand($pool));
	my $range = pick('>=0.0.0', '<' . int(rand(5)) . '.' . int(rand(9)) . '.0');
	my $line = JSON::PP->new->canonical->encode({
		malware_advisory => { id => $id, source => 'glam', title => $title,
			published_date => sprintf('2025-04-%02d', 1 + $i % 400 % 28), identifiers => [], urls => [] },
		package => { name => $name, purl_type => 'npm', affected_range => $range } });
	return ($line, $id, join('|', 'malware', $id, $title, 'npm', $name, $range));
}
$files{'malware npm'} = v3_units('npm', \&make_malware, '{"malware_advisory":{"id":"GLAM-x"}}',
	'{"malware_advisory":');

# ---- the cluster, the bucket and the directories ----------------------------

my $node = new_node('campaign', conf => "pkgmeta.gcs_retry_delay = 10ms\n"
	  . "pkgmeta.gcs_retries = 2\n"
	  . "pkgmeta.gcs_stall_timeout = 300ms\n"
	  . "restart_after_crash = on\n");
my $root = PostgreSQL::Test::Utils::tempdir('bucket');
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
my $cve_root = PostgreSQL::Test::Utils::tempdir('cve_enrichment');
# v3 licenses come from the distribution service (the licenses source is not
# file://), which serves its root in the offline layout; malware advisories
# from a directory.
my $pds_root = PostgreSQL::Test::Utils::tempdir('pds');
my $malware_root = PostgreSQL::Test::Utils::tempdir('malware');
my %directory = (advisories => $adv_root, cve_enrichment => $cve_root, 'malware npm' => $malware_root,
	map { ("v3 $_" => "$pds_root/licenses") } keys %registry);
my $gcs = GcsTestServer->start(root => $root, bucket => 'campaign',
	config => { content_encoding => \%encoded });
my $token = join '.', map { MIME::Base64::encode_base64url($_) } '{"alg":"none"}',
	'{"sub":"campaign","gitlab_realm":"self-managed"}', 'sig';
my ($pds, $pds_endpoint) = start_pds_server($pds_root, $token);
reconfigure($node, 'pkgmeta.licenses_source' => 'gs://campaign',
	'pkgmeta.gcs_endpoint' => $gcs->endpoint,
	'pkgmeta.version_formats' => 'v2, v3',
	# the corpus's types only: the service has no snapshot of the others
	'pkgmeta.purl_types' => join(', ', sort keys %registry),
	'pkgmeta.pds_endpoint' => $pds_endpoint,
	'pkgmeta.advisories_source' => "file://$adv_root",
	'pkgmeta.cve_enrichment_source' => "file://$cve_root",
	'pkgmeta.malware_advisories_source' => "file://$malware_root",
	'pkgmeta.data_types' => 'licenses, advisories, cve_enrichment, malware_advisories');
# not in postgresql.conf, which a reload would log
query($node, "ALTER DATABASE postgres SET pkgmeta.pds_token = '$token'");

# Files appear a few at a time, as new deltas do.  A gzip file may be stored
# corrupt (its listed hashes describe the corrupt bytes, so only inflating
# finds it) until a later round repairs it.
my %published = map { $_ => 0 } keys %files;
my (%fault_counts, %stored_corrupt);

my $archive_dir = PostgreSQL::Test::Utils::tempdir('archives');

sub file_bytes
{
	my ($f) = @_;
	if ($f->{members})
	{
		return $f->{bytes} if defined $f->{bytes};
		my $path = write_v3_archive($archive_dir, $f->{name}, map { [ $_->[0], $_->[1] ] } @{ $f->{members} });
		open my $fh, '<:raw', $path or die "$path: $!";
		local $/;
		$f->{bytes} = <$fh>;
		return $f->{bytes};
	}
	my $data = join('', map { "$_\n" } @{ $f->{lines} });
	if ($f->{gzip})
	{
		my $z;
		IO::Compress::Gzip::gzip(\$data => \$z) or die 'gzip failed';
		$data = $z;
	}
	return $data;
}

sub store_file
{
	my ($type, $f, $data) = @_;
	write_object($directory{$type} // $root, $f->{name}, raw => $data);
	$f->{size} = length $data;
	return;
}

# A v3 archive may be stored truncated or with zstd bytes flipped, and a full
# dataset's checkpoint.json unreadable, until a later round repairs them.
sub store_v3
{
	my ($type, $f) = @_;
	my $data = file_bytes($f);
	my $fault = rand();
	if ($fault < 0.1)
	{
		$data = substr($data, 0, 1 + int(rand(length($data) - 1)));
		$fault_counts{'v3 archive truncated'}++;
	}
	elsif ($fault < 0.2)
	{
		# past the 4-byte magic number
		my $at = 4 + int(rand(length($data) - 4));
		substr($data, $at, 1) = chr(ord(substr($data, $at, 1)) ^ (1 + int(rand(255))));
		$fault_counts{'v3 archive corrupt'}++;
	}
	$stored_corrupt{"$type $f->{name}"} = [ $type, $f ] if $fault < 0.2;
	store_file($type, $f, $data);
	return;
}

# A full dataset's checkpoint.json, once published, by feed.
my %checkpoint_json;

# Before the feed's first sync, an unreadable checkpoint.json means no full
# dataset yet; after it, deltas go on and the dataset is not read again.
sub corrupt_checkpoint_json
{
	my ($type) = @_;
	my $checkpoint = $checkpoint_json{$type};
	$stored_corrupt{"$type $checkpoint->{name}"} = [ $type, $checkpoint ];
	$fault_counts{'corrupt checkpoint.json'}++;
	store_file($type, { name => $checkpoint->{name} }, pick('{"until": ', '{"until": "soon"}', "\xff\xfe", ''));
	return;
}

sub publish
{
	my ($type) = @_;
	my $f = $files{$type}[ $published{$type}++ ];
	if ($f->{members})
	{
		store_v3($type, $f);
		return if $f->{delta};
		# the whole full dataset, then its checkpoint.json
		store_v3($type, $files{$type}[ $published{$type}++ ])
		  while $published{$type} < @{ $files{$type} } && !$files{$type}[ $published{$type} ]{delta};
		(my $dir = $f->{name}) =~ s{/[^/]+$}{};
		$checkpoint_json{$type} = { name => "$dir/checkpoint.json", lines => [qq({"until": $v3_until})] };
		rand() < 0.2 ? corrupt_checkpoint_json($type) : store_file($type, $checkpoint_json{$type},
			file_bytes($checkpoint_json{$type}));
		return;
	}
	my $data = file_bytes($f);
	if ($f->{gzip} && $f->{name} =~ /\.gz$/ && rand() < 0.15)
	{
		# one byte of the deflate data, between the 10-byte header and the trailer
		my $at = 10 + int(rand(length($data) - 18));
		substr($data, $at, 1) = chr(ord(substr($data, $at, 1)) ^ (1 + int(rand(255))));
		# by type too: an advisory file may have a license file's name
		$stored_corrupt{"$type $f->{name}"} = [ $type, $f ];
		$fault_counts{'stored corrupt gzip'}++;
	}
	store_file($type, $f, $data);
	return;
}

# ---- the checks --------------------------------------------------------------

my ($mismatches, $reader_checks, $reader_mismatches) = (0, 0, 0);

# The state of a type after applying its files 0 .. $index: key => row(s).
# Kept per index, since every round and reader asks for a few of them.
my %state_memo;

sub state_after
{
	my ($type, $index) = @_;
	my $memo = $state_memo{$type} //= [];
	my $from = $index;
	$from-- while $from >= 0 && !$memo->[$from];
	for my $i ($from + 1 .. $index)
	{
		my %state = $i > 0 ? %{ $memo->[ $i - 1 ] } : ();
		$state{ $_->[0] } = $_->[1] for @{ $files{$type}[$i]{records} };
		$memo->[$i] = \%state;
	}
	return $memo->[$index];
}

# What the corpus files up to the checkpoints say, sorted: package rows of
# the license types, one row per affected package of the advisories, one
# per CVE.
sub expected_rows
{
	my ($checkpoints) = @_;
	my (@rows, %state);
	for my $type (sort keys %files)
	{
		my $cp = $checkpoints->{$type} or next;
		my $last = -1;
		for my $f (@{ $files{$type} })
		{
			last if $f->{sequence} > $cp->[0] || ($f->{sequence} == $cp->[0] && $f->{chunk} > $cp->[1]);
			$last++;
		}
		$state{$type} = state_after($type, $last) if $last >= 0;
	}
	# a package's v3 record answers before its v2 record
	for my $type (keys %registry)
	{
		my $v3 = delete $state{"v3 $type"} or next;
		$state{$type} = { %{ $state{$type} // {} }, %$v3 };
	}
	push @rows, map { ref $_ ? @$_ : $_ } values %$_ for values %state;
	return sort @rows;
}

# The campaign's name of a feed of pkgmeta_checkpoints(): the purl type of v2
# licenses, "v3 <purl type>" and "malware <purl type>" of the v3 feeds, else
# the data type.
my $feed_label = q{CASE WHEN data_type = 'licenses' AND version_format = 'v2' THEN purl_type
	WHEN data_type = 'licenses' THEN 'v3 ' || purl_type
	WHEN data_type = 'malware_advisories' THEN 'malware ' || purl_type ELSE data_type END};

# One snapshot: the checkpoints, then the rows, in one REPEATABLE READ
# transaction, so both are of the same moment.
my $snapshot_sql = q{
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT 'checkpoint|' || } . $feed_label . q{ || '|' || sequence || '|' || chunk FROM pkgmeta_checkpoints();
SELECT purl_type || '|' || name || '|'
	|| coalesce(lowest_version, '<null>') || '|' || coalesce(highest_version, '<null>') || '|'
	|| array_to_string(default_licenses, ',') || '|' || other_licenses::text
	FROM pkgmeta.package_licenses;
SELECT advisory_id || '|' || source || '|' || title || '|' || purl_type || '|' || name || '|' || affected_range
	FROM pkgmeta.affected_packages;
SELECT 'malware|' || a.advisory_id || '|' || a.title || '|' || t.name || '|' || p.name || '|' || p.affected_range
	FROM pkgmeta.malware_advisories a JOIN pkgmeta.malware_packages p ON p.advisory = a.id
	JOIN pkgmeta.purl_types t ON t.id = p.purl_type;
SELECT 'cve|' || cve || '|' || epss_score || '|' || known_exploited FROM pkgmeta.cve_enrichment;
SELECT 'staged|' || (SELECT count(*) FROM pkgmeta.staging);
SELECT 'unnamed|' || count(*) FROM pkgmeta.sync_errors WHERE object IS NULL;
COMMIT;
};

# Compares a snapshot with the corpus; undef when the server did not answer.
sub snapshot_differences
{
	my ($ret, $out) = $node->psql('postgres', $snapshot_sql);
	return undef if $ret != 0;
	my (%checkpoints, @actual, @problems);
	for (split /\n/, $out)
	{
		if (/^checkpoint\|([^|]+)\|(\d+)\|(\d+)$/) { $checkpoints{$1} = [ $2, $3 ] }
		elsif (/^(staged|unnamed)\|(\d+)$/) { push @problems, "$2 $1 rows" if $2 }
		else { push @actual, $_ }
	}
	my @expected = expected_rows(\%checkpoints);
	my (%want, %have);
	$want{$_}++ for @expected;
	$have{$_}++ for @actual;
	# counted, since an advisory may list one package twice
	my @missing = grep { !$have{$_} } sort keys %want;
	my @extra = grep { !$want{$_} } sort keys %have;
	my @twice = grep { $want{$_} && $have{$_} > $want{$_} } sort keys %have;
	my @fewer = grep { $have{$_} && $have{$_} < $want{$_} } sort keys %want;
	push @problems, sprintf('%d expected, %d rows; %d missing, %d extra, %d more often, %d less often',
		scalar @expected, scalar @actual, scalar @missing, scalar @extra, scalar @twice, scalar @fewer)
	  if @missing || @extra || @twice || @fewer;
	push @problems, "  missing: $_" for @missing[ 0 .. ($#missing < 4 ? $#missing : 4) ];
	push @problems, "  extra:   $_" for @extra[ 0 .. ($#extra < 4 ? $#extra : 4) ];
	push @problems, '  checkpoints: ' . join(' ', map { "$_ $checkpoints{$_}[0]/$checkpoints{$_}[1]" } sort keys %checkpoints)
	  if @problems;
	return \@problems;
}

sub check_state
{
	my ($what) = @_;
	my $problems = snapshot_differences();
	die "$what: the server does not answer" unless defined $problems;
	return 1 unless @$problems;
	$mismatches++;
	diag("$what: $_") for @$problems;
	return 0;
}

# A reader in its own session while the sync runs; a server that is down
# (immediate shutdown) is no answer to check.
sub reader_check
{
	my ($what) = @_;
	my $problems = snapshot_differences();
	return unless defined $problems;
	$reader_checks++;
	return unless @$problems;
	$reader_mismatches++;
	diag("$what, reader: $_") for @$problems;
	return;
}

# ---- watched inventories ------------------------------------------------------

# A few inventories watch components of the corpus's npm packages; rounds
# change them (versions up or down, components gone or new), now and then
# while the sync runs.  After every round their open findings must equal a
# recomputation from the watched components and the advisories stored.
my @inventories = map { "inventory-$_" } 1 .. 3;
my %components = map { ($_ => {}) } @inventories;

sub sbom_of
{
	my ($inventory) = @_;
	my $c = $components{$inventory};
	return JSON::PP->new->canonical->encode({ bomFormat => 'CycloneDX', specVersion => '1.5',
		components => [ map { { 'bom-ref' => $_, purl => $c->{$_} } } sort keys %$c ] });
}

# The inventory's next SBOM: a tenth of its components change version, a
# few go and a few come.
sub change_inventory
{
	my ($inventory) = @_;
	my $c = $components{$inventory};
	my $purl = sub { "pkg:npm/pkg-$_[0]\@" . int(rand(6)) . '.' . int(rand(9)) . '.0' };
	for my $ref (sort keys %$c)
	{
		if (rand() < 0.05) { delete $c->{$ref} }
		elsif (rand() < 0.1) { $c->{$ref} = $purl->((split /-/, $ref)[1]) }
	}
	for (1 .. (%$c ? 5 : 150))
	{
		my $n = int(rand($pool));
		$c->{"c-$n"} //= $purl->($n);
	}
	return "SELECT components FROM pkgmeta_watch('$inventory', \$sbom\$" . sbom_of($inventory)
	  . "\$sbom\$::jsonb)";
}

my ($findings_checks, $findings_mismatches) = (0, 0);

# Open findings the sync or the watches left, against the truth recomputed.
sub check_findings
{
	my ($what) = @_;
	my $diff = query($node, q{
		WITH truth AS (
			-- a finding per advisory, however many of its ranges match
			SELECT DISTINCT i.name AS inventory, v.bom_ref, v.purl, v.kind, v.advisory_id, v.source
			  FROM pkgmeta.inventories i,
			       LATERAL pkgmeta_sbom_vulnerabilities(jsonb_build_object(
			           'bomFormat', 'CycloneDX', 'specVersion', '1.5',
			           'components', (SELECT COALESCE(jsonb_agg(jsonb_build_object('bom-ref', c.bom_ref,
			                                                                         'purl', c.purl)), '[]')
			                            FROM pkgmeta.watched_components c
			                           WHERE c.inventory = i.name))) v
			 WHERE v.affected),
		open AS (
			SELECT inventory, bom_ref, purl, kind, advisory_id, source
			  FROM pkgmeta.findings WHERE resolved_at IS NULL)
		SELECT string_agg(d, E'\n') FROM (
			(SELECT 'missing ' || t::text AS d FROM (TABLE truth EXCEPT ALL TABLE open) t)
			UNION ALL
			(SELECT 'extra ' || o::text FROM (TABLE open EXCEPT ALL TABLE truth) o)
			LIMIT 10) x});
	$findings_checks++;
	return 1 if $diff eq '';
	$findings_mismatches++;
	diag("$what, findings: $_") for split /\n/, $diff;
	return 0;
}
query($node, change_inventory($_)) for @inventories;

# ---- the rounds --------------------------------------------------------------

sub service_control
{
	my ($path, $body) = @_;
	my $r = HTTP::Tiny->new(timeout => 30)->post("$pds_endpoint$path",
		{ content => JSON::PP->new->encode($body) });
	die "pds_server.py $path: $r->{status}" unless $r->{success};
	return;
}

# A random network fault for object $f; permanent ones (no "times") last until cleared.
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
		# slow enough that a kill lands in mid-transfer, fast enough for the stall timeout
		sub { { kind => 'slow', piece => 1024 + int(rand(4096)), delay => 0.02 + rand(0.08) } },
	);
	return pick(@kinds)->();
}

sub applied_through
{
	return { map { my ($feed, $s, $c) = split /\|/; ($feed => "$s/$c") } split /\n/,
		query($node, qq{SELECT $feed_label || '|' || sequence || '|' || chunk FROM pkgmeta_checkpoints()}) };
}

# The sync's sessions: CALLs of the campaign, or the worker (never started here).
my $sync_sessions = q{pid <> pg_backend_pid() AND (query LIKE 'pkgmeta sync%' OR query LIKE 'CALL pkgmeta_sync%')};

my ($kills_mid_file, $kills_between, %permanent) = (0, 0);
my $per_round = 1.5 * (map { @$_ } values %files) / $rounds;
for my $round (1 .. $rounds)
{
	for my $type (sort keys %files)
	{
		publish($type) if $published{$type} < @{ $files{$type} } && rand() < $per_round / 4;
	}
	corrupt_checkpoint_json($_)
	  for grep { !$stored_corrupt{"$_ $checkpoint_json{$_}{name}"} && rand() < 0.05 } sort keys %checkpoint_json;
	# network faults go to the published license objects not applied yet
	my $through = applied_through();
	my @pending;
	for my $type (grep { $registry{$_} } sort keys %files)
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
		$fault_counts{ $faults{ $f->{name} }{kind} }++;
	}
	# rounds with a kill slow most pending bodies down, so that kills land
	# in mid-file as often as between files
	my $kill = rand();
	if ($kill < 0.3)
	{
		for my $f (grep { !$faults{ $_->{name} } && rand() < 0.7 } @pending)
		{
			$faults{ $f->{name} } = { kind => 'slow', piece => 4096, delay => 0.05, times => 1 };
		}
	}
	$gcs->set_faults(\%faults);
	# the service answers an error status for a v3 archive not applied yet,
	# or for its API, for the first few requests
	my %service_faults;
	for my $type (grep { /^v3 / && rand() < 0.3 } sort keys %files)
	{
		my ($s, $c) = split m{/}, $through->{$type} // '-1/-1';
		my @v3_pending = grep { $_->{sequence} > $s || ($_->{sequence} == $s && $_->{chunk} > $c) }
		  @{ $files{$type} }[ 0 .. $published{$type} - 1 ];
		my $path = @v3_pending && rand() < 0.8 ? '/_files/licenses/' . pick(@v3_pending)->{name}
		  : '/v1/licenses/' . pick('all', 'delta');
		$service_faults{$path} = { status => pick(500, 503, 429, 404), times => 1 + int(rand(4)) };
		$fault_counts{'v3 service status'}++;
	}
	service_control('/_faults', \%service_faults);

	# inventories change before the sync, and one may while it runs
	for my $inventory (@inventories)
	{
		if (%{ $components{$inventory} } && rand() < 0.05)
		{
			query($node, "SELECT pkgmeta_unwatch('$inventory')");
			$components{$inventory} = {};
		}
		elsif (rand() < 0.2)
		{
			query($node, change_inventory($inventory));
		}
	}
	my ($watch_out, $watch_err) = ('', '');
	my $watch = rand() < 0.3 ? IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', change_inventory(pick(@inventories)) ],
		'>', \$watch_out, '2>', \$watch_err) : undef;

	# the sync runs in its own session while readers check snapshots; in
	# some rounds it is killed after a random time
	my ($out, $err) = ('', '');
	my $call = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c', 'CALL pkgmeta_sync()' ],
		'>', \$out, '2>', \$err);
	my $kill_at = Time::HiRes::time() + rand(1.5);
	while ($call->pumpable && ($kill >= 0.3 || Time::HiRes::time() < $kill_at))
	{
		reader_check("round $round");
		$call->pump_nb;
	}
	if ($kill < 0.2)
	{
		my ($mid_file, $killed) = split /\|/, query($node,
			qq{SELECT (SELECT current_object IS NOT NULL FROM pkgmeta_sync_status()),
				count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE $sync_sessions});
		if ($killed)
		{
			$mid_file eq 't' ? $kills_mid_file++ : $kills_between++;
		}
	}
	elsif ($kill < 0.3)
	{
		my $mid_file = query($node, q{SELECT state = 'running' AND current_object IS NOT NULL
			FROM pkgmeta_sync_status()});
		$node->stop('immediate');
		$node->start;
		$mid_file eq 't' ? $kills_mid_file++ : $kills_between++;
	}
	$call->finish;
	$watch->finish if $watch;    # it fails only when the server was shut down
	check_state("round $round");
	check_findings("round $round");

	# permanent faults go away now and then, so later rounds make progress;
	# so do corrupt stored files
	%permanent = map { $faults{$_}{times} || rand() < 0.5 ? () : ($_ => $faults{$_}) } keys %faults;
	for my $key (grep { rand() < 0.3 } sort keys %stored_corrupt)
	{
		my ($type, $f) = @{ delete $stored_corrupt{$key} };
		store_file($type, $f, file_bytes($f));
	}
}

# ---- the end: everything ------------------------------------------------------

for my $type (sort keys %files)
{
	publish($type) while $published{$type} < @{ $files{$type} };
}
for my $key (sort keys %stored_corrupt)
{
	my ($type, $f) = @{ delete $stored_corrupt{$key} };
	store_file($type, $f, file_bytes($f));
}
$gcs->set_faults({});
service_control('/_faults', {});
# A v3 feed whose full dataset this sync completes reads its deltas in the
# next sync (doc/format.md section 11), so the final state takes two.
my ($ret, $notices) = sync_notices($node);
($ret, $notices) = sync_notices($node) if $ret == 0;
is($ret, 0, 'the final syncs without faults end normally') or diag $notices;
is_deeply(applied_through(),
	{ map { ($_ => "$files{$_}[-1]{sequence}/$files{$_}[-1]{chunk}") } keys %files },
	'every checkpoint reached the last file');
ok(check_state('final'), 'the tables hold the complete corpus');
ok(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE line IS NOT NULL}) > 0,
	'bad lines were reported');
ok($reader_checks > 0, 'readers checked snapshots while syncs ran');
ok(check_findings('final'), 'the open findings equal their recomputation');
ok(query($node, q{SELECT count(*) FROM pkgmeta.findings WHERE resolved_at IS NULL}) > 0
	  && query($node, q{SELECT count(*) FROM pkgmeta.findings WHERE resolved_at IS NOT NULL}) > 0,
	'findings were opened and resolved');

my $faults_total = 0;
$faults_total += $_ for values %fault_counts;
my $line = "seed $seed, rounds: $rounds, faults injected: $faults_total"
  . ' (' . join(', ', map { "$_ $fault_counts{$_}" } sort keys %fault_counts) . ')'
  . ", kills mid-file: $kills_mid_file, kills between files: $kills_between"
  . ", reader checks: $reader_checks, reader mismatches: $reader_mismatches, mismatches: $mismatches"
  . ", findings checks: $findings_checks, findings mismatches: $findings_mismatches";
print "# $line\n";
diag($line);
is($mismatches, 0, 'no round left the tables different from the checkpoints');
is($reader_mismatches, 0, 'no reader saw a state other than at a file boundary');
is($findings_mismatches, 0, 'no round left open findings other than their recomputation');

$gcs->stop;
$pds->kill_kill;
$node->stop;
done_testing();
