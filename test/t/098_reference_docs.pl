# doc/reference.md against the installed extension: every function and
# procedure of extension pkgmeta, and every pkgmeta.* setting of the loaded
# library, is documented there once; nothing documented is missing from the
# extension; each documented default and "set by" agree with pg_settings.
# The conventions the parser reads are in test/lib/DocExamples.pm and
# doc/contributing.md, "Documentation conventions".
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use DocExamples qw(reference_functions reference_settings);
use Test::More;

my $reference = "$ENV{PKGMETA_SRC}/doc/reference.md";

# No pkgmeta.* line in the configuration, so that SHOW gives each default;
# the extension lives outside pkgmeta.database, where the worker just waits.
my $node = PostgreSQL::Test::Cluster->new('reference');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pkgmeta'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE refdocs');
$node->safe_psql('refdocs', 'CREATE EXTENSION pkgmeta');

# --- functions and procedures ------------------------------------------------
my %defined = map { split /\|/, $_, 2 } split /\n/, $node->safe_psql('refdocs', q{
	SELECT p.oid, p.oid::regprocedure
	  FROM pg_proc p
	  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
	  JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass
	                     AND d.refobjid = e.oid AND d.deptype = 'e'
	 WHERE e.extname = 'pkgmeta'});
ok(%defined, 'the extension defines functions') or BAIL_OUT('no functions found');

my %documented;
for my $f (reference_functions($reference))
{
	my $signature = "$f->{name}(" . join(',', @{ $f->{types} }) . ')';
	my $quoted = $signature =~ s/'/''/gr;
	my $oid = $node->safe_psql('refdocs', "SELECT to_regprocedure('$quoted')::oid");
	if ($oid eq '' || !$defined{$oid})
	{
		fail("doc/reference.md line $f->{line} documents $signature, which extension "
			  . "pkgmeta does not define (removed, renamed, or other argument types?): "
			  . ($f->{heading} =~ s/^#+\s*//r));
		next;
	}
	if ($documented{$oid})
	{
		fail("doc/reference.md line $f->{line} documents $defined{$oid} a second time "
			  . "(first at line $documented{$oid}); document each function once");
		next;
	}
	$documented{$oid} = $f->{line};
	pass("documented: $defined{$oid}");
}
for my $oid (sort { $defined{$a} cmp $defined{$b} } keys %defined)
{
	next if $documented{$oid};
	fail("extension pkgmeta defines $defined{$oid}, which doc/reference.md does not "
		  . "document: add a level-3 heading `name(arg type, ...) returns ...` with "
		  . "an example (doc/contributing.md, Documentation conventions)");
}

# --- settings -----------------------------------------------------------------
# the words of the "set by" column, and the pg_settings.context each means
my %context_of = (
	user => 'user',
	superuser => 'superuser',
	reload => 'sighup',
	restart => 'postmaster');
my $doc = reference_settings($reference);
my %actual;
for (split /\n/, $node->safe_psql('refdocs', q{
	SELECT name, context, current_setting(name)
	  FROM pg_settings WHERE name LIKE 'pkgmeta.%'}))
{
	my ($name, $context, $value) = split /\|/, $_, 3;
	$actual{$name} = { context => $context, value => $value // '' };
}
ok(%actual, 'the library defines settings (is it preloaded?)')
  or BAIL_OUT('no pkgmeta.* settings in pg_settings');

for my $name (sort keys %$doc)
{
	my $d = $doc->{$name};
	my $a = $actual{$name};
	if (!$a)
	{
		fail("doc/reference.md line $d->{line} documents setting $name, which the "
			  . "library does not define (pg_settings has no such row)");
		next;
	}
	is($d->{default}, $a->{value},
		"$name: the documented default (doc/reference.md line $d->{line}) is what SHOW "
		  . "gives with nothing configured");
	is($context_of{ $d->{set_by} } // "(\"$d->{set_by}\" is not one of "
		  . join(', ', sort keys %context_of) . ')',
		$a->{context},
		"$name: \"set by\" $d->{set_by} matches pg_settings.context $a->{context}");
}
for my $name (sort keys %actual)
{
	next if $doc->{$name};
	fail("the library defines setting $name, which the settings table of "
		  . "doc/reference.md does not document: add a row | `$name` | default | set by | meaning |");
}

$node->stop;
done_testing();
