// Reference: node's semver package (strict parsing).  Reads "a<TAB>b" lines,
// prints -1, 0, 1 or "invalid".
'use strict';
const path = require('path');
const semver = require(path.join(process.argv[2], 'semver'));
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line === '') continue;
  const [a, b] = line.split('\t');
  let r;
  try {
    r = String(new semver.SemVer(a).compare(new semver.SemVer(b)));
  } catch (e) {
    r = 'invalid';
  }
  out.push(r);
}
process.stdout.write(out.join('\n') + '\n');
