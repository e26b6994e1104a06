// Reference: node's semver package, satisfies() with pre-releases included.
// Reads "range<TAB>version" lines, prints true, false, or "invalid" when
// the range or the version is not valid SemVer syntax.  A leading "=" of
// the version is dropped, as test/reference/ref_npm.js does.
'use strict';
const path = require('path');
const semver = require(path.join(process.argv[2], 'semver'));
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
const opts = { includePrerelease: true };
for (const line of lines) {
  if (line === '') continue;
  const [range, version] = line.split('\t');
  let r;
  try {
    const v = new semver.SemVer(version.replace(/^=/, ''), opts);
    r = String(new semver.Range(range, opts).test(v));
  } catch (e) {
    r = 'invalid';
  }
  out.push(r);
}
process.stdout.write(out.join('\n') + '\n');
