# v3 licenses read offline (doc/format.md section 11): zstd tar archives of
# a full dataset and deltas, the checkpoint semantics of a first and a later
# sync, precedence over v2, and bad archives that stop only their registry.
use strict;
use warnings;
use IPC::Run;
use JSON::PP;
use PkgmetaTest;
use Test::More;

my $node = new_node('v3');
my $root = new_mirror($node);
reconfigure($node, 'pkgmeta.version_formats' => 'v2,v3', 'pkgmeta.purl_types' => 'npm,pypi,gem');

my $full = 'v3/npm/full_dataset';
write_object($root, "$full/checkpoint.json", lines => ['{"until": 1000}']);
write_v3_archive($root, "$full/00.tar.zst",
	[ '00/000000000.ndjson', [
		v3_record('both', lowest => '1.0.0', highest => '2.0.0',
			default => [ ['MIT'], ['Apache-2.0 OR MIT'] ],
			other => [ [ ['GPL-2.0'], [], ['1.0.0'] ] ]),
		'{not json',
		v3_record('expr-only', lowest => '1.0.0', highest => '1.0.0', default => [ [], ['MIT AND BSD-3-Clause', 'ISC'] ]),
		'{"name":"dropped-values","default_licenses":{"licenses":["MIT", 7, "", null, "' . ('x' x 51) . '"]}}',
		'{"name":"empty-default","default_licenses":{"licenses":[]}}',
	] ],
	[ 'checkpoint.json', ['{"until": 1000}'] ]);
write_v3_archive($root, "$full/1a.tar.zst",
	[ '1a/000000000.ndjson', [ v3_record('later-shard', default => [ ['ISC'], [] ]) ] ]);
# deltas: one older than the dataset, one newer, one not a number
write_v3_archive($root, 'v3/npm/deltas/900.tar.zst',
	[ '00000001.ndjson', [ v3_record('from-old-delta') ] ]);
write_v3_archive($root, 'v3/npm/deltas/0000001100.tar.zst',
	[ '00000001.ndjson', [ v3_record('both', lowest => '1.0.0', highest => '3.0.0', default => [ ['BSD-2-Clause'], [] ]) ] ],
	[ '00000002.ndjson', [ v3_record('from-delta', default => [ ['0BSD'], [] ]) ] ]);
write_v3_archive($root, 'v3/npm/deltas/latest.tar.zst',
	[ '00000001.ndjson', [ v3_record('from-bad-name') ] ]);
# v2 of the same registry: v3 answers where it has the package
write_object($root, 'v2/npm/1000/000000000.ndjson',
	lines => [ record('both', lowest => '1.0.0', highest => '2.0.0', default => ['GPL-3.0']),
		record('v2-only', lowest => '1.0.0', highest => '2.0.0', default => ['Zlib']) ]);
# gem has no v3/ folder: with v3 asked for alone it falls back to v2
write_object($root, 'v2/gem/1000/000000000.ndjson',
	lines => [ record('rails', lowest => '1.0', highest => '2.0', default => ['MIT']) ]);

my ($ret, $err) = sync_notices($node);
is($ret, 0, 'first sync runs') or diag $err;
is(query($node, q{SELECT string_agg(name, ',' ORDER BY name) FROM pkgmeta.v3_packages}),
	'both,dropped-values,expr-only,later-shard', 'a first sync reads the full dataset only, deltas not yet');
is(query($node, q{SELECT sequence || '/' || chunk || '/' || coalesce(full_sync_target_sequence::text, 'none')
	FROM pkgmeta.checkpoints WHERE version_format = 'v3'}),
	'1000/26/none', 'checkpoint (until, last shard id 0x1a), marker cleared at the end');
is(query($node, q{SELECT data_type || ' ' || version_format || ' ' || purl_type || ' ' || sequence
	FROM pkgmeta_checkpoints() WHERE version_format = 'v3'}),
	'licenses v3 npm 1000', 'pkgmeta_checkpoints shows the v3 feed');
