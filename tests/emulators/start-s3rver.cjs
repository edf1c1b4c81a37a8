// Starts s3rver on 127.0.0.1:<port> with the given buckets, for the conformance suite.
// Where s3rver 3.7.1 departs from documented S3 behaviour, this corrects it (each listed in the README):
// 1. it predates conditional writes (PutObject with If-None-Match: *, 2024): answer 412 PreconditionFailed
//    when the object exists;
// 2. it reads x-amz-copy-source with decodeURI, which leaves %2F encoded: decode the header fully;
// 3. its delimiter listing omits common prefixes of folders that hold no object directly, counts only objects
//    toward max-keys, and continues a truncated page after its last object: list as S3 does, objects and common
//    prefixes in one key order, max-keys of them a page, the next page after the last key or prefix (skipping the
//    keys under that prefix).
// 4. it stores an aws-chunked upload (the AWS SDK's streaming signature, which it uses for streams and files over plain
//    HTTP) with its chunk framing: store the decoded content, as S3 does.
// Its continuation tokens use DES, which Node 20 offers only with --openssl-legacy-provider (NodeEmulator passes it).
// Usage: node start-s3rver.cjs <port> <directory> <bucket>...
const { Readable } = require('stream');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

// The objects of a page; when the page ends with a common prefix, a last entry naming it (s3rver makes the
// continuation token from the last object's key) that is left out of the listed contents.
class PageObjects extends Array {
  map(fn) {
    return Array.from(this).filter((o) => !o.isContinuation).map(fn);
  }
}

const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function listAsS3(bucket, options) {
  const { delimiter, prefix = '', startAfter = '', maxKeys = 1000 } = options;
  if (!delimiter) {
    return listObjects.call(this, bucket, options);
  }

  const all = await listObjects.call(this, bucket, { prefix, startAfter, maxKeys: Infinity });
  const keys = all.objects.slice().sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const entries = [];
  for (const object of keys) {
    if (startAfter.endsWith(delimiter) && object.key.startsWith(startAfter)) {
      continue;
    }
    const at = object.key.indexOf(delimiter, prefix.length);
    if (at === -1) {
      entries.push({ object });
      continue;
    }
    const common = object.key.slice(0, at + delimiter.length);
    if (entries.length === 0 || entries[entries.length - 1].prefix !== common) {
      entries.push({ prefix: common });
    }
  }

  const page = entries.slice(0, maxKeys);
  const isTruncated = entries.length > maxKeys;
  const objects = PageObjects.from(page.filter((e) => e.object).map((e) => e.object));
  const last = page[page.length - 1];
  if (isTruncated && last && last.prefix) {
    objects.push({ key: last.prefix, isContinuation: true });
  }
  return { objects, commonPrefixes: page.filter((e) => e.prefix).map((e) => e.prefix), isTruncated };
};

const [port, directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});

server.middleware.unshift(async (ctx, next) => {
  const copySource = ctx.get('x-amz-copy-source');
  if (copySource) {
    ctx.req.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(copySource));
  }
  if (ctx.method === 'PUT' && ctx.get('if-none-match') === '*' && !ctx.get('x-amz-copy-source')) {
    const [bucket, ...key] = ctx.path.split('/').slice(1).map(decodeURIComponent);
    if (bucket && key.length > 0 && (await ctx.store.existsObject(bucket, key.join('/')))) {
      ctx.status = 412;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
        '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
        '<Condition>If-None-Match</Condition></Error>';
      return;
    }
  }
  await next();
});

// aws-chunked: "<hex size>;chunk-signature=<sig>\r\n<bytes>\r\n" until a chunk of size 0 (then trailers, if any).
function decodeChunks(raw) {
  const parts = [];
  let at = 0;
  while (at < raw.length) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) {
      throw new Error('aws-chunked body without a chunk header line');
    }
    const size = parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0], 16);
    at = lineEnd + 2;
    if (!(size > 0)) {
      break;
    }
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  return Buffer.concat(parts);
}

server.middleware.unshift(async (ctx, next) => {
  if (ctx.method === 'PUT' && ctx.get('x-amz-content-sha256').startsWith('STREAMING-')) {
    const received = [];
    for await (const chunk of ctx.req) {
      received.push(chunk);
    }
    const body = decodeChunks(Buffer.concat(received));
    const decoded = Readable.from([body]);
    const headers = { ...ctx.req.headers, 'content-length': String(body.length) };
    const encodings = (headers['content-encoding'] || '').split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked');
    if (encodings.length > 0) {
      headers['content-encoding'] = encodings.join(', ');
    } else {
      delete headers['content-encoding'];
    }
    Object.assign(decoded, { headers, method: ctx.req.method, url: ctx.req.url, httpVersion: ctx.req.httpVersion, socket: ctx.req.socket });
    ctx.req = decoded;
    ctx.request.req = decoded;
  }
  await next();
});

server.run().then(({ port: actual }) => console.log(`s3rver listening on 127.0.0.1:${actual}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
