// Validates CycloneDX JSON documents with the CycloneDX project's own
// library (@cyclonedx/cyclonedx-library, its JSON schema validator; strict
// schemas where the spec version has them), against the schema of each
// document's specVersion.  Prints one line per file: "valid", or
// "invalid <errors as JSON>".
//   node vex_validate.js file.json ...
'use strict';
const fs = require('fs');
const CDX = require('@cyclonedx/cyclonedx-library');

async function check(file) {
  const text = fs.readFileSync(file, 'utf8');
  const spec = JSON.parse(text).specVersion;
  const errors = await new CDX.Validation.JsonStrictValidator(spec).validate(text);
  return errors === null ? 'valid' : 'invalid ' + JSON.stringify(errors);
}

(async () => {
  for (const file of process.argv.slice(2)) {
    console.log(await check(file));
  }
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
