// Cross-language check: talks to a running Sluice server using nothing but the .proto files.
//   node check.js [host:port]     (default localhost:7070)
// Exits 0 when cache set/get and queue publish/receive/ack all behave; 1 with a message otherwise.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const target = process.argv[2] || 'localhost:7070';
const protoDir = path.join(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');
const def = loader.loadSync(['sluice/v1/cache.proto', 'sluice/v1/queue.proto'], {
  includeDirs: [protoDir], keepCase: true, longs: String, defaults: true,
});
const v1 = grpc.loadPackageDefinition(def).sluice.v1;
const cache = new v1.CacheService(target, grpc.credentials.createInsecure());
const queues = new v1.QueueService(target, grpc.credentials.createInsecure());

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + 10000 }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  console.log('ok   ' + what);
}

async function main() {
  const key = 'node-interop-' + process.pid;
  const set = await call(cache, 'Set', { key: Buffer.from(key), value: Buffer.from('from node') });
  check(set.succeeded && set.entry.version === '1', 'Set answers succeeded, version 1');
  const got = await call(cache, 'Get', { key: Buffer.from(key) });
  check(got.found && got.entry.value.toString() === 'from node', 'Get returns the value set');
  const cas = await call(cache, 'Set', { key: Buffer.from(key), value: Buffer.from('x'), expected_version: 9 });
  check(!cas.succeeded && cas.entry.version === '1', 'a failed compare-and-set is an answer, not an error');

  const queue = 'node-interop-' + process.pid;
  await call(queues, 'CreateQueue', { name: queue, config: {} });
  const pub = await call(queues, 'Publish', { queue, messages: [{ payload: Buffer.from('job 1'), attributes: { lang: 'js' } }] });
  check(pub.message_ids.length === 1, 'Publish returns one id');
  const rec = await call(queues, 'Receive', { queue, max_messages: 10, wait_time: { seconds: 5 } });
  check(rec.deliveries.length === 1 && rec.deliveries[0].payload.toString() === 'job 1'
      && rec.deliveries[0].attributes.lang === 'js', 'Receive delivers the message with its attributes');
  const ack = await call(queues, 'Ack', { queue, ack_tokens: [rec.deliveries[0].ack_token] });
  check(ack.accepted.length === 1 && ack.accepted[0] === true, 'Ack accepts the delivery token');
  const again = await call(queues, 'Ack', { queue, ack_tokens: [rec.deliveries[0].ack_token] });
  check(again.accepted[0] === false, 'a second Ack with the same token is refused as stale');
  const info = await call(queues, 'GetQueue', { name: queue });
  check(info.stats.acked === '1' && info.stats.in_flight === '0', 'GetQueue counts the ack');
  await call(queues, 'DeleteQueue', { name: queue });

  try {
    await call(queues, 'GetQueue', { name: queue });
    check(false, 'GetQueue of a deleted queue fails');
  } catch (e) {
    check(e.code === grpc.status.NOT_FOUND, 'GetQueue of a deleted queue is NOT_FOUND');
  }
  console.log('node interop: all checks passed against ' + target);
}

main().then(() => process.exit(0), (e) => {
  console.error('node interop: ' + e.message);
  process.exit(1);
});
