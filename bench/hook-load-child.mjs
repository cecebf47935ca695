// The open-loop load generator of the serve-hook benchmark, in its own process so a stall of the
// listener's event loop cannot slow the sending down and hide itself. Request i is due at
// start + i / rate whatever happened to the earlier ones, and its latency is measured from that
// due time (not from when it went out): a listener that stalls for 200 ms shows 200 ms.
//   node bench/hook-load-child.mjs <url> <path> <rate> <seconds> <cases> <firstMessageId> [firstCaseId]
// Prints one JSON line: sent, ok, errors, percentiles (ms), the achieved rate, and how late the
// generator itself sent (sendLateP99Ms: large means this process, not the listener, was starved).
import { Pool } from 'undici';

const [url, path, rateArg, secondsArg, casesArg, firstArg, firstCaseArg] = process.argv.slice(2);
const firstCase = Number(firstCaseArg ?? 1);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const cases = Number(casesArg);
const firstId = Number(firstArg);
const total = Math.round(rate * seconds);
const intervalMs = 1000 / rate;
const pool = new Pool(url, { connections: 256, pipelining: 1 });

const latencies = [];
const sendLate = [];
let errors = 0;
let sent = 0;
let done = 0;
let lastSendAt = 0;

function body(id) {
  return new URLSearchParams({
    type: 'message_new',
    'object[message_id]': String(id),
    'object[case_id]': String(firstCase + (id % cases)),
    'object[staff_id]': '7',
    'object[user_id]': '0',
    'object[content]': `Thanks for the review #${id}`,
    'object[note]': '0',
    'object[sent_via_rule]': '0',
  }).toString();
}

async function fire(i, dueAt) {
  lastSendAt = performance.now();
  sendLate.push(lastSendAt - dueAt);
  try {
    const res = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body(firstId + i),
    });
    await res.body.text();
    if (res.statusCode === 200) latencies.push(performance.now() - dueAt);
    else errors += 1;
  } catch {
    errors += 1;
  }
  done += 1;
}

const start = performance.now() + 100;
const all = [];
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    // Everything due by now goes now, each keeping its own due time.
    while (sent < total && start + sent * intervalMs <= now) {
      all.push(fire(sent, start + sent * intervalMs));
      sent += 1;
    }
    if (sent >= total) return resolve();
    setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
  };
  setTimeout(tick, 100);
});
await Promise.all(all);
const sendingS = Math.max(0.001, (lastSendAt - start) / 1000);
await pool.close();

const pct = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
};
const r2 = (n) => Math.round(n * 100) / 100;
console.log(
  JSON.stringify({
    sent,
    ok: latencies.length,
    errors,
    done,
    // Requests sent per second of the schedule (the schedule's rate, unless this process lagged).
    achievedRate: Math.round((sent - 1) / sendingS),
    p50Ms: r2(pct(latencies, 50)),
    p90Ms: r2(pct(latencies, 90)),
    p99Ms: r2(pct(latencies, 99)),
    maxMs: r2(pct(latencies, 100)),
    sendLateP99Ms: r2(pct(sendLate, 99)),
  }),
);
