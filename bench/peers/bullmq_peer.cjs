// BullMQ on the workloads chime-bench runs: jobs/s scheduled with addBulk (delayed jobs),
// Redis memory per delayed job, and N jobs due within a window, run by one Worker with
// concurrency 50 in a process of its own (lag from the due time to the job starting, p50/p99,
// lost/twice/early). Prints one JSON line.
//
// usage: NODE_PATH=<cache>/node/node_modules node bullmq_peer.cjs [--deliver N] [--window S]
//        [--ingest N]
'use strict';
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');
const { spawn, fork } = require('child_process');
const net = require('net');
const fs = require('fs');

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (process.argv[2] === '--worker') {
  const port = Number(process.argv[3]);
  const seen = [];
  const worker = new Worker('bench', async (job) => {
    seen.push([job.name, now(), job.timestamp + (job.opts.delay || 0)]);
  }, { connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null }, concurrency: 50 });
  worker.on('ready', () => process.send({ ready: true }));
  process.on('message', async (m) => {
    if (m === 'count') process.send({ count: seen.length });
    if (m === 'done') {
      process.send({ seen });
      await worker.close();
      process.exit(0);
    }
  });
  return;
}

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function usedMemory(client) {
  const read = async () => Number((await client.info('memory')).match(/used_memory:(\d+)/)[1]);
  let last = await read();
  for (let i = 0; i < 10; i++) {
    await sleep(1000);
    const n = await read();
    if (Math.abs(n - last) < 1024) return n;
    last = n;
  }
  return last;
}

function accepts(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
    c.on('error', () => resolve(false));
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.round((p / 100) * (sorted.length - 1));
  return sorted[Math.min(i, sorted.length - 1)];
}

const r1 = (x) => (x == null ? null : Math.round(x * 10) / 10);

async function main() {
  const deliver = arg('--deliver', 2000);
  const windowS = arg('--window', 10);
  const ingest = arg('--ingest', 20000);
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let child = null;
  const out = { peer: 'bullmq', version: 'bullmq ' + require('bullmq/package.json').version, workers: '1 Worker, concurrency 50' };
  try {
    const connection = { host: '127.0.0.1', port };
    for (let i = 0; !(await accepts(port)); i++) {
      if (i > 200) throw new Error('private redis-server not up');
      await sleep(50);
    }
    const r = new IORedis({ host: '127.0.0.1', port });
    const q = new Queue('bench', { connection });
    // Ingest and memory: delayed jobs over 30 days, added 1,000 at a time, nothing running them.
    const before = await usedMemory(r);
    const t0 = now();
    for (let i = 0; i < ingest; i += 1000) {
      const bulk = [];
      for (let j = i; j < Math.min(i + 1000, ingest); j++) {
        bulk.push({ name: 'far-' + j, data: {}, opts: { delay: 7200e3 + Math.round(j * (30 * 86400e3 / ingest)), removeOnComplete: true } });
      }
      await q.addBulk(bulk);
    }
    const took = (now() - t0) / 1000;
    out.ingest_per_s = r1(ingest / took);
    out.redis_bytes_per_delayed_job = r1(((await usedMemory(r)) - before) / ingest);
    console.error(`bullmq: ${ingest} delayed jobs with addBulk in ${took.toFixed(1)} s`);
    await r.flushall();

    child = fork(__filename, ['--worker', String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ask = (m, key) => new Promise((resolve) => {
      const on = (msg) => { if (key in msg) { child.off('message', on); resolve(msg[key]); } };
      child.on('message', on);
      if (m) child.send(m);
    });
    await ask(null, 'ready');

    const start = now() + 2000 + deliver / 2;
    const ids = new Set();
    for (let i = 0; i < deliver; i += 1000) {
      const bulk = [];
      for (let j = i; j < Math.min(i + 1000, deliver); j++) {
        const due = start + (windowS * 1000 * j) / deliver;
        ids.add(String(j));
        bulk.push({ name: String(j), data: {}, opts: { delay: Math.max(0, Math.round(due - now())), removeOnComplete: true } });
      }
      await q.addBulk(bulk);
    }
    if (now() > start) console.error(`bullmq: set-up finished ${Math.round(now() - start)} ms after the window opened`);
    const windowEnd = start + windowS * 1000;
    let last = [-1, now()];
    for (;;) {
      const got = await ask('count', 'count');
      if (got >= deliver) break;
      if (got !== last[0]) last = [got, now()];
      if (now() > windowEnd && (now() - last[1] > 20000 || now() > windowEnd + 120000)) break;
      await sleep(100);
    }
    const seen = await ask('done', 'seen');
    const counts = new Map();
    const lags = [];
    let early = 0;
    for (const [id, at, due] of seen) {
      counts.set(id, (counts.get(id) || 0) + 1);
      if (ids.has(id)) {
        const lag = at - due;
        if (lag < 0) early++;
        lags.push(lag);
      }
    }
    lags.sort((a, b) => a - b);
    const delivered = [...ids].filter((id) => counts.has(id)).length;
    Object.assign(out, {
      delivered, lost: deliver - delivered,
      duplicates: [...counts.values()].filter((c) => c > 1).length, early,
      lag_p50_ms: r1(percentile(lags, 50)), lag_p99_ms: r1(percentile(lags, 99)),
      lag_max_ms: r1(lags[lags.length - 1]), deliver, window_s: windowS,
    });
    await q.close();
    r.disconnect();
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    redis.kill('SIGKILL');
  }
  out.load_average = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(JSON.stringify(out));
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
