// A TCP proxy that counts the bytes a client and a server exchange, for the
// server-load figures (bench/idle_dispatch.sh): every connection, closed
// ones included, both ways, with no parsing (HTTP and WebSocket alike).
//
//   node count_proxy.mjs TARGET_PORT TOTALS_FILE
//       listens on 127.0.0.1:<ephemeral>, prints {"port": N}, forwards every
//       connection to 127.0.0.1:TARGET_PORT and keeps TOTALS_FILE holding
//       {"up": bytes client->server, "down": bytes server->client, "connections": n}
//       (rewritten at most every 100 ms, and at exit).
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const [targetPort, totalsFile] = process.argv.slice(2);
const totals = { up: 0, down: 0, connections: 0 };
let dirty = false;
const flush = () => {
  if (!dirty) return;
  dirty = false;
  writeFileSync(totalsFile, JSON.stringify(totals));
};
setInterval(flush, 100);
writeFileSync(totalsFile, JSON.stringify(totals));

const server = net.createServer((client) => {
  totals.connections++;
  dirty = true;
  const upstream = net.connect(Number(targetPort), '127.0.0.1');
  client.on('data', (b) => { totals.up += b.length; dirty = true; });
  upstream.on('data', (b) => { totals.down += b.length; dirty = true; });
  client.pipe(upstream);
  upstream.pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end); upstream.on('error', end);
  client.on('close', end); upstream.on('close', end);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`{"port": ${server.address().port}}\n`));
const stop = () => { dirty = true; flush(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
