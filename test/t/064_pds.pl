# v3 from the distribution service (doc/format.md section 11), against
# test/servers/pds_server.py: /all on a first sync, /delta after with its
# 20-per-answer paging, 204, 400, 401 and 503, the token's headers on API
# requests only, and the token never shown nor logged.
use strict;
use warnings;
use JSON::PP;
use MIME::Base64 qw(encode_base64url);
use HTTP::Tiny;
use PkgmetaTest;
use Test::More;

my $json = JSON::PP->new->canonical;
sub jwt { my ($claims) = @_; return join '.', encode_base64url('{"alg":"none"}'), encode_base64url($json->encode($claims)), 'c2ln' }
my $token = jwt({ sub => 'instance-1', gitlab_realm => 'self-managed', secret_marker => 'tok-XYZZY' });

my $root = PostgreSQL::Test::Utils::tempdir('pds');
my $lic = "$root/licenses/v3";
write_object($lic, 'npm/full_dataset/checkpoint.json', lines => ['{"until": 1000}']);
write_v3_archive($lic, 'npm/full_dataset/00.tar.zst', [ '00/0.ndjson', [ v3_record('shard-zero', default => [ ['MIT'], ['MIT OR ISC'] ]) ] ]);
write_v3_archive($lic, 'npm/full_dataset/01.tar.zst', [ '01/0.ndjson', [ v3_record('shard-one') ] ]);
write_v3_archive($lic, "npm/deltas/$_.tar.zst", [ '00000001.ndjson', [ v3_record("delta-$_") ] ]) for 1101 .. 1126;
make_path_only("$lic/pypi");    # a registry without a published snapshot: 503
sub make_path_only { require File::Path; File::Path::make_path($_[0]) }

my ($h, $endpoint) = start_pds_server($root, $token);
my $http = HTTP::Tiny->new(timeout => 30);
my $control = sub {
	my ($method, $path, $body) = @_;
	my $r = $http->request($method, "$endpoint$path", defined $body ? { content => $json->encode($body) } : {});
	die "pds_server $path: $r->{status}" unless $r->{success};
	return $json->decode($r->{content});
};

my $node = new_node('pds');
reconfigure($node, 'pkgmeta.version_formats' => 'v3', 'pkgmeta.purl_types' => 'npm,pypi',
	'pkgmeta.pds_endpoint' => $endpoint,
	'pkgmeta.gcs_retries' => '1', 'pkgmeta.gcs_retry_delay' => '10ms');
# not in postgresql.conf: PostgreSQL logs the new value of every setting a reload changes
query($node, "ALTER DATABASE postgres SET pkgmeta.pds_token = '$token'");
my $checkpoint = sub {
	query($node, q{SELECT sequence || '/' || chunk FROM pkgmeta.checkpoints c JOIN pkgmeta.purl_types t
		ON t.id = c.purl_type WHERE version_format = 'v3' AND t.name = 'npm'});
};

# first sync: /all, shards through their signed URLs
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'first sync runs') or diag $notices;
is(query($node, q{SELECT string_agg(name, ',' ORDER BY name) FROM pkgmeta.v3_packages}), 'shard-one,shard-zero',
	'the full dataset from /all');
is($checkpoint->(), '1000/1', 'checkpoint (until, last shard)');
like(query($node, q{SELECT reason FROM pkgmeta.sync_errors WHERE object = 'pds:pypi'}), qr/HTTP 503/,
	'503 (no snapshot yet): an error row for that registry, the others go on');
my $reqs = $control->('GET', '/_stats')->{requests};
my @api = grep { $_->{path} =~ m{^/v1/} } @$reqs;
my @files = grep { $_->{path} =~ m{^/_files/} } @$reqs;
ok(@api && !grep({ ($_->{authorization} // '') ne "Bearer $token" } @api), 'API requests carry the token');
is(scalar(grep { defined $_->{authorization} } @files), 0, 'signed URLs are fetched without it');
is(scalar(@files), 2, 'one download per shard');

# later syncs: /delta, every page of at most 20
$control->('POST', '/_reset');
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name LIKE 'delta-%'}), '26',
	'all 26 deltas applied over two pages');
is($checkpoint->(), '1126/1', 'checkpoint (last delta, its last member)');
is(scalar(grep { $_->{path} =~ m{/delta\?since=npm%3A|/delta\?since=npm:} } @{ $control->('GET', '/_stats')->{requests} }), 2,
	'two /delta pages asked');
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 0 files/, '204: nothing new, nothing read');

# 400: the registry is skipped, nothing recorded as applied
$control->('POST', '/_faults', { '/v1/licenses/delta' => { status => 400 } });
write_v3_archive($lic, 'npm/deltas/1200.tar.zst', [ '00000001.ndjson', [ v3_record('after-400') ] ]);
($ret, $notices) = sync_notices($node);
is($checkpoint->(), '1126/1', '400: checkpoint unchanged');
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'after-400'}), '0', '400: skipped');

# 401: the token is rejected: an error row without the token, checkpoint unchanged
$control->('POST', '/_faults', { '/v1/licenses/delta' => { status => 401 } });
($ret, $notices) = sync_notices($node);
like($notices, qr/rejected the instance token \(HTTP 401\)/, '401: a clear error');
unlike($notices, qr/XYZZY|\Q$token\E/, 'the token is not in the message');
like(query($node, q{SELECT reason FROM pkgmeta.sync_errors WHERE object = 'pds:npm' ORDER BY id DESC LIMIT 1}),
	qr/HTTP 401/, '401: an error row');
is($checkpoint->(), '1126/1', '401: checkpoint unchanged');

# the faults gone: the new delta applies
$control->('POST', '/_faults', {});
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'after-400'}), '1', 'then the delta applies');

# the token: superusers only, never in SHOW ALL, never logged
query($node, q{CREATE ROLE plain LOGIN});
my ($r2, $o2, $e2) = $node->psql('postgres', 'SHOW pkgmeta.pds_token', extra_params => [ '-U', 'plain' ]);
isnt($r2, 0, 'a plain role cannot SHOW the token');
unlike($o2 . $e2, qr/XYZZY/, 'nor see it in the error');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_settings WHERE name = 'pkgmeta.pds_token'},
	extra_params => [ '-U', 'plain' ]), '0', 'nor in pg_settings');
# (the test's own statements are logged as it runs them: log_statement = all)
my $log = join '', grep { !/LOG:  statement: ALTER DATABASE/ }
  split /^/, PostgreSQL::Test::Utils::slurp_file($node->logfile);
unlike($log, qr/XYZZY|\Q$token\E/, 'the token is never in the server log');

$h->kill_kill;
done_testing();
