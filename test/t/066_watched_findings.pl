# Watched inventories (doc/operations.md, Watching inventories): findings
# opened and resolved by the sync in the same transaction as the advisory or
# malware file that causes them, with why; NOTIFY payloads per inventory,
# batched under 8000 bytes, from a CALL and from the background worker; the
# counts of pkgmeta_sync_status(); and a randomized sequence of syncs,
# watches, re-watches, unwatches, failed files and killed backends after
# each step of which the open findings equal a from-scratch recomputation
# with pkgmeta_sbom_vulnerabilities (PKGMETA_WATCH_SEED replays a run).
use strict;
use warnings;
use JSON::PP;
use POSIX qw(strftime);
use PkgmetaTest;
use Test::More;

my $node = new_node('watch');
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
my $mal_root = PostgreSQL::Test::Utils::tempdir('malware');
reconfigure($node, 'pkgmeta.advisories_source' => "file://$adv_root",
	'pkgmeta.malware_advisories_source' => "file://$mal_root",
	'pkgmeta.data_types' => 'advisories,malware_advisories', 'pkgmeta.purl_types' => 'npm');
$node->safe_psql('postgres', q{
	CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN;
	GRANT pkgmeta_watcher TO alice, bob;
	-- a file whose checkpoint write fails after its findings were reconciled
	CREATE TABLE fail_object (object text, how text);
	CREATE FUNCTION fail_checkpoint() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_catalog AS $$
	BEGIN
		IF EXISTS (SELECT FROM public.fail_object f WHERE f.object = NEW.object AND f.how = 'error') THEN
			RAISE EXCEPTION 'injected failure of %', NEW.object;
		ELSIF EXISTS (SELECT FROM public.fail_object f WHERE f.object = NEW.object AND f.how = 'kill') THEN
			PERFORM pg_terminate_backend(pg_backend_pid());
		ELSIF EXISTS (SELECT FROM public.fail_object f WHERE f.object = NEW.object AND f.how = 'wait') THEN
			PERFORM pg_advisory_xact_lock(4242);    -- until the test lets the file commit
		END IF;
		RETURN NEW;
	END $$;
	CREATE TRIGGER fail_checkpoint BEFORE INSERT OR UPDATE ON pkgmeta.checkpoints
		FOR EACH ROW EXECUTE FUNCTION fail_checkpoint();
});

