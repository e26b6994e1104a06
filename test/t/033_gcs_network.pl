# The gs:// source's behaviour on the network: interrupts end a transfer
# promptly, failures name their phase (DNS, connect, TLS, HTTP status), TLS
# is verified (a private CA is trusted through pkgmeta.gcs_ca_file), a proxy
# is used when set, and the settings are superuser-only.
use strict;
use warnings;
use IO::Socket::INET;
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use GcsTestServer;
use PkgmetaTest;

my $node = new_node('gcs_network', conf => "pkgmeta.gcs_retry_delay = 10ms\n"
	  . "pkgmeta.gcs_connect_timeout = 2s\n"
	  . "pkgmeta.purl_types = 'npm'\n");
my $root = new_mirror($node, 'bucket');
write_object($root, 'v2/npm/1000/000000000.ndjson',
	lines => [ map { record("p$_") } 1 .. 50 ]);
my $stalled = 'v2/npm/1000/000000000.ndjson';
my $gcs = GcsTestServer->start(root => $root, bucket => 'b');

sub configure
{
	my ($conf) = @_;
	$node->append_conf('postgresql.conf', $conf);
	$node->reload;
}
configure("pkgmeta.licenses_source = 'gs://b'\npkgmeta.gcs_endpoint = '" . $gcs->endpoint . "'\n");

# Starts CALL pkgmeta_sync() in the background; returns the harness and the
# backend's pid once it waits with wait event type Extension ('' if never).
sub sync_in_background
{
	my ($stderr) = @_;
	my ($in, $out) = ('', '');
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres') . ' application_name=bg',
		'-c', 'CALL pkgmeta_sync()' ], \$in, \$out, $stderr);
	my $pid = '';
	for (1 .. 100)
	{
		$h->pump_nb;
		$pid = $node->safe_psql('postgres', q{SELECT pid FROM pg_stat_activity
			WHERE application_name = 'bg' AND wait_event_type = 'Extension'});
		last if $pid ne '';
		Time::HiRes::sleep(0.1);
	}
	return ($h, $pid);
}

sub seconds_to_finish
{
	my ($h) = @_;
	my $t0 = time;
	$h->finish;
	return time - $t0;
}

# a stalled body: 60 s without bytes, far beyond the test's patience
configure("pkgmeta.gcs_stall_timeout = 60s\npkgmeta.gcs_retries = 0\n");
$gcs->set_faults({ $stalled => { kind => 'stall', after => 100, seconds => 60 } });
my $err = '';
my ($h, $pid) = sync_in_background(\$err);
like($pid, qr/^\d+$/, 'while a download stalls, pg_stat_activity shows wait event type Extension');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
cmp_ok(seconds_to_finish($h), '<', 15, 'pg_cancel_backend ends a stalled download promptly');
like($err, qr/canceling statement due to user request/, 'the sync reports the cancel');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pkgmeta.sync_errors'), '0',
	'a cancel is not recorded as a failed file');

$err = '';
($h, $pid) = sync_in_background(\$err);
like($pid, qr/^\d+$/, 'the next sync stalls too');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
cmp_ok(seconds_to_finish($h), '<', 15, 'pg_terminate_backend ends a stalled download promptly');
like($err, qr/terminating connection due to administrator command/, 'the session was terminated');

# a cancel during the backoff between retries
configure("pkgmeta.gcs_retries = 5\npkgmeta.gcs_retry_delay = 30s\n");
$gcs->set_faults({ $stalled => { kind => 'status', status => 503 } });
$err = '';
($h, $pid) = sync_in_background(\$err);
like($pid, qr/^\d+$/, 'a sync waits to retry a 503');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
cmp_ok(seconds_to_finish($h), '<', 15, 'pg_cancel_backend ends the backoff wait promptly');
like($err, qr/canceling statement due to user request/, '... with a cancel');

# pkgmeta.gcs_timeout bounds a request that keeps its connection busy
configure("pkgmeta.gcs_retries = 0\npkgmeta.gcs_timeout = 1s\npkgmeta.gcs_stall_timeout = 30s\n");
$gcs->set_faults({ $stalled => { kind => 'stall', after => 100, seconds => 10 } });
my ($ret, $notices) = sync_notices($node);
like($notices, qr/download of "\Q$stalled\E" failed in the body phase after 1 attempt in [\d.]+ s: Operation timed out after \d+ milliseconds/,
	'a request that outlasts pkgmeta.gcs_timeout fails in its phase');
configure("pkgmeta.gcs_timeout = 30min\n");

# the same session machinery still works afterwards
configure("pkgmeta.gcs_retry_delay = 10ms\npkgmeta.gcs_retries = 1\npkgmeta.gcs_stall_timeout = 5s\n");
$gcs->set_faults({});
$gcs->reset_stats;
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files, 50 packages/, 'a later sync completes');
is($gcs->stats->{user_agent}, 'pkgmeta/' . query($node, q{SELECT extversion FROM pg_extension WHERE extname = 'pkgmeta'}),
	'requests carry User-Agent pkgmeta/<version>');

