# Helpers of the differential tests (test/t/050_version_differential.pl,
# test/t/055_range_differential.pl): case files and the reference
# implementations they are compared with, each run once over all its cases.
package PkgmetaDifferential;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run qw(run);

our @EXPORT = qw(read_lines reference maven_classpath);

# The lines of a file, without their newlines.
sub read_lines
{
	my ($file) = @_;
	open(my $fh, '<', $file) or die "$file: $!";
	my @lines = map { chomp; $_ } <$fh>;
	close $fh;
	return @lines;
}

# Runs the reference command once with one input line per case; returns
# (its output lines, undef) or (undef, why it failed).
sub reference
{
	my ($cmd, $cases) = @_;
	my $in = join('', map { "$_\n" } @$cases);
	my ($o, $e) = ('', '');
	run($cmd, '<', \$in, '>', \$o, '2>', \$e)
	  or return (undef, "reference @$cmd failed: $e");
	return ([ split /\n/, $o ], undef);
}

# The class path of Maven's versioning classes (Debian's maven package).
sub maven_classpath
{
	return join(':', '/usr/share/maven/lib/maven-artifact-3.x.jar',
		'/usr/share/maven/lib/commons-lang3.jar');
}

1;
