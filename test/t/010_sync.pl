# The sync from a mirror directory: first sync, resume, replacement across
# deltas, duplicates, gzip and plain files, ordering, ignored names.
use strict;
use warnings;
use PkgmetaTest;
use Test::More;

my $node = new_node('sync');
my $root = new_mirror($node);

write_object($root, 'v2/npm/1000/000000000.ndjson',
	lines => [ record('lodash', lowest => '1.0.0', highest => '4.17.21'),
		record('left-pad', highest => '1.3.0', default => ['WTFPL']) ]);
write_object($root, 'v2/npm/1000/000000001.ndjson.gz',
	lines => [ record('@scope/tool', default => ['unknown'],
		other => [ [ [ 'MIT', 'Apache-2.0' ], [ '0.1.0', '0.2.0' ] ] ]) ]);
write_object($root, 'v2/pypi/1000/000000000.ndjson',
	lines => [ record('Zope.Interface__X', lowest => '1', highest => '2') ]);
write_object($root, 'v2/go/1000/000000000.ndjson',
	lines => [ record('github.com/Foo/Bar', lowest => 'v1.0.0') ]);
write_object($root, 'v2/npm/1000/README.md', raw => "not an export file\n");
write_object($root, 'v2/npm/1000/000000002.ndjson', raw => '');

my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'first sync succeeds');
like($notices, qr/licenses v2 npm: 3 files, 3 packages/, 'NOTICE per purl type says how far it got');
like($notices, qr/sync complete: 5 files, 5 packages/, 'final NOTICE totals');

is(query($node, q{SELECT purl_type, name, lowest_version, highest_version, default_licenses,
	other_licenses FROM pkgmeta.package_licenses ORDER BY 1, 2}),
	join("\n",
		'golang|github.com/foo/bar|v1.0.0||{MIT}|[]',
		'npm|@scope/tool|||{unknown}|[{"licenses": ["MIT", "Apache-2.0"], "versions": ["0.1.0", "0.2.0"]}]',
		'npm|left-pad||1.3.0|{WTFPL}|[]',
		'npm|lodash|1.0.0|4.17.21|{MIT}|[]',
		'pypi|zope-interface-x|1|2|{MIT}|[]'),
	'records stored with normalized names, gzip and plain files read');
is(query($node, q{SELECT purl_type, sequence, chunk FROM pkgmeta_checkpoints() ORDER BY 3, 1}),
	"golang|1000|0\npypi|1000|0\nnpm|1000|2", 'one checkpoint per purl type at its last file');
is(query($node, 'SELECT count(*) FROM pkgmeta.sync_errors'), '0', 'no errors for ignored names or empty files');
ok($node->log_contains('ignoring "v2/npm/1000/README.md"'), 'ignored names are logged');

# A new delta: replacement (no merging), later line wins, numeric chunk order.
write_object($root, 'v2/npm/2000/10.ndjson',
	lines => [ record('lodash', lowest => '9.0.0', highest => '9.9.9', default => ['BSD-2-Clause']) ]);
write_object($root, 'v2/npm/2000/9.ndjson',
	lines => [ record('lodash', lowest => '2.0.0', highest => '5.0.0', default => ['ISC'],
			other => [ [ ['MIT'], ['1.0.0'] ] ]),
		record('chalk', highest => '1.0.0'),
		record('chalk', highest => '2.0.0', default => ['Apache-2.0']) ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/npm: 2 files, 3 packages/, 'resume applies only the new delta');
is(query($node, q{SELECT name, lowest_version, highest_version, default_licenses, other_licenses
	FROM pkgmeta.package_licenses WHERE name IN ('lodash', 'chalk') ORDER BY 1}),
	"chalk||2.0.0|{Apache-2.0}|[]\nlodash|9.0.0|9.9.9|{BSD-2-Clause}|[]",
	'later line wins in a file, chunk 10 after chunk 9, whole record replaced');
is(query($node, q{SELECT sequence, chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
	'2000|10', 'checkpoint at the numerically last chunk');

($ret, $notices) = sync_notices($node);
like($notices, qr/sync complete: 0 files/, 'caught-up sync applies nothing');

# Settings: the purl type list limits what syncs.
write_object($root, 'v2/pypi/2000/0.ndjson', lines => [ record('requests') ]);
write_object($root, 'v2/npm/3000/0.ndjson', lines => [ record('react') ]);
$node->append_conf('postgresql.conf', "pkgmeta.purl_types = 'pypi'\n");
$node->reload;
($ret, $notices) = sync_notices($node);
like($notices, qr/pypi: 1 files/, 'enabled type syncs');
unlike($notices, qr/npm:/, 'disabled type does not');
is(query($node, q{SELECT count(*) FROM pkgmeta.package_licenses WHERE name = 'react'}), '0',
	'nothing of a disabled type is applied');

# Time budget: the run stops between files, at least one file per call.
$node->append_conf('postgresql.conf', "pkgmeta.purl_types = 'npm,cargo'\n");
$node->reload;
write_object($root, "v2/npm/3000/$_.ndjson", lines => [ record("pkg$_") ]) for 1 .. 2;
($ret, $notices) = sync_notices($node, q{'0 seconds'});
like($notices, qr/time budget spent; the next sync resumes after v2\/npm\/3000\/0.ndjson/,
	'stops after one file when the budget is spent');
is(query($node, q{SELECT chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), '0',
	'checkpoint at the last applied file');
($ret, $notices) = sync_notices($node, q{'0 seconds'});
is(query($node, q{SELECT chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), '1',
	'the next call resumes with the next file');
($ret, $notices) = sync_notices($node);
is(query($node, q{SELECT chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), '2',
	'an unlimited call finishes');

# Transaction blocks and bad sources.
my ($r2, $out2, $err2) = $node->psql('postgres', "BEGIN; CALL pkgmeta_sync(); COMMIT;");
like($err2, qr/cannot run inside a transaction block/, 'refused inside a transaction block');
$node->append_conf('postgresql.conf', "pkgmeta.licenses_source = 'file:///nonexistent/mirror'\n");
$node->reload;
($ret, $notices) = sync_notices($node);
isnt($ret, 0, 'missing mirror directory fails');
like($notices, qr/mirror directory "\/nonexistent\/mirror" does not exist.*\n.*HINT:.*pkgmeta\.licenses_source/,
	'error names the directory, hint names the setting');

done_testing();
