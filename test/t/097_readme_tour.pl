# README.md's five-minute tour runs as shown: each ```sql block of the tour,
# run by psql against a cluster synced from the bundled sample mirror, prints
# exactly the output block the README shows after it (convention in
# test/lib/DocExamples.pm and doc/contributing.md).  ./run shows the same tour.
use strict;
use warnings;
use IPC::Run qw(run);
use PostgreSQL::Test::Cluster;
use PkgmetaTest;
use DocExamples qw(tour_examples);
use Test::More;

my $readme = "$ENV{PKGMETA_SRC}/README.md";
my $sample = "$ENV{PKGMETA_SRC}/test/sample-mirror";
my $node = new_node('tour', conf => "pkgmeta.licenses_source = 'file://$sample'\n");

# trailing blanks (psql pads its header lines) and blank edges do not count
sub tidy
{
	my ($text) = @_;
	$text =~ s/[ \t]+$//mg;
	$text =~ s/^\n+|\n+$//g;
	return $text;
}

my @examples = tour_examples($readme);
for my $e (@examples)
{
	my $out = '';
	# one session per block, as a reader pasting it into psql
	run([ 'psql', '-X', '-q', '-P', 'footer=off', '-v', 'ON_ERROR_STOP=1',
			'-d', $node->connstr('postgres') ],
		'<', \$e->{sql}, '>&', \$out);
	my ($first) = $e->{sql} =~ /^(.*)$/m;
	is(tidy($out), tidy($e->{expected}), "README.md line $e->{line}: $first");
}
cmp_ok(scalar(@examples), '>=', 5, 'the tour has its examples');

$node->stop;
done_testing();
