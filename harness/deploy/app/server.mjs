// The demo "Slack KB Agent" that the deploy host runs under supervisord: plain JavaScript with no
// dependencies, so each release folder is just this file, a VERSION file and bin/start.
//
// HTTP on 127.0.0.1:$KB_APP_PORT
//   GET  /health                 200 when healthy, 503 with a reason otherwise
//   GET  /metrics                Prometheus text exposition (the metrics the runbook greps for)
//   GET  /query?q=...            one knowledge-base query (500 while the `errors` fault is on)
//   POST /admin/fault?mode=M     loopback only; M = unhealthy | errors | memory | slow | clear
// Faults live in memory, so a restart clears them. A release folder holding a file named BROKEN
// starts, but /health answers 503 ("release vX is broken: <file content>").
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { setInterval, setTimeout, clearTimeout } from 'node:timers';

const releaseDir = path.dirname(fileURLToPath(import.meta.url));
const version = fs.readFileSync(path.join(releaseDir, 'VERSION'), 'utf8').trim();
const brokenReason = readBrokenMarker(path.join(releaseDir, 'BROKEN'));

const config = {
  port: requiredPort('KB_APP_PORT'),
  pgHost: process.env.PGHOST ?? '127.0.0.1',
  pgPort: requiredPort('PGPORT'),
  pgUser: process.env.PGUSER ?? 'postgres',
  pgDatabase: process.env.PGDATABASE ?? 'slack_kb_agent',
  redisPort: requiredPort('REDIS_PORT'),
  memoryLimitBytes: Number(process.env.KB_MEMORY_LIMIT_BYTES ?? 512 * 1024 * 1024),
};

const WINDOW_MS = 5 * 60 * 1000;
const MEMORY_STEP_BYTES = 50 * 1024 * 1024;
const MEMORY_MAX_STEPS = 8;
const FAULT_MODES = ['unhealthy', 'errors', 'memory', 'slow', 'clear'];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const startedAt = Date.now();

const faults = { unhealthy: false, errors: false, slow: false };
const leaked = [];
const stats = {
  requestsTotal: 0,
  errorsTotal: 0,
  messagesProcessed: 0,
  errorTimes: [],
  recentDurations: [],
  bucketCounts: BUCKETS.map(() => 0),
  durationSum: 0,
  durationCount: 0,
  rateLimitWindowStart: Date.now(),
  rateLimitUsed: 0,
};
const documentsCache = { value: undefined, at: 0 };

function requiredPort(name) {
  const port = Number(process.env[name]);
  if (!Number.isInteger(port) || port <= 0) {
    console.log(`${new Date().toISOString()} ERROR missing or invalid ${name}=${process.env[name]}`);
    process.exit(78);
  }
  return port;
}

function readBrokenMarker(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim() || 'marked BROKEN';
  } catch {
    return null;
  }
}

function log(level, message) {
  console.log(`${new Date().toISOString()} ${level} ${message}`);
}

function prune(list, now) {
  while (list.length > 0 && now - (list[0].at ?? list[0]) > WINDOW_MS) list.shift();
}

function recordQuery(seconds, failure) {
  const now = Date.now();
  stats.requestsTotal += 1;
  stats.durationSum += seconds;
  stats.durationCount += 1;
  BUCKETS.forEach((le, i) => {
    if (seconds <= le) stats.bucketCounts[i] += 1;
  });
  stats.recentDurations.push({ at: now, seconds });
  prune(stats.recentDurations, now);
  if (failure) {
    stats.errorsTotal += 1;
    stats.errorTimes.push(now);
    prune(stats.errorTimes, now);
    log('ERROR', `query failed after ${seconds.toFixed(3)}s: ${failure}`);
  }
}

function syntheticQueryDuration() {
  return faults.slow ? 2.5 + Math.random() * 1.5 : 0.02 + Math.random() * 0.18;
}

const SYNTHETIC_FAILURE = 'upstream LLM call returned 502 Bad Gateway (injected fault: errors)';

// Background traffic so counters and the histogram move without anyone calling the service.
function syntheticTick() {
  const now = Date.now();
  if (now - stats.rateLimitWindowStart >= 60_000) {
    stats.rateLimitWindowStart = now;
    stats.rateLimitUsed = 0;
  }
  const messages = 1 + Math.floor(Math.random() * 3);
  stats.messagesProcessed += messages;
  stats.rateLimitUsed += messages;
  recordQuery(syntheticQueryDuration(), null);
  if (faults.errors) {
    for (let i = 0; i < 3; i += 1) recordQuery(syntheticQueryDuration(), SYNTHETIC_FAILURE);
  }
}

function errorRatePerSecond(now) {
  prune(stats.errorTimes, now);
  // Like rate(...[5m]) but without extrapolation; a young process divides by its own age.
  const windowSeconds = Math.max(1, Math.min(WINDOW_MS, now - startedAt) / 1000);
  return stats.errorTimes.length / windowSeconds;
}