my $json = JSON::PP->new->canonical;
# An advisory record: packages [name, range].
my $adv = sub {
	my ($id, @packages) = @_;
	return $json->encode({
		advisory => { id => $id, source => 'glad', title => "Title $id", published_date => '2024-01-02',
			identifiers => [ { type => 'cve', name => "CVE-2024-$id", value => "CVE-2024-$id" } ] },
		packages => [ map { { name => $_->[0], affected_range => $_->[1], fixed_versions => [] } }
			  @packages ] });
};
# A malware record; published orders the records of one advisory.
my $mal = sub {
	my (%a) = @_;
	return $json->encode({ malware_advisory => { id => $a{id}, source => 'glam',
			title => "Malicious code in $a{name}", published_date => $a{published},
			withdrawn => $a{withdrawn}, identifiers => [], urls => [] },
		package => { name => $a{name}, purl_type => 'npm', affected_range => $a{range} } });
};
my $sbom = sub {
	my (%components) = @_;    # bom-ref => purl
	return $json->encode({ bomFormat => 'CycloneDX', specVersion => '1.5',
		components => [ map { { 'bom-ref' => $_, purl => $components{$_} } } sort keys %components ] });
};
my $as = sub {
	my ($role, $sql) = @_;
	return $node->safe_psql('postgres', "SET ROLE $role; $sql");
};
my $watch = sub {
	my ($role, $inventory, %components) = @_;
	my $doc = $sbom->(%components);
	return $as->($role, "SELECT components || ' ' || opened || ' ' || resolved FROM pkgmeta_watch('$inventory', '$doc'::jsonb)");
};
my $findings = sub {
	return query($node, q{SELECT string_agg(concat_ws(' ', inventory, bom_ref, purl, advisory_id,
		coalesce(resolution, 'open')), E'\n' ORDER BY id) FROM pkgmeta.findings});
};

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN pkgmeta_findings');
# The payloads notified since the last call, decoded.
my $notified = sub {
	my $out = $listener->query_safe('SELECT 1');
	my @payloads = $out =~ /Asynchronous notification "pkgmeta_findings" with payload "(.*?)" received/g;
	return map { $json->decode($_) } @payloads;
};
my $events = sub {
	return join("\n", map { my $p = $_; map { join(' ', $p->{inventory}, $_->{event}, $_->{purl},
		$_->{advisory_id}, $_->{cve} // '-', $_->{resolution} // '') =~ s/ $//r } @{ $p->{findings} } } @_);
};

# --- the sync opens and resolves findings, each with its file ---
is($watch->('alice', 'web', a => 'pkg:npm/lodash@1.5.0', b => 'pkg:npm/other@2.0.0',
		c => 'pkg:npm/evil@1.0.0'), '3 0 0', 'a watch before any advisory opens nothing');
write_object($adv_root, 'v2/npm/1000/000000000.ndjson', lines => [
	$adv->('1', [ 'lodash', '<2.0.0' ]), $adv->('2', [ 'other', '<1.0.0' ]) ]);
query($node, q{INSERT INTO fail_object VALUES ('v2/npm/1000/000000000.ndjson', 'error')});
my ($ret, $err) = sync_notices($node);
is($findings->(), '', 'a file that fails after its findings were computed leaves none');
is($notified->(), 0, 'and notifies nothing');
query($node, 'DELETE FROM fail_object');
($ret, $err) = sync_notices($node);
is($ret, 0, 'the file applies once it can') or diag $err;
is($findings->(), 'web a pkg:npm/lodash@1.5.0 1 open', 'its advisory opens a finding for the affected component');
is($events->($notified->()), 'web opened pkg:npm/lodash@1.5.0 1 CVE-2024-1', 'notified with its CVE');
is(query($node, 'SELECT findings_opened || \' \' || findings_resolved FROM pkgmeta_sync_status()'), '1 0',
	'pkgmeta_sync_status() counts it');

write_object($adv_root, 'v2/npm/2000/000000000.ndjson', lines => [
	$adv->('1', [ 'lodash', '<1.0.0' ]), $adv->('3', [ 'other', '<3.0.0' ]) ]);
($ret, my $out, $err) = $node->psql('postgres', 'SET client_min_messages = debug1; CALL pkgmeta_sync()');
like($err, qr{v2/npm/2000/000000000\.ndjson applied: 2 records, .* 1 findings opened, 1 resolved},
	"the file's debug line counts its findings");
is($findings->(), "web a pkg:npm/lodash\@1.5.0 1 not affected\nweb b pkg:npm/other\@2.0.0 3 open",
	'a range that no longer covers the version resolves the finding; a new advisory opens one');
is($events->($notified->()),
	"web resolved pkg:npm/lodash\@1.5.0 1 CVE-2024-1 not affected\nweb opened pkg:npm/other\@2.0.0 3 CVE-2024-3",
	'both in one notification of the inventory');
is(query($node, 'SELECT findings_opened || \' \' || findings_resolved FROM pkgmeta_sync_status()'), '1 1',
	'the status counts this run');

# malware: opened, then withdrawn; this time the background worker syncs
write_object($mal_root, 'v3/npm/full_dataset/checkpoint.json', lines => ['{"until": 1700000000}']);
write_v3_archive($mal_root, 'v3/npm/full_dataset/00.tar.zst', [ '00/000000000.ndjson', [
	$mal->(id => 'GLAM-2024-01-00001', name => 'evil', range => '>=0.0.0', published => '2024-01-01') ] ]);
query($node, 'SELECT pkgmeta_request_sync()');
$node->poll_query_until('postgres', q{SELECT count(*) = 1 FROM pkgmeta.findings WHERE kind = 'malware'})
  or die 'the worker did not open the malware finding';
my @from_worker = $notified->();
for (1 .. 50) { last if @from_worker; sleep 0.2; @from_worker = $notified->(); }
is($events->(@from_worker), 'web opened pkg:npm/evil@1.0.0 GLAM-2024-01-00001 -',
	'the background worker notifies too');
write_v3_archive($mal_root, 'v3/npm/deltas/1700000100.tar.zst', [ 'd/000000000.ndjson', [
	$mal->(id => 'GLAM-2024-01-00001', name => 'evil', range => '>=0.0.0', published => '2024-01-02',
		withdrawn => '2024-01-02') ] ]);
($ret, $err) = sync_notices($node);
is(query($node, q{SELECT resolution FROM pkgmeta.findings WHERE kind = 'malware'}), 'withdrawn',
	'a withdrawn malware advisory resolves its findings as withdrawn');

# re-watch: an upgrade out of the range, a downgrade into another
is($watch->('alice', 'web', a => 'pkg:npm/lodash@0.5.0', b => 'pkg:npm/other@3.1.0'), '2 1 1',
	'a re-watch reconciles the inventory');
is(query($node, q{SELECT string_agg(bom_ref || ' ' || advisory_id || ' ' || coalesce(resolution, 'open'), ', ' ORDER BY id)
	FROM pkgmeta.findings WHERE first_seen_at > now() - interval '1 hour' AND advisory_id IN ('1', '3')}),
	'a 1 not affected, b 3 upgraded, a 1 open', 'the upgraded component resolved as upgraded');
is(query($node, q{SELECT string_agg(advisory_id || ' ' || cve || ' ' || known_exploited, ', ') FROM pkgmeta.open_findings}),
	'1 CVE-2024-1 false', 'pkgmeta.open_findings shows the open ones');
$notified->();
is($as->('alice', q{SELECT pkgmeta_unwatch('web')}), '1', 'unwatch resolves the open findings');
is(query($node, q{SELECT count(*) FILTER (WHERE resolved_at IS NULL) || ' ' || count(*) FILTER (WHERE resolution = 'removed')
	FROM pkgmeta.findings}), '0 1', 'as removed, history kept');
is($events->($notified->()), 'web resolved pkg:npm/lodash@0.5.0 1 CVE-2024-1 removed', 'and notifies it');

# --- many findings of one inventory: several notifications, each under 8000 bytes ---
my %many = map { ("m$_" => "pkg:npm/many-pkg-$_\@1.0.0") } 1 .. 300;
$watch->('bob', 'big', %many);
write_object($adv_root, 'v2/npm/3000/000000000.ndjson', lines => [
	$adv->('many', map { [ "many-pkg-$_", '<2.0.0' ] } 1 .. 300) ]);
$notified->();
($ret, $err) = sync_notices($node);
my @payloads = $notified->();
my @sizes = map { length($json->encode($_)) } @payloads;
cmp_ok(scalar(@payloads), '>', 1, 'the findings of one file are split into several notifications');
ok(!(grep { $_ >= 8000 } @sizes), 'each under 8000 bytes') or diag "@sizes";
is(scalar(map { @{ $_->{findings} } } @payloads), 300, 'together they list every opened finding');
ok(!(grep { $_->{inventory} ne 'big' } @payloads), 'each names its inventory');
$as->('bob', q{SELECT pkgmeta_unwatch('big')});
$notified->();
# an item that would pass 3000 bytes leaves its purl out, and says so
$watch->('bob', 'long', l => 'pkg:npm/long-pkg@1.0.0?download_url=' . ('x' x 4000));
write_object($adv_root, 'v2/npm/3500/000000000.ndjson', lines => [ $adv->('long', [ 'long-pkg', '<2.0.0' ]) ]);
($ret, $err) = sync_notices($node);
my @long = $notified->();
is(join(' ', map { join(',', sort keys %$_) } map { @{ $_->{findings} } } @long),
	'advisory_id,cve,event,id,kind,source,truncated', 'a finding with a 4000-byte purl is notified without it');
ok(@long && length($json->encode($long[0])) < 8000, 'under 8000 bytes');
$as->('bob', q{SELECT pkgmeta_unwatch('long')});
$notified->();
query($node, 'ALTER SYSTEM SET pkgmeta.notify_findings = off');
query($node, 'SELECT pg_reload_conf()');
$watch->('bob', 'big', %many);
is(scalar($notified->()), 0, 'pkgmeta.notify_findings = off notifies nothing');
query($node, 'ALTER SYSTEM RESET pkgmeta.notify_findings');
query($node, 'SELECT pg_reload_conf()');
$as->('bob', q{SELECT pkgmeta_unwatch('big')});

# --- a watch and the sync at once: neither misses the other's commit ---
my $open_of = sub {
	my ($inventory) = @_;
	return query($node, qq{SELECT string_agg(bom_ref || ' ' || advisory_id, ',' ORDER BY advisory_id)
		FROM pkgmeta.findings WHERE inventory = '$inventory' AND resolved_at IS NULL});
};
my $waiting_for_lock = sub {
	my ($what) = @_;
	$node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_locks
		WHERE locktype = 'advisory' AND NOT granted AND objid = 2})
	  or die "$what never waited for the lock";
};
# 1. a watch not yet committed when the sync reconciles the advisory
my $watcher = $node->background_psql('postgres');
my $syncer = $node->background_psql('postgres', on_error_stop => 0);
$syncer->query_safe('SET client_min_messages = warning');
$watcher->query_safe(q{BEGIN; SELECT * FROM pkgmeta_watch('race-1', ARRAY['pkg:npm/race-a@1.0.0'])});
write_object($adv_root, 'v2/npm/4000/000000000.ndjson', lines => [ $adv->('race-a', [ 'race-a', '<2.0.0' ]) ]);
$syncer->query_until(qr/started/, "\\echo started\nCALL pkgmeta_sync();\n");
$waiting_for_lock->('the sync');
$watcher->query_safe('COMMIT');
$syncer->query_safe('SELECT 1');
is($open_of->('race-1'), 'pkg:npm/race-a@1.0.0 race-a',
	'the sync waits for a watch in progress and matches its components');
# 2. a watch while the sync's file, reconciled, is not yet committed
my $holder = $node->background_psql('postgres');
$holder->query_safe('SELECT pg_advisory_lock(4242)');
write_object($adv_root, 'v2/npm/5000/000000000.ndjson', lines => [ $adv->('race-b', [ 'race-b', '<2.0.0' ]) ]);
query($node, q{INSERT INTO fail_object VALUES ('v2/npm/5000/000000000.ndjson', 'wait')});
$syncer->query_until(qr/started/, "\\echo started\nCALL pkgmeta_sync();\n");
$node->poll_query_until('postgres', q{SELECT count(*) > 0 FROM pg_locks
	WHERE locktype = 'advisory' AND NOT granted AND objid = 4242})
  or die 'the sync never reached its checkpoint';
$watcher->query_until(qr/started/, "\\echo started\nSELECT * FROM pkgmeta_watch('race-2', ARRAY['pkg:npm/race-b\@1.0.0']);\n");
$waiting_for_lock->('the watch');
$holder->query_safe('SELECT pg_advisory_unlock(4242)');
$syncer->query_safe('SELECT 1');
$watcher->query_safe('SELECT 1');
is($open_of->('race-2'), 'pkg:npm/race-b@1.0.0 race-b',
	'a watch waits for the sync in progress and sees its advisory');
query($node, 'DELETE FROM fail_object');
$as->('postgres', q{SELECT pkgmeta_unwatch('race-1'), pkgmeta_unwatch('race-2')});
$_->quit for ($watcher, $syncer, $holder);

# --- randomized: every step leaves the open findings equal to a recomputation ---
my $seed = $ENV{PKGMETA_WATCH_SEED} // time();
my $steps = $ENV{PKGMETA_WATCH_STEPS} // 40;
diag "randomized sequence: PKGMETA_WATCH_SEED=$seed PKGMETA_WATCH_STEPS=$steps";
srand($seed);
my @packages = map { "rnd-$_" } 1 .. 6;
my $version = sub { int(rand(5)) . '.' . int(rand(3)) . '.0' };
my $range = sub {
	my $r = rand();
	return '<' . $version->() if $r < 0.4;
	return '>=' . $version->() . ' <' . (1 + int(rand(5))) . '.0.0' if $r < 0.8;
	return '=' . $version->() if $r < 0.95;
	return '<1.0.0x';    # cannot be read: undecided, never a finding
};
my %owner = (inv0 => 'alice', inv1 => 'alice', inv2 => 'bob', inv3 => 'bob');
my %watched;    # inventory => { bom-ref => purl }
my $adv_sequence = 10000;
my $mal_time = 1700001000;
my $published = 20;
my %malware_withdrawn;
my $recomputed = sub {
	my @parts = map {
		my $doc = $sbom->(%{ $watched{$_} });
		qq{SELECT '$_' AS inventory, coalesce(v.bom_ref, v.purl) AS bom_ref, v.purl, v.kind, v.advisory_id, v.source
			FROM pkgmeta_sbom_vulnerabilities('$doc'::jsonb) v WHERE v.affected}
	} sort keys %watched;
	return '' unless @parts;
	return query($node, 'SELECT string_agg(DISTINCT x, E\'\n\' ORDER BY x) FROM (SELECT concat_ws(\' \', inventory, bom_ref, purl, kind, advisory_id, source) AS x FROM ('
		  . join(' UNION ALL ', @parts) . ') s) t');
};
my $open = sub {
	return query($node, q{SELECT string_agg(concat_ws(' ', inventory, bom_ref, purl, kind, advisory_id, source), E'\n'
		ORDER BY concat_ws(' ', inventory, bom_ref, purl, kind, advisory_id, source))
		FROM pkgmeta.findings WHERE resolved_at IS NULL});
};
my $fault_name = sub {
	my ($name) = @_;
	my $r = rand();
	return if $r > 0.2;
	query($node, "INSERT INTO fail_object VALUES ('$name', '" . ($r < 0.1 ? 'error' : 'kill') . "')");
};
my $sync = sub {
	sync_notices($node);
	query($node, 'DELETE FROM fail_object');
	sync_notices($node);    # what a fault stopped applies now
};
my ($matches, $ops) = (0, '');
for my $step (1 .. $steps)
{
	my $r = rand();
	my $op;
	if ($r < 0.3)
	{
		$op = 'advisories';
		$adv_sequence += 10;
		my $name = "v2/npm/$adv_sequence/000000000.ndjson";
		write_object($adv_root, $name, lines => [ map {
			$adv->('R' . int(rand(8)), map { [ $packages[ int(rand(@packages)) ], $range->() ] } 0 .. int(rand(2)))
		} 0 .. int(rand(3)) ]);
		$fault_name->($name);
		$sync->();
	}
	elsif ($r < 0.45)
	{
		$op = 'malware';
		$mal_time += 10;
		$published++;
		my $id = sprintf('GLAM-2024-02-%05d', int(rand(4)));
		my $name = "v3/npm/deltas/$mal_time.tar.zst";
		write_v3_archive($mal_root, $name, [ 'd/000000000.ndjson', [
			$mal->(id => $id, name => $packages[ int(rand(@packages)) ], range => $range->(),
				published => strftime('%Y-%m-%d', gmtime(1709251200 + 86400 * $published)),
				withdrawn => rand() < 0.3 ? '2024-12-31' : undef) ] ]);
		$fault_name->($name);
		$sync->();
	}
	elsif ($r < 0.85)
	{
		my $inventory = "inv" . int(rand(4));
		$op = exists $watched{$inventory} ? 're-watch' : 'watch';
		my %components = %{ $watched{$inventory} // {} };
		for my $p (@packages)
		{
			my $c = rand();
			if ($c < 0.3) { delete $components{"ref-$p"} }
			elsif ($c < 0.8) { $components{"ref-$p"} = "pkg:npm/$p\@" . $version->() }
		}
		$watch->($owner{$inventory}, $inventory, %components);
		$watched{$inventory} = \%components;
	}
	else
	{
		my @names = sort keys %watched;
		next unless @names;
		my $inventory = $names[ int(rand(@names)) ];
		$op = 'unwatch';
		$as->($owner{$inventory}, "SELECT pkgmeta_unwatch('$inventory')");
		delete $watched{$inventory};
	}
	$ops .= " $op";
	my $expected = $recomputed->();
	$matches += scalar(split /\n/, $expected);
	is($open->(), $expected, "step $step ($op): the open findings equal a recomputation")
	  or last;
}
note "operations:$ops; $matches matches checked in all";
cmp_ok($matches, '>', 0, 'the sequence produced findings to compare');
is(query($node, q{SELECT count(*) FROM pkgmeta.findings f WHERE resolved_at IS NULL
	AND NOT EXISTS (SELECT FROM pkgmeta.watched_components c WHERE (c.inventory, c.bom_ref) = (f.inventory, f.bom_ref))}),
	'0', 'no open finding of a component not watched');

$listener->quit;
done_testing();
