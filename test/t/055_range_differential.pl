# Differential test of pkgmeta_range_contains (src/range.c) against the real
# range implementations on this machine: node semver's satisfies() with
# pre-releases included (npm), packaging.specifiers (pypi),
# Gem::Requirement (gem) and Maven's VersionRange (maven).  Cases come from
# test/reference/range_cases.py (fixed seed): the same range in GitLab's dialect for
# pkgmeta and in the native syntax for the reference.  Every disagreement
# must be one of the kinds doc/ranges.md lists, each recognized here by the
# reference itself; each listed kind must still occur.
use strict;
use warnings;

use File::Temp qw(tempdir);
use IPC::Run qw(run);
use PkgmetaDifferential;
use PkgmetaTest;
use Test::More;

my $src = $ENV{PKGMETA_SRC} // '.';
my $top = $ENV{PKGMETA_TOP} // $src;
my $dir = tempdir('pkgmeta-ranges-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $dir;
my $refdir = "$src/test/reference/range";

my ($out, $err) = ('', '');
ok(run([ '/usr/bin/python3', "$src/test/reference/range_cases.py", $dir, 700 ], '>', \$out, '2>', \$err),
	'cases generated')
  or BAIL_OUT("cannot generate cases: $err");

my $node = new_node('ranges');

# pkgmeta's answers, "true", "false" or "invalid" (NULL), in file order
sub ours
{
	my ($type, $file) = @_;
	my $answers = $node->safe_psql(
		'postgres', qq{
		CREATE TEMP TABLE cases (id bigint GENERATED ALWAYS AS IDENTITY,
		                         r text, native text, v text);
		\\copy cases (r, native, v) FROM '$file'
		SELECT coalesce(pkgmeta_range_contains('$type', r, v)::text, 'invalid')
		  FROM cases ORDER BY id;
	});
	return split /\n/, $answers;
}

# How a disagreement is explained, from the reference's own output: the
# kind doc/ranges.md names, or undef.
my %explain = (
	# the reference's plain PEP 440 ordering answers as pkgmeta does; its
	# specifier rules are why packaging differs
	pypi => sub {
		my ($ours, $ref) = @_;
		my ($real, $plain, $rules) = split /\t/, $ref, 3;
		return undef if $ours ne $plain || !$rules || $rules =~ /unknown/;
		return "PEP 440 specifier rule: $rules";
	},
	maven => sub {
		my ($ours, $ref) = @_;
		return 'Maven refuses a reversed interval; the dialect reads it, empty'
		  if $ref =~ /^refused: Range defies version ordering/ && $ours eq 'false';
		return undef;
	},);

my %refs = (
	npm => [ 'node semver', [ 'node', "$refdir/ref_npm.js", "$top/test/node/node_modules" ] ],
	pypi => [ 'packaging.specifiers', [ '/usr/bin/python3', "$refdir/ref_pypi.py" ] ],
	gem => [ 'Gem::Requirement', [ 'ruby', "$refdir/ref_gem.rb" ] ],
	maven => [ 'VersionRange',
		[ 'java', '-cp', maven_classpath(), "$src/test/reference/RefMaven.java", 'range' ] ],);

# the kinds doc/ranges.md lists: each must still occur
my %documented = (
	pypi => [
		'PEP 440 specifier rule: <V excludes the pre-releases of V',
		'PEP 440 specifier rule: >V excludes the post-releases and local versions of V',
		"PEP 440 specifier rule: ==V, <=V, >=V ignore the version's local label",
	],
	maven => ['Maven refuses a reversed interval; the dialect reads it, empty'],);

for my $type (sort keys %refs)
{
	my ($name, $cmd) = @{ $refs{$type} };
	my $file = "$dir/$type.cases";
	my @cases = read_lines($file);
	my @ours = ours($type, $file);
	my ($theirs, $failure) = reference($cmd, [ map { join("\t", (split /\t/)[ 1, 2 ]) } @cases ]);
	if (!$theirs)
	{
		fail("$type: $name runs");
		diag($failure);
		next;
	}
	my (%count, %kinds, @unexplained);
	my $agree = 0;
	for my $i (0 .. $#cases)
	{
		my $ref = $theirs->[$i] // 'missing';
		my ($answer) = split /\t/, $ref;
		$count{ $ours[$i] // 'missing' }++;
		if (($ours[$i] // '') eq $answer)
		{
			$agree++;
			next;
		}
		my $kind = $explain{$type} ? $explain{$type}->($ours[$i] // '', $ref) : undef;
		if (defined $kind)
		{
			$kinds{$kind}++;
		}
		else
		{
			push @unexplained, "$cases[$i]\tours $ours[$i]\t$name $ref";
		}
	}
	my $summary = join(', ', map { "$_: " . ($count{$_} // 0) } qw(true false invalid));
	my $explained = 0;
	$explained += $_ for values %kinds;
	ok(@cases >= 3000 && $count{true} && $count{false} && !@unexplained,
		"$type: "
		  . scalar(@cases)
		  . " pairs, $agree agree with $name, $explained explained, "
		  . scalar(@unexplained)
		  . " unexplained (ours $summary)");
	diag("dialect\tnative\tversion\tours\treference:\n"
		  . join("\n", @unexplained[ 0 .. ($#unexplained < 29 ? $#unexplained : 29) ]))
	  if @unexplained;
	note("$type: $kinds{$_} x $_") for sort keys %kinds;
	for my $kind (@{ $documented{$type} // [] })
	{
		ok($kinds{$kind}, "$type: documented difference still occurs: $kind ("
			  . ($kinds{$kind} // 0) . ')');
	}
}

$node->stop;
done_testing();
