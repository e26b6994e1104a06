# Starts test/servers/gcs_server.py (a GCS JSON API server over a directory) for a
# TAP test and talks to its control endpoints.
#
#   my $gcs = GcsTestServer->start(root => $dir, bucket => 'b',
#                                  config => {faults => {...}, content_encoding => {...}});
#   $gcs->endpoint;            # http://127.0.0.1:PORT
#   $gcs->set_faults({...});   $gcs->reset_stats;   $gcs->stats->{download}
#
# The server reads its stdin until EOF, so it ends with the test even when
# the test dies before stop().
package GcsTestServer;

use strict;
use warnings;
use File::Temp ();
use HTTP::Tiny;
use IPC::Run ();
use JSON::PP ();

my $json = JSON::PP->new->canonical;

sub start
{
	my ($class, %args) = @_;
	my $src = $ENV{PKGMETA_SRC} or die "PKGMETA_SRC is not set";
	my @cmd = ('/usr/bin/python3', "$src/test/servers/gcs_server.py",
		'--root' => $args{root}, '--bucket' => $args{bucket}, '--exit-on-eof');
	push @cmd, '--page-size' => $args{page_size} if $args{page_size};
	push @cmd, '--tls-cert' => $args{tls_cert}, '--tls-key' => $args{tls_key} if $args{tls_cert};
	my $cfg;
	if ($args{config})
	{
		$cfg = File::Temp->new(SUFFIX => '.json');
		print $cfg $json->encode($args{config});
		close $cfg;
		push @cmd, '--config' => $cfg->filename;
	}
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start(\@cmd, \$in, \$out, \$err);
	my $timer = IPC::Run::timer(30);
	$timer->start;
	$h->pump until $out =~ /\n/ || $timer->is_expired || !$h->pumpable;
	my ($port) = $out =~ /^(\d+)\n/
	  or die "gcs_server.py did not report its port: $err";
	return bless { h => $h, port => $port, cfg => $cfg, err => \$err, tls => $args{tls_cert},
		http => HTTP::Tiny->new(timeout => 30, verify_SSL => 0) }, $class;
}

sub port     { $_[0]{port} }
sub endpoint { ($_[0]{tls} ? 'https' : 'http') . "://127.0.0.1:$_[0]{port}" }

sub _call
{
	my ($self, $method, $path, $body) = @_;
	my $r = $self->{http}->request($method, $self->endpoint . $path,
		defined $body ? { content => $json->encode($body) } : {});
	die "gcs_server $method $path: $r->{status} $r->{content}" unless $r->{success};
	return $json->decode($r->{content});
}

sub stats       { $_[0]->_call('GET', '/_stats') }
sub reset_stats { $_[0]->_call('POST', '/_reset') }
sub set_faults  { $_[0]->_call('POST', '/_faults', $_[1]) }

sub stop
{
	my ($self) = @_;
	return unless $self->{h};
	$self->{h}->kill_kill(grace => 5);
	delete $self->{h};
}

sub DESTROY { $_[0]->stop }

1;
