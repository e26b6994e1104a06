# Vulnerability lookups over advisories the sync stored: ranges compiled at
# ingest, a range that cannot be read stored uncompiled with a bad-range row
# in pkgmeta.sync_errors (the advisory kept, its line not a bad line), and
# pkgmeta_sbom_vex documents of CycloneDX 1.4, 1.5 and 1.6 validated by the
# CycloneDX project's own JSON schema validator (@cyclonedx/cyclonedx-library).
use strict;
use warnings;
use IPC::Run;
use JSON::PP;
use PkgmetaTest;
use Test::More;

my $node = new_node('vulnerabilities');
my $adv_root = PostgreSQL::Test::Utils::tempdir('advisories');
$node->append_conf('postgresql.conf', qq{
pkgmeta.advisories_source = 'file://$adv_root'
pkgmeta.data_types = 'advisories'
});
$node->reload;

my $json = JSON::PP->new->canonical;
my $adv = sub {
	my ($id, @packages) = @_;
	return $json->encode({
		advisory => {
			id => $id, source => 'glad', title => "Title $id", published_date => '2023-05-06',
			cvss_v3 => 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
			urls => [ "https://example.test/$id" ],
			identifiers => [ { type => 'cve', name => "CVE-2023-$id", value => "CVE-2023-$id" } ] },
		packages => \@packages,
		additional_fields => { advisory => { cvss_v4 =>
			'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' } } });
};
write_object($adv_root, 'v2/npm/1000/000000000.ndjson', lines => [
	$adv->('1', { name => 'vx-lib', affected_range => '>=1.0.0 <1.4.0', fixed_versions => [ '1.4.0', '2.0.0' ] }),
	$adv->('2', { name => 'vx-lib', affected_range => '<1.2.3x', fixed_versions => [] },
		{ name => 'vx-other', affected_range => '<2.0.0', fixed_versions => ['2.0.0'], solution => 'Upgrade.' }),
	'{"advisory": not json',
	$adv->('3', { name => 'vx-ssl', purl_type => 'deb', affected_range => '<1.1.1n-0+deb11u4',
		distro => 'debian 11', fixed_versions => ['1.1.1n-0+deb11u4'] }),
]);
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'the advisories synced');
like($notices, qr/1 bad lines?/, 'only the line that is not JSON counts as bad');
is(query($node, q{SELECT object || ' ' || line || ': ' || reason
	|| CASE WHEN reason LIKE 'bad range%' THEN ' | ' || excerpt ELSE '' END
	FROM pkgmeta.sync_errors WHERE data_type = 'advisories' ORDER BY line}),
	join("\n",
		'v2/npm/1000/000000000.ndjson 2: bad range "<1.2.3x" for npm package "vx-lib": '
		  . query($node, q{SELECT reason FROM pkgmeta.compile_range(6::smallint, '<1.2.3x')}) . ' | <1.2.3x',
		'v2/npm/1000/000000000.ndjson 3: invalid JSON value'),
	'a bad-range row names the range, the package and why, as compile_range says');
is(query($node, q{SELECT advisory_id, name, compiled_range IS NOT NULL FROM pkgmeta.advisories a
	JOIN pkgmeta.advisory_packages p ON p.advisory = a.id ORDER BY 1, 2}),
	"1|vx-lib|t\n2|vx-lib|f\n2|vx-other|t\n3|vx-ssl|t",
	'the advisory with the bad range is stored, that range uncompiled');
is(query($node, q{SELECT string_agg(advisory_id || ':' || coalesce(affected::text, 'undecided')
	|| ':' || coalesce(fix_version, '-'), ' ' ORDER BY advisory_id)
	FROM pkgmeta_vulnerabilities('pkg:npm/vx-lib@1.3.0')}),
	'1:true:1.4.0 2:undecided:-', 'the stored ranges answer; the unreadable one is undecided');

