# v3 from the distribution service (doc/format.md section 11), against
# test/servers/pds_server.py: /supported asked once per 12 hours for every
# process and the registries it does not list skipped, /all on a first sync,
# /delta after with its 20-per-answer paging, 204, 400, 401 and 503, the
# token's headers on API requests only, and the token never shown nor logged.
use strict;
use warnings;
use IPC::Run;
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

my ($in, $out, $err) = ('', '', '');
my $h = IPC::Run::start([ '/usr/bin/python3', "$ENV{PKGMETA_SRC}/test/servers/pds_server.py",
	'--root', $root, '--token', $token, '--exit-on-eof' ], \$in, \$out, \$err);
my $timer = IPC::Run::timer(30);
$timer->start;
$h->pump until $out =~ /\n/ || $timer->is_expired;
my ($port) = $out =~ /^(\d+)\n/ or die "pds_server.py: $err";
my $endpoint = "http://127.0.0.1:$port";
my $http = HTTP::Tiny->new(timeout => 30);
my $control = sub {
	my ($method, $path, $body) = @_;
	my $r = $http->request($method, "$endpoint$path", defined $body ? { content => $json->encode($body) } : {});
	die "pds_server $path: $r->{status}" unless $r->{success};
	return $json->decode($r->{content});
};

my $node = new_node('pds');
reconfigure($node, 'pkgmeta.version_formats' => 'v3', 'pkgmeta.purl_types' => 'npm,pypi,gem',
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
my $count = sub { my ($re, $requests) = @_; scalar(grep { $_->{path} =~ $re } @{ $requests // $control->('GET', '/_stats')->{requests} }) };
is($count->(qr{^/v1/licenses/supported$}, $reqs), 1, '/supported asked once for the three feeds');
is($count->(qr{rubygem}, $reqs), 0, 'a registry /supported does not list (gem) is not asked for');
is(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE object LIKE 'pds:rubygem%'}), '0',
	'nor is it an error');
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
is($count->(qr{/supported}), 0, 'a later sync from another session reuses the /supported answer (12 h, shared memory)');
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

# /supported fails: every registry is asked for, as GitLab does; the
# failure is not kept, so the next sync asks again
$node->restart;    # the shared answer goes with the server's memory
$control->('POST', '/_reset');
$control->('POST', '/_faults', { '/v1/licenses/supported' => { status => 500 } });
($ret, $notices) = sync_notices($node);
like($notices, qr/asking for every registry/, '/supported failing: a warning');
is(scalar(() = $notices =~ /asking for every registry/g), 1, 'once per sync, not once per feed');
unlike($notices, qr/XYZZY/, 'without the token');
is($count->(qr{^/v1/licenses/all\?purl_type=rubygem$}), 1, 'and every registry asked for');
like(query($node, q{SELECT reason FROM pkgmeta.sync_errors WHERE object = 'pds:rubygem'}), qr/HTTP 503/,
	'which fail or not on their own');
$control->('POST', '/_faults', { '/v1/licenses/supported' => { status => 401 } });
($ret, $notices) = sync_notices($node);
like($notices, qr/rejected the instance token \(HTTP 401\) for \/supported; asking for every registry/,
	'/supported 401: a warning naming it');
$control->('POST', '/_faults', {});
$control->('POST', '/_reset');
($ret, $notices) = sync_notices($node);
($ret, $notices) = sync_notices($node);
is($count->(qr{/supported}), 1, 'a failed /supported is not kept; the next answer is');

# /delta says a registry is not supported: skipped, nothing recorded
$control->('POST', '/_faults',
	{ '/v1/licenses/delta' => { status => 200, body => { purl_types => {}, not_supported => ['npm'] } } });
my $errors_before = query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE object LIKE 'pds:npm%'});
write_v3_archive($lic, 'npm/deltas/1300.tar.zst', [ '00000001.ndjson', [ v3_record('after-not-supported') ] ]);
($ret, $notices) = sync_notices($node);
is($ret, 0, 'not_supported: the sync runs');
is(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE object LIKE 'pds:npm%'}), $errors_before, 'not_supported: no error row');
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'after-not-supported'}), '0',
	'not_supported: skipped');
$control->('POST', '/_faults', {});
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'after-not-supported'}), '1',
	'then applied');

# the token from pkgmeta.pds_token_file: kept out of the server log (a reload
# logs every changed setting's value) and out of pg_db_role_setting (which
# every role reads); read at each sync, so a renewed token needs no reload
my $token_file = "$root/instance-token";
my $write_token = sub {
	open my $fh, '>', $token_file or die "$token_file: $!";
	print $fh "$_[0]\n";
	close $fh;
	chmod 0600, $token_file;
};
$write_token->($token);
query($node, q{ALTER DATABASE postgres RESET pkgmeta.pds_token});
reconfigure($node, 'pkgmeta.pds_token_file' => $token_file);
write_v3_archive($lic, 'npm/deltas/1400.tar.zst', [ '00000001.ndjson', [ v3_record('with-token-file') ] ]);
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'with-token-file'}), '1',
	'the token read from pkgmeta.pds_token_file');
chmod 0644, $token_file;
($ret, $notices) = sync_notices($node);
like($notices, qr/pkgmeta.pds_token_file ".*" may be read by other users/, 'a file others may read is refused');
unlike($notices, qr/XYZZY/, 'without the token in the message');
chmod 0600, $token_file;
$write_token->('XYZZY-not-a-jwt');
($ret, $notices) = sync_notices($node);
like($notices, qr/the instance token is not a JWT/, 'a file without a JWT: a clear error');
unlike($notices, qr/XYZZY/, 'that does not quote the file');
$write_token->($token);
$control->('POST', '/_faults', { '/v1/licenses/delta' => { status => 401 } });
($ret, $notices) = sync_notices($node);
like($notices, qr/HTTP 401/, 'a token from the file the service rejects: 401');
$control->('POST', '/_faults', {});
unlike(query($node, q{SELECT string_agg(object || ' ' || reason, E'\n') FROM pkgmeta.sync_errors}), qr/XYZZY|eyJ/,
	'no error row holds the token or the file\'s content');
unlike(query($node, q{SELECT row_to_json(s)::text FROM pkgmeta_sync_status() s}), qr/XYZZY|eyJ/,
	'nor does the sync status');
is(query($node, q{SELECT count(*) FROM pg_db_role_setting WHERE array_to_string(setconfig, ' ') LIKE '%pds_token=%'}), '0',
	'and no per-database setting holds it');

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
