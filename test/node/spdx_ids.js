// Reference for the identifiers of SPDX expressions: spdx-expression-parse
// (the parser npm's own tooling uses).  Reads "name<TAB>expression<TAB>..."
// lines, prints "name<TAB>id,id,..." with the license identifiers of all of
// the line's expressions (exceptions after WITH are not licenses), sorted
// and without repeats.
'use strict';
const parse = require('spdx-expression-parse');

function ids(node, out) {
  if (node.license !== undefined) out.add(node.license + (node.plus ? '+' : ''));
  else {
    ids(node.left, out);
    ids(node.right, out);
  }
}

const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\n');
for (const line of lines) {
  if (line === '') continue;
  const [name, ...expressions] = line.split('\t');
  const out = new Set();
  for (const e of expressions) ids(parse(e), out);
  process.stdout.write(name + '\t' + [...out].sort().join(',') + '\n');
}
