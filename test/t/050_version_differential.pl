# Differential test of the version orderings (src/version*.c) against the
# real implementations on this machine, through a standalone harness (no
# server): dpkg, packaging.version, node semver, Go's x/mod/semver, Rust's semver,
# Gem::Version, Maven's ComparableVersion, rpm, composer/semver.  Then a total-order check (antisymmetry and
# transitivity) of every ordering on a pool of generated versions.
# Cases come from test/reference/version_cases.py (fixed seed).  See doc/hardening.md, Version orderings against the real implementations.
use strict;
use warnings;

use File::Temp qw(tempdir);
use IPC::Run qw(run);
use PkgmetaDifferential;
use Test::More;

my $src = $ENV{PKGMETA_SRC} // '.';
my $top = $ENV{PKGMETA_TOP} // $src;
my $dir = tempdir('pkgmeta-versions-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $refdir = "$src/test/reference";

# --- the harness and the cases ---------------------------------------------
my $harness = "$dir/version_harness";
my ($out, $err) = ('', '');
my @sources = ("$src/test/reference/version_harness.c",
	grep({ !/_sql\.c$/ } glob("$src/src/version*.c")), "$src/src/purl_types.c");
ok( run([ 'cc', '-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror',
		'-Wno-unused-parameter', "-I$src/src", '-o', $harness, @sources ],
		'>', \$out, '2>', \$err),
	'harness compiles')
  or BAIL_OUT("cannot build the harness: $err");

# dpkg runs once or twice per pair: fewer random deb pairs keep this quick
ok(run([ '/usr/bin/python3', "$src/test/reference/version_cases.py", $dir, 3000, 'deb=1500' ],
		'>', \$out, '2>', \$err),
	'cases generated')
  or BAIL_OUT("cannot generate cases: $err");

# Our answers: "-1", "0", "1" or "invalid" for each "a<TAB>b" pair.
sub ours
{
	my ($type, $pairs) = @_;
	my $in = join('', map { "$type\t$_\n" } @$pairs);
	my ($o, $e) = ('', '');
	run([ $harness, 'compare' ], '<', \$in, '>', \$o, '2>', \$e)
	  or die "harness failed: $e";
	return map { (split /\t/)[0] } split /\n/, $o;
}

# Compares every pair with the reference; one assertion per ecosystem.
# Unless told otherwise, every outcome must occur: a run without them would
# prove little.
sub differential
{
	my ($type, $name, $cmd, $pairs, %opt) = @_;
	my @ours = ours($type, $pairs);
	my ($theirs, $failure) = reference($cmd, $pairs);
	if (!$theirs)
	{
		fail("$type: $name");
		diag($failure);
		return;
	}
	my (%count, @diff);
	for my $i (0 .. $#$pairs)
	{
		my $t = $theirs->[$i] // 'missing';
		$count{$t}++;
		push @diff, "$pairs->[$i]\tours $ours[$i]\t$name $t"
		  if $ours[$i] ne $t;
	}
	my $summary = join(', ',
		map { "$_: " . ($count{$_} // 0) } qw(-1 0 1 invalid));
	my $varied = $opt{any_outcomes} || ($count{-1} && $count{0} && $count{1});
	ok(!@diff && $varied,
		"$type: "
		  . scalar(@$pairs)
		  . " $opt{what}pairs, "
		  . scalar(@diff)
		  . " disagreements with $name ($summary)");
	diag("a b\tours\treference:\n" . join("\n", @diff[ 0 .. ($#diff < 29 ? $#diff : 29) ]))
	  if @diff;
	diag("$type: some outcome never occurs ($summary)") unless $varied;
	return;
}

my %refs = (
	npm => [ 'node semver',
		[ 'node', "$refdir/ref_npm.js", "$top/test/node/node_modules" ] ],
	pypi => [ 'packaging.version', [ '/usr/bin/python3', "$refdir/ref_pypi.py" ] ],
	gem => [ 'Gem::Version', [ 'ruby', "$refdir/ref_gem.rb" ] ],
	maven => [ 'ComparableVersion',
		[ 'java', '-cp', maven_classpath(), "$refdir/RefMaven.java" ] ],
	rpm => [ 'rpm.labelCompare', [ '/usr/bin/python3', "$refdir/ref_rpm.py" ] ],
	deb => [ 'dpkg --compare-versions', [ 'bash', "$refdir/ref_deb.sh" ] ],
	composer => [ 'composer/semver', [ 'php', "$refdir/ref_composer.php" ] ],
	golang => [ 'golang.org/x/mod/semver', ["$dir/ref_golang"] ],
	cargo => [ 'Rust semver', ["$dir/ref_cargo"] ],);

# the Rust reference is compiled against Debian's semver crate, with Debian's rustc
my $crate = (glob('/usr/share/cargo/registry/semver-1.*/src/lib.rs'))[-1] // 'missing';
ok( run([ '/usr/bin/rustc', '--edition', '2018', '-O', '--crate-type', 'rlib',
			'--crate-name', 'semver', $crate, '-o', "$dir/libsemver.rlib" ],
			'>', \$out, '2>', \$err)
	  && run([ '/usr/bin/rustc', '--edition', '2018', '-O', "$refdir/ref_cargo.rs",
			'--extern', "semver=$dir/libsemver.rlib", '-o', "$dir/ref_cargo" ],
			'>', \$out, '2>', \$err),
	"Rust reference compiles ($crate)")
  or diag($err);

# the Go reference is compiled against Debian's golang.org/x/mod
ok(run([ 'go', 'build', '-o', "$dir/ref_golang", "$refdir/ref_golang.go" ],
		'>', \$out, '2>', \$err,
		init => sub {
			$ENV{GO111MODULE} = 'off';
			$ENV{GOPATH} = '/usr/share/gocode';
			$ENV{GOCACHE} = "$dir/gocache";
		}),
	'Go reference compiles')
  or diag($err);

for my $type (sort keys %refs)
{
	my @pairs = read_lines("$dir/$type.pairs");
	differential($type, @{ $refs{$type} }, \@pairs, what => '');
}

# Garbage must be rejected (or accepted) exactly as the reference does;
# dpkg is too slow for this many pairs.
my %garbage;
for (read_lines("$dir/fuzz.pairs"))
{
	my ($type, $pair) = split /\t/, $_, 2;
	push @{ $garbage{$type} }, $pair;
}
for my $type (sort grep { $_ ne 'deb' } keys %refs)
{
	differential($type, @{ $refs{$type} }, $garbage{$type},
		what => 'garbage ', any_outcomes => 1);
}

# The differences doc/hardening.md lists: each must still be one, so
# that the README stays true.
my @known = (
	[ npm => "9007199254740992.0.0\t1.0.0", 'numbers above 2^53-1 are compared here' ],
	[ cargo => "18446744073709551616.0.0\t1.0.0", 'numbers above 2^64-1 are compared here' ],
	[ deb => "\t1.0", 'an empty version is an error here' ],
	[ maven => "1.\xd9\xa2\t1.2", 'non-ASCII digits (here U+0662) are letters here' ],);
for my $k (@known)
{
	my ($type, $pair, $why) = @$k;
	my ($o) = ours($type, [$pair]);
	my ($t) = reference($refs{$type}[1], [$pair]);
	my $ref = $t ? $t->[0] : 'failed';
	ok($o ne $ref, "$type: known difference still holds ($why): ours $o, $refs{$type}[0] $ref");
}

# --- garbage under sanitizers ------------------------------------------------
# The orderings run inside the server: no input may read out of bounds.
my $checked = "$dir/version_harness_asan";
if (run([ 'cc', '-std=gnu11', '-O1', '-g', '-fsanitize=address,undefined',
		'-fno-sanitize-recover=all', "-I$src/src", '-o', $checked, @sources ],
		'>', \$out, '2>', \$err))
{
	my @fuzz = read_lines("$dir/fuzz.pairs");
	my ($o, $e) = ('', '');
	my $clean = run([$checked, 'compare'], '<', "$dir/fuzz.pairs", '>', \$o, '2>', \$e);
	my $answers = () = $o =~ /\n/g;
	ok($clean && $answers == @fuzz && $e eq '',
		"sanitizers: " . scalar(@fuzz) . " garbage pairs, $answers answers, no memory errors");
	diag(substr($e, 0, 3000)) if $e ne '';
}
else
{
	fail('harness builds with -fsanitize=address,undefined');
	diag($err);
}

# --- total order --------------------------------------------------------------
# Sorting the pool and checking every pair against the sorted ranks finds any
# pair that breaks antisymmetry or transitivity.
my @ordered = qw(apk cargo composer conan deb gem golang maven npm nuget pypi rpm);
for my $type (@ordered)
{
	my ($o, $e) = ('', '');
	run([ $harness, 'order', $type ], '<', "$dir/$type.pool", '>', \$o, '2>', \$e);
	my ($n, $pairs, $asym, $intrans) =
	  $o =~ /^(\d+) versions, (\d+) pairs, (\d+) not antisymmetric, (\d+) not transitive$/m;
	if (!defined $n)
	{
		fail("$type: total order check ran");
		diag($o . $e);
		next;
	}
	if ($type eq 'maven')
	{
		# ComparableVersion itself is not transitive (1-rc < 1 < 1.sp-1 < 1-rc):
		# antisymmetry must hold, and every pool pair must agree with Maven,
		# so whatever cycles the check finds are Maven's own.
		ok($asym == 0 && $n > 100,
			"$type: $n versions, $pairs pairs, $asym not antisymmetric"
			  . " ($intrans pairs out of the sorted order, as in Maven itself)");
		my @pool = read_lines("$dir/$type.pool");
		my @all;
		for my $i (0 .. $#pool)
		{
			push @all, map { "$pool[$i]\t$pool[$_]" } $i + 1 .. $#pool;
		}
		differential($type, $refs{maven}[0], $refs{maven}[1], \@all,
			what => 'pool ');
	}
	else
	{
		ok($asym == 0 && $intrans == 0 && $n > 100,
			"$type: total order on $n versions ($pairs pairs): "
			  . "$asym not antisymmetric, $intrans not transitive");
	}
	diag($o) if $asym || ($intrans && $type ne 'maven');
}

done_testing();