function p95Seconds(now) {
  prune(stats.recentDurations, now);
  if (stats.recentDurations.length === 0) return 0;
  const sorted = stats.recentDurations.map((d) => d.seconds).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function tcpConnect(host, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function redisPing(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      if (reply.startsWith('+PONG')) resolve();
      else reject(new Error(`unexpected reply ${JSON.stringify(reply.trim())}`));
    });
    socket.once('error', reject);
  });
}

// A minimal PostgreSQL simple-query client (trust authentication only), enough to read one scalar.
function pgScalar(sql) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: config.pgHost, port: config.pgPort });
    let pending = Buffer.alloc(0);
    let queried = false;
    let value = null;
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
    socket.once('connect', () => {
      const params = Buffer.from(`user\0${config.pgUser}\0database\0${config.pgDatabase}\0\0`);
      const header = Buffer.alloc(8);
      header.writeInt32BE(8 + params.length, 0);
      header.writeInt32BE(196608, 4); // protocol 3.0
      socket.write(Buffer.concat([header, params]));
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const type = String.fromCharCode(pending[0]);
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) return;
        const body = pending.subarray(5, 1 + length);
        pending = pending.subarray(1 + length);
        if (type === 'R' && body.readInt32BE(0) !== 0) return fail(new Error('postgres wants a password'));
        if (type === 'E') return fail(new Error(`postgres: ${pgErrorMessage(body)}`));
        if (type === 'D' && body.readInt16BE(0) > 0) {
          const size = body.readInt32BE(2);
          value = size < 0 ? null : body.subarray(6, 6 + size).toString('utf8');
        }
        if (type === 'Z' && !queried) {
          queried = true;
          const text = Buffer.from(`${sql}\0`);
          const query = Buffer.alloc(5);
          query.write('Q', 0, 'latin1');
          query.writeInt32BE(4 + text.length, 1);
          socket.write(Buffer.concat([query, text]));
        } else if (type === 'Z') {
          socket.end(Buffer.from([0x58, 0, 0, 0, 4])); // Terminate
          resolve(value);
        }
      }
    });
    socket.once('error', reject);
  });
}

function pgErrorMessage(body) {
  const fields = body.toString('utf8').split('\0');
  const message = fields.find((field) => field.startsWith('M'));
  return message ? message.slice(1) : 'unknown error';
}

async function documentCount() {
  if (Date.now() - documentsCache.at > 2000) {
    try {
      documentsCache.value = Number(
        await withTimeout(pgScalar('select count(*) from documents'), 1000, 'document count'),
      );
      documentsCache.at = Date.now();
    } catch (error) {
      log('WARN', `could not count documents: ${error.message}`);
    }
  }
  return documentsCache.value;
}

async function check(probe, what) {
  try {
    await withTimeout(probe(), 1000, what);
    return 'ok';
  } catch (error) {
    return `error: ${error.message}`;
  }
}

async function health() {
  const [postgres, redis] = await Promise.all([
    check(() => tcpConnect(config.pgHost, config.pgPort), 'postgres connect'),
    check(() => redisPing(config.redisPort), 'redis PING'),
  ]);
  const reason = brokenReason
    ? `release ${version} is broken: ${brokenReason}`
    : faults.unhealthy
      ? 'injected fault: unhealthy'
      : postgres !== 'ok'
        ? `postgres check failed: ${postgres}`
        : redis !== 'ok'
          ? `redis check failed: ${redis}`
          : null;
  const body = {
    status: reason ? 'unhealthy' : 'ok',
    version,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    checks: { postgres, redis },
  };
  if (reason) body.reason = reason;
  return { statusCode: reason ? 503 : 200, body };
}

function metric(lines, name, type, help, samples) {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [suffix, value] of samples) lines.push(`${name}${suffix} ${value}`);
}

async function metrics() {
  const now = Date.now();
  const documents = await documentCount();
  const lines = [];
  metric(lines, 'up', 'gauge', 'Whether the Slack KB Agent process is up.', [['', 1]]);
  metric(lines, 'slack_kb_agent_build_info', 'gauge', 'Release currently running.', [
    [`{version="${version}"}`, 1],
  ]);
  metric(lines, 'slack_kb_agent_uptime_seconds', 'gauge', 'Seconds since the process started.', [
    ['', ((now - startedAt) / 1000).toFixed(3)],
  ]);
  metric(lines, 'slack_kb_agent_requests_total', 'counter', 'Knowledge-base queries handled.', [
    ['', stats.requestsTotal],
  ]);
  metric(lines, 'slack_kb_agent_errors_total', 'counter', 'Knowledge-base queries that failed.', [
    ['', stats.errorsTotal],
  ]);
  metric(lines, 'slack_kb_agent_error_rate', 'gauge', 'Errors per second over the last 5 minutes.', [
    ['', errorRatePerSecond(now).toFixed(6)],
  ]);
  // recordQuery counts an observation in every bucket whose bound it fits, so these are cumulative.
  const buckets = BUCKETS.map((le, i) => [`_bucket{le="${le}"}`, stats.bucketCounts[i]]);
  metric(lines, 'slack_kb_agent_query_duration_seconds', 'histogram', 'Knowledge-base query latency.', [
    ...buckets,
    ['_bucket{le="+Inf"}', stats.durationCount],
    ['_sum', stats.durationSum.toFixed(6)],
    ['_count', stats.durationCount],
  ]);
  metric(
    lines,
    'slack_kb_agent_response_time_p95_seconds',
    'gauge',
    '95th percentile query latency over the last 5 minutes.',
    [['', p95Seconds(now).toFixed(6)]],
  );
  metric(lines, 'slack_kb_agent_memory_usage_bytes', 'gauge', 'Resident set size of the process.', [
    ['', process.memoryUsage.rss()],
  ]);
  metric(lines, 'slack_kb_agent_memory_limit_bytes', 'gauge', 'Memory limit configured for the agent.', [
    ['', config.memoryLimitBytes],
  ]);
  metric(
    lines,
    'kb_documents',
    'gauge',
    'Documents in the knowledge base.',
    documents === undefined ? [] : [['', documents]],
  );
  metric(lines, 'slack_messages_processed_total', 'counter', 'Slack messages processed.', [
    ['', stats.messagesProcessed],
  ]);
  metric(lines, 'slack_api_rate_limit_remaining', 'gauge', 'Slack API calls left in the current minute.', [
    ['', Math.max(0, 100 - stats.rateLimitUsed)],
  ]);
  return `${lines.join('\n')}\n`;
}

