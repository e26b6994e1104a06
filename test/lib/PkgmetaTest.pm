# Helpers for pkgmeta's TAP tests: clusters that preload the library and
# mirror directories written record by record.
package PkgmetaTest;

use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path);
use File::Basename qw(dirname);
use IO::Compress::Gzip qw(gzip $GzipError);
use IPC::Run ();
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(new_node new_mirror write_object record sync_notices query reconfigure
  write_big_files worker_pid write_v3_archive v3_record start_pds_server log_writes);

# A started cluster with pkgmeta preloaded and created in database postgres.
# The background worker syncs only on request unless conf sets
# pkgmeta.sync_interval, so that tests of CALL pkgmeta_sync() run alone.
sub new_node
{
	my ($name, %opt) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%{ $opt{init} // {} });
	$node->append_conf('postgresql.conf',
		"shared_preload_libraries = 'pkgmeta'\npkgmeta.sync_interval = 0\n" . ($opt{conf} // ''));
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION pkgmeta')
	  unless $opt{no_extension};
	return $node;
}

# An empty mirror directory, and the node pointed at it.
sub new_mirror
{
	my ($node, $name) = @_;
	my $root = PostgreSQL::Test::Utils::tempdir($name // 'mirror');
	$node->append_conf('postgresql.conf', "pkgmeta.licenses_source = 'file://$root'\n");
	$node->reload;
	return $root;
}

# Writes an object below the mirror root: lines joined with newlines, or
# raw bytes; gzip-compressed when the name ends in .gz (unless raw).
sub write_object
{
	my ($root, $name, %opt) = @_;
	my $path = "$root/$name";
	make_path(dirname($path));
	my $data = exists $opt{raw} ? $opt{raw} : join('', map { "$_\n" } @{ $opt{lines} });
	if ($name =~ /\.gz$/ && !exists $opt{raw})
	{
		my $z;
		gzip(\$data => \$z) or die "gzip: $GzipError";
		$data = $z;
	}
	open my $fh, '>:raw', $path or die "$path: $!";
	print $fh $data;
	close $fh;
	return $path;
}

# One v2 license record as a JSON line.
sub record
{
	my ($name, %f) = @_;
	my %r = (
		name => $name,
		lowest_version => $f{lowest},
		highest_version => $f{highest},
		default_licenses => $f{default} // ['MIT']);
	$r{other_licenses} = [ map { { licenses => $_->[0], versions => $_->[1] } } @{ $f{other} } ]
	  if $f{other};
	return JSON::PP->new->canonical->encode(\%r);
}

# A v3 archive below the mirror root: a tar of members [name, lines] in that
# order, compressed by the zstd program (GNU tar --zstd), as GitLab builds them.
sub write_v3_archive
{
	my ($root, $name, @members) = @_;
	my $path = "$root/$name";
	make_path(dirname($path));
	my $staging = PostgreSQL::Test::Utils::tempdir('v3member');
	for my $m (@members)
	{
		write_object($staging, $m->[0], ref $m->[1] ? (lines => $m->[1]) : (raw => $m->[1]));
	}
	system('tar', '--zstd', '-cf', $path, '-C', $staging, map { $_->[0] } @members) == 0
	  or die "tar --zstd $path failed";
	return $path;
}

# One v3 license record as a JSON line: sets are [licenses, expressions].
sub v3_record
{
	my ($name, %f) = @_;
	my $set = sub { { licenses => $_[0][0] // [], expressions => $_[0][1] // [] } };
	my %r = (name => $name, default_licenses => $set->($f{default} // [ ['MIT'], [] ]));
	$r{lowest_version} = $f{lowest} if defined $f{lowest};
	$r{highest_version} = $f{highest} if defined $f{highest};
	$r{other_licenses} = [ map { { %{ $set->($_) }, versions => $_->[2] } } @{ $f{other} } ]
	  if $f{other};
	return JSON::PP->new->canonical->encode(\%r);
}

# test/servers/pds_server.py serving $root (the offline v3 layout below
# licenses/ and malware/) to requests with $token: (its IPC::Run handle, to
# kill_kill at the end; its endpoint).
sub start_pds_server
{
	my ($root, $token) = @_;
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start([ '/usr/bin/python3', "$ENV{PKGMETA_SRC}/test/servers/pds_server.py",
		'--root', $root, '--token', $token, '--exit-on-eof' ], \$in, \$out, \$err);
	my $timer = IPC::Run::timer(30);
	$timer->start;
	$h->pump until $out =~ /\n/ || $timer->is_expired;
	my ($port) = $out =~ /^(\d+)\n/ or die "pds_server.py: $err";
	return ($h, "http://127.0.0.1:$port");
}

# Runs CALL pkgmeta_sync(args); returns (exit code, notices and errors).
sub sync_notices
{
	my ($node, $args) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', 'CALL pkgmeta_sync(' . ($args // '') . ')');
	return ($ret, $err);
}

# A trigger of a site's own on pkgmeta.<table> that logs each written
# package's name into public.<log>, a table it creates.
sub log_writes
{
	my ($node, $table, $log) = @_;
	query($node, qq{
		CREATE TABLE public.$log (name text);
		CREATE FUNCTION public.$log() RETURNS trigger LANGUAGE plpgsql AS
			\$\$BEGIN INSERT INTO public.$log VALUES (NEW.name); RETURN NEW; END\$\$;
		CREATE TRIGGER $log AFTER INSERT OR UPDATE ON pkgmeta.$table
			FOR EACH ROW EXECUTE FUNCTION public.$log()});
}

# Result of a query as text (safe_psql: dies on error).
sub query
{
	my ($node, $sql) = @_;
	return $node->safe_psql('postgres', $sql);
}

# Appends settings to postgresql.conf and reloads: reconfigure($node, 'pkgmeta.enabled' => 'off').
sub reconfigure
{
	my ($node, %settings) = @_;
	$node->append_conf('postgresql.conf', join('', map { "$_ = '$settings{$_}'\n" } sort keys %settings));
	$node->reload;
	return;
}

# Files large enough for a sync to be caught in the middle: chunks 0 .. $files-1
# of delta $sequence (npm), $lines distinct packages each, named "$sequence-<chunk>-<n>".
sub write_big_files
{
	my ($root, $sequence, $files, $lines) = @_;
	for my $chunk (0 .. $files - 1)
	{
		write_object($root, "v2/npm/$sequence/$chunk.ndjson",
			lines => [ map { qq({"name":"big-$sequence-$chunk-$_","lowest_version":"1.0.0",)
				  . qq("highest_version":"2.$_.0","default_licenses":["MIT"],)
				  . q("other_licenses":[{"licenses":["Apache-2.0"],"versions":["0.9","0.9.1"]}]}) }
				  1 .. $lines ]);
	}
	return;
}

# The pid of the background worker once it runs ('' while there is none).
sub worker_pid
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pkgmeta sync'});
}

1;