is(query($node, q{SELECT pkgmeta_licenses('npm', 'both', '1.5.0')}), '{MIT}',
	'v3 answers before v2');
is(query($node, q{SELECT pkgmeta_licenses('npm', 'both', '1.0.0')}), '{GPL-2.0}',
	'v3 other_licenses answer their versions');
is(query($node, q{SELECT pkgmeta_licenses('npm', 'v2-only', '1.5.0')}), '{Zlib}',
	'v2 answers where v3 has no record');
is(query($node, q{SELECT default_expression FROM pkgmeta.v3_packages WHERE name = 'both'}),
	'Apache-2.0 OR MIT', 'the expression is kept');
is(query($node, q{SELECT default_expression FROM pkgmeta.v3_packages WHERE name = 'expr-only'}),
	'(MIT AND BSD-3-Clause) AND (ISC)', 'several expressions are kept combined');
is(query($node, q{SELECT default_licenses FROM pkgmeta.package_licenses WHERE name = 'both'}),
	'{MIT}', 'package_licenses shows the v3 record');
is(query($node, q{SELECT count(*) FROM pkgmeta.package_licenses WHERE name = 'both'}), '1',
	'one row per package in package_licenses');
is(query($node, q{SELECT default_licenses FROM pkgmeta.package_licenses WHERE name = 'dropped-values'}),
	'{MIT}', 'values that are not identifiers are dropped one by one');
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'empty-default'}),
	'0', 'a record whose default set keeps no license is skipped');
like(query($node, q{SELECT string_agg(object || ' ' || line || ' ' || reason, E'\n') FROM pkgmeta.sync_errors
	WHERE version_format = 'v3'}),
	qr{v3/npm/full_dataset/00\.tar\.zst:00/000000000\.ndjson 2 }, 'a bad line names its archive member and line');

# expressions: the answering set's expressions, else its identifiers
is(query($node, q{SELECT pkgmeta_license_expression('npm', 'both', '1.5.0')}), 'Apache-2.0 OR MIT',
	'the expression of the default set');
is(query($node, q{SELECT pkgmeta_license_expression('pkg:npm/both@1.0.0')}), 'GPL-2.0',
	'a tuple without expressions answers with its identifiers');
is(query($node, q{SELECT pkgmeta_license_expression('npm', 'expr-only', '1.0.0')}),
	'(MIT AND BSD-3-Clause) AND (ISC)', 'several expressions combined');
is(query($node, q{SELECT pkgmeta_license_expression('npm', 'v2-only', '1.5.0')}), 'Zlib',
	'a v2 record answers with its identifiers');
is(query($node, q{SELECT coalesce(pkgmeta_license_expression('npm', 'both', '9.0.0'), 'null')}), 'null',
	'unknown is NULL');
is(query($node, q{SELECT licenses::text || ' ' || expression FROM pkgmeta_bulk_licenses('{npm}', '{both}', '{1.5.0}')}),
	'{MIT} Apache-2.0 OR MIT', 'the bulk form has the expression column');

# pkgmeta_sbom_annotate: licenses filled in where a component had none,
# valid under the CycloneDX schema (the CycloneDX library's validator)
my $sbom = JSON::PP->new->canonical->encode({
	bomFormat => 'CycloneDX', specVersion => '1.5', version => 1,
	components => [
		{ type => 'library', name => 'both', version => '1.5.0', purl => 'pkg:npm/both@1.5.0' },
		{ type => 'library', name => 'v2-only', version => '1.5.0', purl => 'pkg:npm/v2-only@1.5.0',
		  licenses => [ { license => { id => 'MIT' } } ],
		  components => [ { type => 'library', name => 'expr-only', version => '1.0.0', purl => 'pkg:npm/expr-only@1.0.0' } ] },
		{ type => 'library', name => 'missing', version => '1.0', purl => 'pkg:npm/missing@1.0' } ] });
