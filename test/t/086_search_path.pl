# The sync's own SQL must not resolve to objects a less privileged role
# created: where a plain user may create in a schema on the sync's
# search_path (public before PostgreSQL 15, or granted), an exact-type
# operator would win over pg_catalog's polymorphic one and run as the role
# that syncs.
use strict;
use warnings;
use PkgmetaTest;
use Test::More;

my $node = new_node('search_path');
my $root = new_mirror($node);
$node->safe_psql('postgres', q{
	CREATE ROLE plain LOGIN;
	GRANT CREATE ON SCHEMA public TO plain;
	CREATE TABLE public.hijacked (who text);
	GRANT INSERT ON public.hijacked TO plain;
});
$node->safe_psql('postgres', q{
	SET ROLE plain;
	CREATE FUNCTION public.int_arrays_eq(a integer[], b integer[]) RETURNS boolean
	LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.hijacked VALUES (current_user);
		RETURN a::text = b::text;
	END
	$$;
	CREATE OPERATOR public.= (LEFTARG = integer[], RIGHTARG = integer[],
		FUNCTION = public.int_arrays_eq);
});

# a record replaced by a later delta makes the merge compare the old row
write_object($root, 'v2/npm/1000/0.ndjson', lines => [ record('pkg', default => ['MIT']) ]);
write_object($root, 'v2/npm/2000/0.ndjson', lines => [ record('pkg', default => ['ISC']) ]);
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'the sync runs with public on its search_path');
is(query($node, q{SELECT default_licenses FROM pkgmeta.package_licenses WHERE name = 'pkg'}), '{ISC}',
	'the later record applied');
is(query($node, q{SELECT count(*) FROM public.hijacked}), '0',
	"no operator of another role's schema ran inside the sync");

# the caller's search_path is back after the run, whether it ends well or not
write_object($root, 'v2/npm/3000/0.ndjson', lines => [ record('pkg', default => ['MIT']) ]);
my ($rc, $out, $err) = $node->psql('postgres', q{
	SET search_path = public, pkgmeta;
	CALL pkgmeta_sync();
	SHOW search_path;
	SET pkgmeta.licenses_source = 'file:///nonexistent';
	CALL pkgmeta_sync();
	SHOW search_path;
}, on_error_stop => 0);
is($out, "public, pkgmeta\npublic, pkgmeta", 'the session keeps its search_path after a run and after a failed run');
like($err, qr/does not exist/, 'the second run failed');

done_testing();
