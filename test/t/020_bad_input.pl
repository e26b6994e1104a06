# Bad input: bad lines are skipped and reported while the file applies; bad
# files apply nothing, keep their checkpoint and hold back later files of
# their type only; a vanished checkpoint file makes the type replay.
use strict;
use warnings;
use PkgmetaTest;
use Test::More;

my $node = new_node('bad_input', conf => "pkgmeta.max_line_length = '1kB'\n");
my $root = new_mirror($node);

my $long = record('long-one', default => [ ('X' x 40) x 30 ]);
write_object($root, 'v2/npm/1000/0.ndjson', lines => [
	record('good-1'),
	'this is not json',
	'{"default_licenses":["MIT"]}',
	'{"name":"no-licenses"}',
	'{"name":42,"default_licenses":["MIT"]}',
	'{"name":"empty-licenses","default_licenses":[]}',
	'{"name":"bad-other","default_licenses":["MIT"],"other_licenses":[{"licenses":["MIT"]}]}',
	'{"name":"bad-bound","default_licenses":["MIT"],"lowest_version":1}',
	'{"name":"trailing","default_licenses":["MIT"]} x',
	'{"name":"x","default_licenses":["MIT"],"name":"y"}',
	$long,
	record('good-2', default => ['unknown']),
	'{"name":"extra-keys","default_licenses":["MIT"],"future":{"a":[1,2,{"b":null}]},"n":-1.5e3}',
	'{"name":"esc\u00e9\"q","default_licenses":["MIT"]}',
]);
my ($ret, $notices) = sync_notices($node);
is($ret, 0, 'sync with bad lines succeeds');
like($notices, qr/npm: 1 files, 4 packages, \d+ bytes, 10 bad lines/, 'bad lines counted');
is(query($node, q{SELECT name, default_licenses FROM pkgmeta.package_licenses ORDER BY 1}),
	"escé\"q|{MIT}\nextra-keys|{MIT}\ngood-1|{MIT}\ngood-2|{unknown}",
	'good lines applied, unknown keys ignored, "unknown" is a license, escapes decoded');
is(query($node, q{SELECT line || ': ' || reason FROM pkgmeta.sync_errors ORDER BY line}),
	join("\n",
		'2: not a JSON object',
		'3: missing "name"',
		'4: missing "default_licenses"',
		'5: "name" must be a string',
		'6: "default_licenses" must not be empty',
		'7: "other_licenses" entry lacks "versions"',
		'8: "lowest_version" must be a string or null',
		'9: trailing characters after the JSON object',
		'10: duplicate key "name"',
		'11: line longer than pkgmeta.max_line_length (1024 bytes)'),
	'one error row per bad line with its line number and reason');
is(query($node, q{SELECT excerpt FROM pkgmeta.sync_errors WHERE line = 2}), 'this is not json',
	'error rows carry an excerpt');
is(query($node, q{SELECT count(*) FROM pkgmeta.sync_errors WHERE object = 'v2/npm/1000/0.ndjson'
	AND data_type = 'licenses' AND version_format = 'v2' AND purl_type = 'npm'}), '10',
	'error rows name the stream and object');

