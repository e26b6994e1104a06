#!/usr/bin/perl
# Prints the valgrind error reports of the given logs whose stack passes
# through pkgmeta.so, each headed by "== <log file>", then a summary line
# "valgrind: N error reports, M through pkgmeta.so".  Postgres itself is not
# built for valgrind here, so its own reports are counted but not judged.
use strict;
use warnings;

my ($all, $ours) = (0, 0);
for my $file (@ARGV)
{
	open my $fh, '<', $file or next;
	my @block;
	my $flush = sub {
		if (grep { /^==\d+==\s+at 0x/ } @block)
		{
			$all++;
			if (grep { /pkgmeta\.so/ } @block)
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
print "valgrind: $all error reports, $ours through pkgmeta.so\n";
exit($ours > 0 ? 1 : 0);
