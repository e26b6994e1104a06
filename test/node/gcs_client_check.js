// Drives test/servers/gcs_server.py with Google's own client library, to prove the
// test server speaks the GCS JSON API the way real clients expect.
//
//   node gcs_client_check.js PLAN.json
//
// PLAN: {"endpoint": "http://127.0.0.1:PORT", "bucket": "b",
//        "lists": [{"prefix": "v2/npm/", "startOffset": "..."}],
//        "downloads": ["object name", ...]}
// Prints one JSON object: {"lists": [[{name, size, crc32c, md5Hash,
// contentEncoding}, ...], ...], "downloads": {name: {"data": base64} or
// {"error": message}}}.  The caller compares it with what it served.
'use strict';
const fs = require('fs');
const {Storage} = require('@google-cloud/storage');

async function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  // A custom apiEndpoint makes the library skip authentication unless
  // useAuthWithCustomEndpoint is set: requests go out anonymous, as to the
  // public bucket.
  const storage = new Storage({
    apiEndpoint: plan.endpoint,
    projectId: 'pkgmeta-test',
    useAuthWithCustomEndpoint: false,
    retryOptions: {autoRetry: true, maxRetries: 3, retryDelayMultiplier: 1.1,
                   maxRetryDelay: 1, totalTimeout: 30},
  });
  const bucket = storage.bucket(plan.bucket);
  const out = {lists: [], downloads: {}};

  for (const l of plan.lists) {
    const query = {prefix: l.prefix, autoPaginate: true};
    if (l.startOffset) query.startOffset = l.startOffset;
    const [files] = await bucket.getFiles(query);
    out.lists.push(files.map(f => ({
      name: f.name,
      size: f.metadata.size,
      crc32c: f.metadata.crc32c,
      md5Hash: f.metadata.md5Hash,
      contentEncoding: f.metadata.contentEncoding || null,
    })));
  }
  for (const name of plan.downloads) {
    try {
      // default validation: crc32c of the bytes as stored
      const [data] = await bucket.file(name).download();
      out.downloads[name] = {data: data.toString('base64')};
    } catch (e) {
      out.downloads[name] = {error: String(e.code || '') + ' ' + e.message};
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
