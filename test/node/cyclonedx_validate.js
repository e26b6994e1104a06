// Validates a CycloneDX JSON document (the file named by argv[2]) with the
// CycloneDX library's JSON schema validator, for the spec version the
// document states.  Prints "valid", or the validation errors as JSON and
// exits 1.
'use strict';
const fs = require('fs');
const CDX = require('@cyclonedx/cyclonedx-library');

const text = fs.readFileSync(process.argv[2], 'utf8');
const version = JSON.parse(text).specVersion;
const validator = new CDX.Validation.JsonStrictValidator(version);
validator.validate(text).then((errors) => {
	if (errors === null) {
		console.log('valid');
	} else {
		console.log(JSON.stringify(errors));
		process.exit(1);
	}
}, (err) => {
	console.error(String(err));
	process.exit(2);
});