function applyFault(mode, steps) {
  switch (mode) {
    case 'unhealthy':
      faults.unhealthy = true;
      break;
    case 'errors':
      faults.errors = true;
      // A burst first, so the 5-minute error rate crosses the alert threshold (0.1/s) at once.
      for (let i = 0; i < 30; i += 1) recordQuery(syntheticQueryDuration(), SYNTHETIC_FAILURE);
      break;
    case 'slow':
      faults.slow = true;
      break;
    case 'memory':
      for (let i = 0; i < steps && leaked.length < MEMORY_MAX_STEPS; i += 1) {
        // fill() touches every page, so the growth shows up in RSS and not only in virtual size.
        leaked.push(Buffer.allocUnsafe(MEMORY_STEP_BYTES).fill(i + 1));
      }
      break;
    case 'clear':
      faults.unhealthy = false;
      faults.errors = false;
      faults.slow = false;
      leaked.length = 0;
      globalThis.gc?.();
      break;
    default:
      return false;
  }
  log(
    'WARN',
    `fault ${mode} applied; active faults ${JSON.stringify(faults)}, leaked ${leaked.length} x 50MB`,
  );
  return true;
}

function isLoopback(address) {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function send(res, statusCode, body, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(statusCode, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function route(req, res, url) {
  if (req.method === 'GET' && url.pathname === '/health') {
    const { statusCode, body } = await health();
    return send(res, statusCode, body);
  }
  if (req.method === 'GET' && url.pathname === '/metrics') {
    return send(res, 200, await metrics(), 'text/plain; version=0.0.4; charset=utf-8');
  }
  if (req.method === 'GET' && url.pathname === '/query') {
    const seconds = syntheticQueryDuration();
    const failure = faults.errors ? SYNTHETIC_FAILURE : null;
    recordQuery(seconds, failure);
    if (failure) return send(res, 500, { error: failure });
    return send(res, 200, { query: url.searchParams.get('q') ?? '', hits: Math.floor(Math.random() * 5) });
  }
  if (url.pathname === '/admin/fault') {
    if (!isLoopback(req.socket.remoteAddress)) return send(res, 403, { error: 'loopback only' });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
    const mode = url.searchParams.get('mode') ?? '';
    const steps = Math.max(1, Number(url.searchParams.get('steps') ?? 1) || 1);
    if (!applyFault(mode, steps)) {
      return send(res, 400, { error: `unknown mode ${JSON.stringify(mode)}`, modes: FAULT_MODES });
    }
    return send(res, 200, { faults, memoryHeldBytes: leaked.length * MEMORY_STEP_BYTES });
  }
  if (req.method === 'GET' && url.pathname === '/') {
    return send(res, 200, { service: 'slack-kb-agent', version });
  }
  return send(res, 404, { error: 'not found' });
}

const server = http.createServer((req, res) => {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    log('INFO', `${req.method} ${url.pathname}${url.search} ${res.statusCode} ${ms.toFixed(1)}ms`);
  });
  route(req, res, url).catch((error) => {
    stats.errorsTotal += 1;
    stats.errorTimes.push(Date.now());
    log('ERROR', `${req.method} ${url.pathname} failed: ${error.stack ?? error}`);
    if (!res.headersSent) send(res, 500, { error: 'internal error' });
  });
});

server.listen(config.port, '127.0.0.1', () => {
  log('INFO', `slack-kb-agent ${version} listening on 127.0.0.1:${config.port} (pid ${process.pid})`);
  if (brokenReason) log('ERROR', `release ${version} is broken: ${brokenReason}`);
});
server.on('error', (error) => {
  log('ERROR', `cannot listen on 127.0.0.1:${config.port}: ${error.message}`);
  process.exit(1);
});

setInterval(syntheticTick, 1000);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    log('INFO', `received ${signal}, shutting down`);
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