(my $sbom_sql = $sbom) =~ s/'/''/g;
my $annotated = JSON::PP->new->decode(query($node, "SELECT pkgmeta_sbom_annotate('$sbom_sql')"));
is_deeply($annotated->{components}[0]{licenses}, [ { expression => 'Apache-2.0 OR MIT' } ],
	'a component without licenses gets its expression');
is_deeply($annotated->{components}[1]{licenses}, [ { license => { id => 'MIT' } } ],
	'a component with licenses keeps them');
is_deeply($annotated->{components}[1]{components}[0]{licenses},
	[ { expression => '(MIT AND BSD-3-Clause) AND (ISC)' } ], 'nested components are annotated');
ok(!exists $annotated->{components}[2]{licenses}, 'an unknown component is left as it is');
{
	my $file = "$root/annotated.json";
	open my $fh, '>', $file or die $!;
	print $fh JSON::PP->new->encode($annotated);
	close $fh;
	my ($out, $verr) = ('', '');
	local $ENV{NODE_PATH} = "$ENV{PKGMETA_TOP}/test/node/node_modules";
	IPC::Run::run([ 'node', "$ENV{PKGMETA_SRC}/test/node/cyclonedx_validate.js", $file ],
		'>', \$out, '2>', \$verr, IPC::Run::timeout(120));
	is($out, "valid\n", 'the annotated SBOM is valid CycloneDX 1.5') or diag "$out$verr";
}

# a later sync: deltas newer than the checkpoint, each archive as one unit
($ret, $err) = sync_notices($node);
is($ret, 0, 'second sync runs') or diag $err;
is(query($node, q{SELECT string_agg(name, ',' ORDER BY name) FROM pkgmeta.v3_packages}),
	'both,dropped-values,expr-only,from-delta,later-shard', 'the newer delta is applied, the older and the misnamed are not');
is(query($node, q{SELECT sequence || '/' || chunk FROM pkgmeta.checkpoints WHERE version_format = 'v3'}),
	'1100/2', 'checkpoint (delta timestamp, its last member)');
is(query($node, q{SELECT pkgmeta_licenses('npm', 'both', '2.5.0')}), '{BSD-2-Clause}',
	'the delta re-states the package');

# bad archives: an error row each, checkpoint unchanged, later deltas wait
write_object($root, 'v3/npm/deltas/1200.tar.zst', raw => "\x28\xb5\x2f\xfd" . ("\x00" x 64));
write_v3_archive($root, 'v3/npm/deltas/1300.tar.zst', [ '00000001.ndjson', [ v3_record('after-corrupt') ] ]);
write_object($root, 'v3/pypi/full_dataset/checkpoint.json', lines => ['{"until": 500}']);
write_v3_archive($root, 'v3/pypi/full_dataset/00.tar.zst', [ '00/0.ndjson', [ v3_record('Django', default => [ ['BSD-3-Clause'], [] ]) ] ]);
($ret, $err) = sync_notices($node);
like($err, qr{1200\.tar\.zst was not applied: archive "v3/npm/deltas/1200\.tar\.zst" is corrupt},
	'corrupt zstd: a clear error naming the archive');
is(query($node, q{SELECT sequence || '/' || chunk FROM pkgmeta.checkpoints c JOIN pkgmeta.purl_types t ON t.id = c.purl_type
	WHERE version_format = 'v3' AND t.name = 'npm'}), '1100/2', 'checkpoint unchanged');
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'after-corrupt'}), '0',
	'a later delta waits for the failed one');
is(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE object = 'v3/npm/deltas/1200.tar.zst' AND line IS NULL}),
	'1', 'the failed archive has an error row');
is(query($node, q{SELECT pkgmeta_licenses('pypi', 'django', '1.0')}), '{BSD-3-Clause}',
	'another registry goes on (names normalized)');