# A file of many unreadable ranges: the first 100 rows, then one summary.
write_object($adv_root, 'v2/npm/2000/000000000.ndjson', lines => [
	map { $adv->("m$_", { name => "many-$_", affected_range => '<1.0.0x', fixed_versions => [] }) } 1 .. 103 ]);
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT count(*), count(*) FILTER (WHERE reason LIKE 'bad range "<1.0.0x" for npm package "many-%')
	FROM pkgmeta.sync_errors}), '101|100', 'past 100 bad-range rows of a file, one summary row');
is(query($node, q{SELECT line || ': ' || reason FROM pkgmeta.sync_errors WHERE reason NOT LIKE 'bad range%'}),
	'101: 3 more errors in stored lines from this one on were not recorded', 'the summary counts the rest');
is(query($node, q{SELECT count(*) FROM pkgmeta.advisories WHERE advisory_id LIKE 'm%'}), '103',
	'every advisory with an unreadable range is stored');

# The compiled form is what compile_range gives (the sync and SQL agree).
is(query($node, q{SELECT count(*) FROM pkgmeta.advisory_packages
	WHERE compiled_range IS DISTINCT FROM (pkgmeta.compile_range(purl_type, affected_range)).compiled}),
	'0', 'the sync stores the compiled form compile_range computes');

# VEX documents of each spec version, validated by the CycloneDX library.
my $dir = PostgreSQL::Test::Utils::tempdir('vex');
my $top = $ENV{PKGMETA_TOP} // '.';
my $src = $ENV{PKGMETA_SRC} // '.';
sub vex_file
{
	my ($name, $sql) = @_;
	my $doc = query($node, $sql);
	my $file = "$dir/$name.json";
	open my $fh, '>', $file or die "$file: $!";
	print $fh $doc;
	close $fh;
	return ($file, $doc);
}
my $components = q{[
	{"bom-ref": "lib", "type": "library", "name": "vx-lib", "version": "1.3.0", "purl": "pkg:npm/vx-lib@1.3.0",
	 "components": [{"bom-ref": "other", "type": "library", "name": "vx-other", "purl": "pkg:npm/vx-other"}]},
	{"bom-ref": "ssl", "type": "library", "name": "vx-ssl",
	 "purl": "pkg:deb/debian/vx-ssl@1.1.1n-0+deb11u3?distro=debian-11"},
	{"type": "library", "name": "no-ref", "purl": "pkg:npm/vx-lib@1.0.0"}]};
my @files;
for my $spec ('1.4', '1.5', '1.6')
{
	my ($file, $doc) = vex_file("vex-$spec", qq{SELECT pkgmeta_sbom_vex('{"bomFormat": "CycloneDX",
		"specVersion": "$spec", "version": 1, "components": $components}')});
	my $vulns = $json->decode($doc)->{vulnerabilities};
	is(scalar(@$vulns), 3, "CycloneDX $spec: one vulnerability per advisory");
	my @methods = sort map { $_->{method} } @{ $vulns->[0]{ratings} };
	is("@methods", $spec eq '1.4' ? 'CVSSv31 other' : 'CVSSv31 CVSSv4',
		"CycloneDX $spec: the ratings' methods");
	push @files, $file;
}
# a document the validator must reject: an affects status outside the enum
my ($broken) = vex_file('broken', qq{SELECT jsonb_set(pkgmeta_sbom_vex('{"bomFormat": "CycloneDX",
	"specVersion": "1.5", "version": 1, "components": $components}'),
	'{vulnerabilities,0,affects,0,versions,0,status}', '"exploited"')});
local $ENV{NODE_PATH} = "$top/test/node/node_modules";
my ($out, $err) = ('', '');
ok(IPC::Run::run([ 'node', "$src/test/node/vex_validate.js", @files, $broken ], '>', \$out, '2>', \$err),
	'the validator ran') or diag($err);
my @verdicts = split /\n/, $out;
is($verdicts[$_], 'valid', "CycloneDX " . ('1.4', '1.5', '1.6')[$_] . ": the VEX document validates")
  for 0 .. 2;
like($verdicts[3] // '', qr/^invalid .*status/, 'the validator rejects a broken document');
done_testing();
