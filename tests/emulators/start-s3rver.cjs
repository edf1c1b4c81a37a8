// Starts s3rver on 127.0.0.1:<port> with the given buckets, for the conformance suite.
// Where s3rver 3.7.1 departs from documented S3 behaviour, this corrects it (each listed in the README):
// 1. it predates conditional writes (PutObject with If-None-Match: *, 2024): answer 412 PreconditionFailed
//    when the object exists;
// 2. it reads x-amz-copy-source with decodeURI, which leaves %2F encoded: decode the header fully;
// 3. its delimiter listing omits common prefixes of folders that hold no object directly: group keys itself.
// Usage: node start-s3rver.cjs <port> <directory> <bucket>...
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function listWithPrefixes(bucket, options) {
  const { delimiter, prefix = '' } = options;
  if (!delimiter) {
    return listObjects.call(this, bucket, options);
  }

  const all = await listObjects.call(this, bucket, { ...options, delimiter: '' });
  const commonPrefixes = new Set();
  const objects = [];
  for (const object of all.objects) {
    const at = object.key.indexOf(delimiter, prefix.length);
    if (at === -1) {
      objects.push(object);
    } else {
      commonPrefixes.add(object.key.slice(0, at + delimiter.length));
    }
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated: all.isTruncated };
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

server.run().then(({ port: actual }) => console.log(`s3rver listening on 127.0.0.1:${actual}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