# truncated tar, a member that is not UTF-8, an archive bomb: all fail whole
my $trunc = PostgreSQL::Test::Utils::tempdir('trunc');
write_v3_archive($trunc, 'whole.tar.zst', [ '00000001.ndjson', [ map { v3_record("t$_") } 1 .. 200 ] ]);
my $tar = `zstd -dc $trunc/whole.tar.zst`;
for my $case (
	[ 'truncated tar', substr($tar, 0, 700), qr{corrupt or truncated} ],
	[ 'truncated zstd', undef, qr{corrupt or truncated: its zstd data ends inside a frame} ],
	[ 'not zstd', undef, qr{is not zstd-compressed} ],
	[ 'not UTF-8', undef, qr{is not UTF-8 text} ],
	[ 'archive bomb', undef, qr{inflates to more than} ])
{
	my ($what, $payload, $re) = @{$case};
	unlink "$root/v3/npm/deltas/1200.tar.zst";
	my $dir = PostgreSQL::Test::Utils::tempdir('case');
	if ($what eq 'archive bomb')
	{
		# an ignored member is inflated all the same to reach the next one
		write_v3_archive($root, 'v3/npm/deltas/1200.tar.zst',
			[ 'bomb.bin', "\0" x (64 * 1024 * 1024) ], [ '00000001.ndjson', [ v3_record('t1') ] ]);
	}
	elsif ($what eq 'truncated zstd')
	{
		my $path = write_v3_archive($root, 'v3/npm/deltas/1200.tar.zst',
			[ '00000001.ndjson', [ map { v3_record("t$_") } 1 .. 200 ] ]);
		truncate($path, (-s $path) - 20) or die "truncate: $!";
	}
	elsif ($what eq 'not zstd')
	{
		write_object($root, 'v3/npm/deltas/1200.tar.zst', raw => $tar);
	}
	elsif ($what eq 'not UTF-8')
	{
		write_v3_archive($root, 'v3/npm/deltas/1200.tar.zst',
			[ '00000001.ndjson', [ v3_record('utf8-ok') ] ], [ '00000002.ndjson', "{\"name\":\"\xff\xfe\"}\n" ]);
	}
	else
	{
		write_object($dir, 'a.tar', raw => $payload);
		system("zstd -q -19 -o $root/v3/npm/deltas/1200.tar.zst $dir/a.tar") == 0 or die 'zstd';
	}
	($ret, $err) = sync_notices($node);
	like($err, $re, "$what: a clear error");
	is(query($node, q{SELECT sequence FROM pkgmeta.checkpoints c JOIN pkgmeta.purl_types t ON t.id = c.purl_type
		WHERE version_format = 'v3' AND t.name = 'npm'}), '1100', "$what: checkpoint unchanged");
	is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name IN ('utf8-ok', 't1')}), '0',
		"$what: nothing of the archive applied");
}

# the good archive in its place: both deltas now apply
unlink "$root/v3/npm/deltas/1200.tar.zst";
write_v3_archive($root, 'v3/npm/deltas/1200.tar.zst', [ '00000005.ndjson', [ v3_record('fixed') ] ]);
($ret, $err) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name IN ('fixed', 'after-corrupt')}), '2',
	'once the archive is readable, it and the later delta apply');

# resuming an interrupted first sync: shards up to the checkpoint are skipped
write_object($root, 'v3/rubygem/full_dataset/checkpoint.json', lines => ['{"until": 700}']);
write_v3_archive($root, 'v3/rubygem/full_dataset/00.tar.zst', [ '00/0.ndjson', [ v3_record('shard-zero') ] ]);
write_v3_archive($root, 'v3/rubygem/full_dataset/01.tar.zst', [ '01/0.ndjson', [ v3_record('shard-one') ] ]);
write_v3_archive($root, 'v3/rubygem/deltas/800.tar.zst', [ '00000001.ndjson', [ v3_record('gem-delta') ] ]);
query($node, q{INSERT INTO pkgmeta.checkpoints (data_type, version_format, purl_type, sequence, chunk, object,
	full_sync_target_sequence) SELECT 'licenses', 'v3', id, 700, 0, 'v3/rubygem/full_dataset/00.tar.zst', 700
	FROM pkgmeta.purl_types WHERE name = 'gem'});
