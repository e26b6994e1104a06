// Reference: node's semver package (strict parsing).  Reads "a<TAB>b" lines,
// prints -1, 0, 1 or "invalid".  A leading "=", which the issue allows for
// every SemVer type (npm's loose parsing and semver.clean take it), is dropped.
'use strict';
const path = require('path');
const semver = require(path.join(process.argv[2], 'semver'));
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line === '') continue;
  const [a, b] = line.split('\t').map((v) => v.replace(/^=/, ''));
  let r;
  try {
    r = String(new semver.SemVer(a).compare(new semver.SemVer(b)));
  } catch (e) {
    r = 'invalid';
  }
  out.push(r);
}
process.stdout.write(out.join('\n') + '\n');
