#!/usr/bin/perl
# valgrind-ours.pl SRC_DIR LOG...
# Prints the valgrind error reports of the logs whose stack passes through
# pkgmeta: a frame in pkgmeta.so, or (with its debug info) in one of the C
# files of SRC_DIR.  Each is headed by "== <log file>"; a summary line
# "valgrind: N error reports, M through pkgmeta" ends the output.  Postgres
# itself is not built for valgrind here, so its reports are counted only.
use strict;
use warnings;
use File::Basename qw(basename);

my $src = shift @ARGV;
my $files = join('|', map { quotemeta(basename($_)) } glob("$src/*.c"));
my $ours_re = qr/pkgmeta\.so\b|\((?:$files):\d+\)/;

my ($all, $ours) = (0, 0);
for my $file (@ARGV)
{
	open my $fh, '<', $file or next;
	my @block;
	my $flush = sub {
		if (grep { /^==\d+==\s+at 0x/ } @block)
		{
			$all++;
			if (grep { /^==\d+==\s+(?:at|by) 0x/ && /$ours_re/ } @block)
			{
				$ours++;
				print "== $file\n", @block;
			}
		}
		@block = ();
	};
	while (my $line = <$fh>)
	{
		# a report ends at a line holding only the pid prefix
		if ($line =~ /^==\d+==\s*$/) { $flush->(); next; }
		push @block, $line;
	}
	$flush->();
}
print "valgrind: $all error reports, $ours through pkgmeta\n";
exit($ours > 0 ? 1 : 0);