($ret, $err) = sync_notices($node);
is(query($node, q{SELECT string_agg(v.name, ',' ORDER BY v.name) FROM pkgmeta.v3_packages v JOIN pkgmeta.purl_types t
	ON t.id = v.purl_type WHERE t.name = 'gem'}), 'shard-one', 'a marked first sync resumes after its shard, deltas wait');
($ret, $err) = sync_notices($node);
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_packages WHERE name = 'gem-delta'}), '1',
	'after the first sync, its deltas');

# rows go straight into v3_packages (package_writer.c), as v2 rows into
# packages: the later line wins inside a batch and across shards, a
# re-stated record that changes nothing writes nothing
reconfigure($node, 'pkgmeta.purl_types' => 'cargo');
write_object($root, 'v3/cargo/full_dataset/checkpoint.json', lines => ['{"until": 500}']);
write_v3_archive($root, 'v3/cargo/full_dataset/00.tar.zst',
	[ '00/0.ndjson', [ v3_record('twice', highest => '1'), v3_record('kept', highest => '1'),
		v3_record('twice', highest => '2'), v3_record('across', highest => '1') ] ]);
write_v3_archive($root, 'v3/cargo/full_dataset/01.tar.zst',
	[ '01/0.ndjson', [ v3_record('across', highest => '2', default => [ ['ISC'], ['ISC OR MIT'] ]) ] ]);
($ret, $err) = sync_notices($node);
like($err, qr/licenses v3 cargo: 2 files, 4 packages/, 'each shard counts the packages it wrote');
my $cargo_rows = q{SELECT string_agg(concat_ws('|', v.name, v.highest_version,
	(SELECT string_agg(l.spdx_identifier, ' ') FROM pkgmeta.licenses l WHERE l.id = ANY (v.default_licenses)),
	v.default_expression), ',' ORDER BY v.name) FROM pkgmeta.v3_packages v
	JOIN pkgmeta.purl_types t ON t.id = v.purl_type WHERE t.name = 'cargo'};
is(query($node, $cargo_rows), 'across|2|ISC|ISC OR MIT,kept|1|MIT,twice|2|MIT',
	'the later line wins in one member and across shards');
my $kept_xmin = query($node, q{SELECT xmin FROM pkgmeta.v3_packages WHERE name = 'kept'});
write_v3_archive($root, 'v3/cargo/deltas/600.tar.zst',
	[ '00000001.ndjson', [ v3_record('kept', highest => '1'), v3_record('twice', highest => '3') ] ]);
($ret, $err) = sync_notices($node);
like($err, qr/licenses v3 cargo: 1 files, 1 packages/, 'a delta counts only what it changed');
is(query($node, q{SELECT xmin FROM pkgmeta.v3_packages WHERE name = 'kept'}), $kept_xmin,
	'a re-stated record that changes nothing is not written');
is(query($node, q{SELECT highest_version FROM pkgmeta.v3_packages WHERE name = 'twice'}), '3',
	'a changed one is');

# a trigger of the site's own on v3_packages: rows go through SQL and fire it
log_writes($node, 'v3_packages', 'v3_log');
write_v3_archive($root, 'v3/cargo/deltas/700.tar.zst',
	[ '00000001.ndjson', [ v3_record('kept', highest => '1'), v3_record('trig', highest => '1'),
		v3_record('twice', highest => '4') ] ],
	[ '00000002.ndjson', [ v3_record('trig', highest => '2') ] ]);
($ret, $err) = sync_notices($node);
like($err, qr/licenses v3 cargo: 1 files, 2 packages/, 'the SQL path counts the same way');
is(query($node, q{SELECT string_agg(name || '|' || highest_version, ',' ORDER BY name)
	FROM pkgmeta.v3_packages WHERE name IN ('kept', 'trig', 'twice')}), 'kept|1,trig|2,twice|4',
	'the SQL path keeps the later line too');
