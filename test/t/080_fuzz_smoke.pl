# CI smoke of the libFuzzer targets (fuzz/): builds them, replays the
# committed seed corpora and crash inputs, then fuzzes each for a few
# seconds.  Only skipped when clang cannot build a libFuzzer binary here.
use strict;
use warnings;
use File::Temp qw(tempdir);
use PostgreSQL::Test::Utils;
use Test::More;

my $fuzz = "$ENV{PKGMETA_SRC}/fuzz";
my $seconds = $ENV{PKGMETA_FUZZ_SMOKE_SECONDS} // 5;

# Can clang link a libFuzzer binary at all (clang and libclang-rt-14-dev)?
my $probe_dir = tempdir(CLEANUP => 1);
my $probe = "$probe_dir/probe.c";
open my $fh, '>', $probe or die "$probe: $!";
print $fh "#include <stddef.h>\n#include <stdint.h>\n"
  . "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n";
close $fh;
my ($probe_out, $probe_err) = ('', '');
my $can_fuzz = IPC::Run::run([ 'clang', '-fsanitize=fuzzer,address,undefined', $probe,
		'-o', "$probe_dir/probe" ], '>', \$probe_out, '2>', \$probe_err);
plan skip_all => 'clang with libFuzzer is not available (install clang and libclang-rt-14-dev: '
  . '.ci/install-deps does)'
  unless $can_fuzz;

# the installation's own pg_config: the staged copy has no server headers
my $pg_config = $ENV{PKGMETA_PG_CONFIG} // 'pg_config';
my ($out, $err) = ('', '');
IPC::Run::run([ 'make', '-s', '-C', $fuzz, "PG_CONFIG=$pg_config", 'targets' ], '>', \$out)
  or die "make targets failed";
my @targets = split ' ', $out;
ok(scalar(@targets) >= 4, 'fuzz targets found: ' . join(' ', @targets));

my $built = IPC::Run::run([ 'make', '-B', '-C', $fuzz, "PG_CONFIG=$pg_config", 'all' ],
	'>', \$out, '2>', \$err);
ok($built, 'every fuzz target builds with -fsanitize=fuzzer,address,undefined')
  or diag($err);

for my $t (@targets)
{
	my @inputs = (glob("$fuzz/corpus/$t/*"), glob("$fuzz/regress/$t/*"));
	ok(@inputs > 0, "$t: has committed inputs");
	($out, $err) = ('', '');
	my $replayed = IPC::Run::run([ "$fuzz/$t", @inputs ], '>', \$out, '2>', \$err);
	my $ran = () = $err =~ /^Running: /mg;
	ok($replayed && $ran == @inputs, "$t: replays its " . scalar(@inputs) . ' corpus and crash inputs cleanly')
	  or diag(substr($err, -3000));

	my $work = tempdir(CLEANUP => 1);
	($out, $err) = ('', '');
	my $fuzzed = IPC::Run::run([ "$fuzz/$t", "-max_total_time=$seconds", "-artifact_prefix=$work/",
			$work, "$fuzz/corpus/$t" ], '>', \$out, '2>', \$err);
	my ($runs) = $err =~ /Done (\d+) runs/;
	ok($fuzzed && defined $runs && $runs > 0,
		"$t: fuzzes for $seconds s without a finding (" . ($runs // 0) . ' runs)')
	  or diag(substr($err, -3000));
}

done_testing();