# failures name their phase (listings fail the whole sync)
sub sync_error
{
	my ($endpoint, $extra) = @_;
	configure("pkgmeta.gcs_endpoint = '$endpoint'\n" . ($extra // ''));
	my ($r, $n) = sync_notices($node);
	isnt($r, 0, "sync against $endpoint fails");
	return $n;
}
my $closed = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0)->sockport;
like(sync_error("http://127.0.0.1:$closed"),
	qr/ERROR:  listing of "v2\/npm\/" failed in the connect phase after 2 attempts in [\d.]+ s: .*(refused|connect)/i,
	'a closed port fails in the connect phase, after the retries');
like(sync_error('http://no-such-host.invalid'),
	qr/ERROR:  listing of "v2\/npm\/" failed in the DNS phase/, 'an unknown host fails in the DNS phase');
like(sync_error('https://127.0.0.1:' . $gcs->port),
	qr/ERROR:  listing of "v2\/npm\/" failed in the TLS phase/, 'TLS to a plain HTTP server fails in the TLS phase');
my $n = sync_error($gcs->endpoint . '/nowhere');
like($n, qr/ERROR:  listing of "v2\/npm\/" failed in the HTTP status phase after 1 attempt in [\d.]+ s: HTTP 404/,
	'a 404 listing fails in the HTTP status phase without retries');
like($n, qr/DETAIL:  This failure is not retried; bucket b at \Q@{[$gcs->endpoint]}\E\/nowhere/, 'the detail names bucket and endpoint');

# a proxy: the endpoint's host only exists behind it
$gcs->reset_stats;
configure("pkgmeta.gcs_endpoint = 'http://storage.example.invalid'\n"
	  . "pkgmeta.gcs_proxy = '" . $gcs->endpoint . "'\n");
query($node, 'TRUNCATE pkgmeta.packages, pkgmeta.checkpoints');
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files, 50 packages/, 'a sync through pkgmeta.gcs_proxy completes');
cmp_ok($gcs->stats->{proxied}, '>=', 2, 'its requests went through the proxy');
configure("pkgmeta.gcs_proxy = ''\n");

# TLS with a private CA
my $pki = PostgreSQL::Test::Utils::tempdir('pki');
sub openssl { PostgreSQL::Test::Utils::run_log([ 'openssl', @_ ]) or die "openssl @_ failed" }
openssl(qw(req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -batch),
	'-subj', '/CN=pkgmeta test CA', '-keyout', "$pki/ca.key", '-out', "$pki/ca.pem");
openssl(qw(req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -batch),
	'-subj', '/CN=127.0.0.1', '-keyout', "$pki/server.key", '-out', "$pki/server.csr");
open my $ext, '>', "$pki/san.cnf" or die $!;
print $ext "subjectAltName = IP:127.0.0.1\n";
close $ext;
openssl(qw(x509 -req -days 2 -CAcreateserial), '-in', "$pki/server.csr", '-CA', "$pki/ca.pem",
	'-CAkey', "$pki/ca.key", '-extfile', "$pki/san.cnf", '-out', "$pki/server.pem");
chmod 0644, glob("$pki/*");
my $tls = GcsTestServer->start(root => $root, bucket => 'b',
	tls_cert => "$pki/server.pem", tls_key => "$pki/server.key");

$n = sync_error($tls->endpoint);
like($n, qr/ERROR:  listing of "v2\/npm\/" failed in the TLS phase after 1 attempt.*certificate/,
	'a certificate from an unknown CA is refused');
like($n, qr/HINT:  A private CA is trusted with pkgmeta.gcs_ca_file/, '... with a hint');
configure("pkgmeta.gcs_ca_file = '$pki/ca.pem'\n");
query($node, 'TRUNCATE pkgmeta.packages, pkgmeta.checkpoints');
($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 1 files, 50 packages/, 'with pkgmeta.gcs_ca_file naming the CA it syncs');

# settings
my ($r, $o, $e) = $node->psql('postgres', q{SET pkgmeta.gcs_endpoint = 'ftp://example.com'});
like($e, qr/invalid value for parameter "pkgmeta.gcs_endpoint"/, 'endpoints must be http or https');
query($node, 'CREATE ROLE plain LOGIN');
for my $setting (qw(gcs_endpoint gcs_ca_file gcs_proxy gcs_retries))
{
	($r, $o, $e) = $node->psql('postgres', "SET pkgmeta.$setting = '1'",
		extra_params => [ '-U', 'plain' ]);
	like($e, qr/permission denied to set parameter "pkgmeta.$setting"/, "pkgmeta.$setting is superuser-only");
}

$tls->stop;
$gcs->stop;
$node->stop;
done_testing();