is(query($node, q{SELECT string_agg(name, ',' ORDER BY name) FROM public.v3_log}), 'trig,twice',
	'the trigger fired once per written package');
is(query($node, q{SELECT count(*) FROM pkgmeta.v3_staging}), '0', 'the staging table is left empty');
query($node, q{DROP TRIGGER v3_log ON pkgmeta.v3_packages});

# a registry without v3/ falls back to v2 when only v3 is asked for
reconfigure($node, 'pkgmeta.version_formats' => 'v3');
query($node, q{DELETE FROM pkgmeta.checkpoints});
query($node, q{DELETE FROM pkgmeta.packages});
write_object($root, 'v2/maven/1000/000000000.ndjson',
	lines => [ record('org.example/lib', lowest => '1.0', highest => '2.0', default => ['MIT']) ]);
reconfigure($node, 'pkgmeta.purl_types' => 'npm,maven');
($ret, $err) = sync_notices($node);
is(query($node, q{SELECT string_agg(name, ',' ORDER BY name) FROM pkgmeta.packages}), 'org.example/lib',
	'v2 is read for a registry without v3/, not for one with it');

# records whose sets carry expressions only: pkgmeta_licenses answers the
# identifiers the expressions name, as spdx-expression-parse reads them
my %expressions = (
	'or' => ['Apache-2.0 OR MIT'],
	'and-or' => ['(MIT AND BSD-3-Clause) OR ISC'],
	'with' => ['GPL-2.0-only WITH Classpath-exception-2.0 OR MIT'],
	'licenseref' => ['LicenseRef-scancode-proprietary AND DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2'],
	'plus-and-repeats' => ['GPL-2.0+ OR (MIT AND MIT)', 'MIT'],
	'two' => ['MIT', 'Apache-2.0 WITH LLVM-exception'],
	'nested' => ['((Zlib OR 0BSD) AND (BSD-2-Clause WITH Bison-exception-2.2))'],);
write_object($root, 'v3/cargo/full_dataset/checkpoint.json', lines => ['{"until": 100}']);
write_v3_archive($root, 'v3/cargo/full_dataset/00.tar.zst', [ '00/0.ndjson', [
	(map { v3_record($_, lowest => '1.0.0', highest => '2.0.0', default => [ [], $expressions{$_} ]) } sort keys %expressions),
	v3_record('other-set', lowest => '1.0.0', highest => '2.0.0', default => [ ['MIT'], [] ],
		other => [ [ [], ['EPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0'], ['1.5.0'] ] ]) ] ]);
reconfigure($node, 'pkgmeta.purl_types' => 'cargo');
($ret, $err) = sync_notices($node);
is($ret, 0, 'expression-only records sync') or diag $err;
{
	my $file = "$root/expressions.tsv";
	open my $fh, '>', $file or die $!;
	print $fh join("\t", $_, @{ $expressions{$_} }), "\n" for sort keys %expressions;
	print $fh "other-set\tEPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0\n";
	close $fh;
	my ($out, $nerr) = ('', '');
	local $ENV{NODE_PATH} = "$ENV{PKGMETA_TOP}/test/node/node_modules";
	IPC::Run::run([ 'node', "$ENV{PKGMETA_SRC}/test/node/spdx_ids.js", $file ], '>', \$out, '2>', \$nerr)
	  or die "spdx_ids.js: $nerr";
	for my $line (split /\n/, $out)
	{
		my ($name, $ids) = split /\t/, $line;
		my $version = $name eq 'other-set' ? '1.5.0' : '1.2.0';
		is(query($node, qq{SELECT string_agg(l, ',' ORDER BY l COLLATE "C")
			FROM unnest(pkgmeta_licenses('cargo', '$name', '$version')) l}),
			$ids, "$name: the identifiers of its expressions, as spdx-expression-parse reads them ($ids)");
	}
}
is(query($node, q{SELECT pkgmeta_license_expression('cargo', 'or', '1.2.0')}), 'Apache-2.0 OR MIT',
	'the expression itself is still answered whole');

done_testing();