# Bad files.  Each later file of the same type must wait; other types go on.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
my $good_gz = write_object($root, 'v2/npm/2000/0.ndjson.gz', lines => [ map { record("gz$_") } 1 .. 50 ]);
my $bytes = do { local $/; open my $f, '<:raw', $good_gz or die; <$f> };
my %bad = (
	'truncated gzip' => [ substr($bytes, 0, length($bytes) - 12), qr/gzip stream of .* is truncated/ ],
	'corrupt gzip' => [ substr($bytes, 0, 20) . ("\xff" x 40) . substr($bytes, 60),
		qr/gzip stream of .* is corrupt/ ],
	'invalid UTF-8' => [ record('ok') . "\n" . "{\"name\":\"\xc3\x28\",\"default_licenses\":[\"MIT\"]}\n",
		qr/is not UTF-8 text/ ],
	'trailing garbage' => [ $bytes . "garbage", qr/trailing garbage/ ],
);
write_object($root, 'v2/npm/2000/1.ndjson', lines => [ record('after-bad') ]);
write_object($root, 'v2/pypi/2000/0.ndjson', lines => [ record('other-type') ]);
for my $case (sort keys %bad)
{
	my ($content, $reason) = @{ $bad{$case} };
	write_object($root, 'v2/npm/2000/0.ndjson.gz', raw => $content);
	my $before = query($node, q{SELECT count(*) FROM pkgmeta.packages});
	($ret, $notices) = sync_notices($node);
	is($ret, 0, "$case: the sync itself succeeds");
	like($notices, qr/WARNING:  pkgmeta: v2\/npm\/2000\/0.ndjson.gz was not applied: /, "$case: WARNING names the file");
	like($notices, $reason, "$case: WARNING says why");
	is(query($node, q{SELECT sequence, chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
		'1000|0', "$case: checkpoint did not move");
	is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name LIKE 'gz%' OR name IN ('ok', 'after-bad')}),
		'0', "$case: nothing of the file or later files applied");
	like(query($node, q{SELECT line IS NULL, object, reason FROM pkgmeta.sync_errors ORDER BY id DESC LIMIT 1}),
		qr/^t\|v2\/npm\/2000\/0.ndjson.gz\|/, "$case: whole-file error row");
}
is(query($node, q{SELECT count(*) FROM pkgmeta.packages WHERE name = 'other-type'}), '1',
	'other purl types go on');

# Unreadable file (the server runs as an unprivileged user).
write_object($root, 'v2/npm/2000/0.ndjson.gz', raw => $bytes);
chmod 0000, "$root/v2/npm/2000/0.ndjson.gz";
($ret, $notices) = sync_notices($node);
like($notices, qr/could not open .*0.ndjson.gz.*Permission denied/, 'unreadable file: clear error');
is(query($node, q{SELECT chunk, sequence FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}), '0|1000',
	'unreadable file: checkpoint did not move');

# Fixed: the next sync applies it and what waited behind it.
chmod 0644, "$root/v2/npm/2000/0.ndjson.gz";
($ret, $notices) = sync_notices($node);
like($notices, qr/npm: 2 files, 51 packages/, 'repaired file and the later one apply');
is(query($node, q{SELECT sequence, chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
	'2000|1', 'checkpoint moved past both');

# The checkpointed file vanished (a pruning mirror): WARNING, then replay.
unlink "$root/v2/npm/2000/1.ndjson";
$node->safe_psql('postgres', q{UPDATE pkgmeta.packages SET default_licenses = '{}' WHERE name = 'good-1'});
($ret, $notices) = sync_notices($node);
like($notices, qr/checkpointed file v2\/npm\/2000\/1.ndjson is no longer in .*\n.*Replaying all 2 files of v2\/npm\//,
	'vanished checkpoint file: WARNING and replay');
is(query($node, q{SELECT default_licenses FROM pkgmeta.package_licenses WHERE name = 'good-1'}), '{MIT}',
	'replay restored every record');
is(query($node, q{SELECT sequence, chunk FROM pkgmeta_checkpoints() WHERE purl_type = 'npm'}),
	'2000|0', 'checkpoint at the last file present');

# A file full of garbage records 100 bad lines one by one, then one summary.
$node->safe_psql('postgres', 'TRUNCATE pkgmeta.sync_errors');
write_object($root, 'v2/npm/3000/0.ndjson', lines => [ record('before'), ('garbage') x 150, record('after') ]);
($ret, $notices) = sync_notices($node);
like($notices, qr/npm: 1 files, 2 packages, \d+ bytes, 150 bad lines/, 'every bad line counted');
is(query($node, q{SELECT count(*), min(line), max(line) FROM pkgmeta.sync_errors WHERE reason = 'not a JSON object'}),
	'100|2|101', 'the first 100 bad lines recorded one by one');
is(query($node, q{SELECT line, reason FROM pkgmeta.sync_errors WHERE reason <> 'not a JSON object'}),
	'102|50 more bad lines from this one on were not recorded', 'one row counts the rest');

done_testing();
