// `npm start` serves on $PORT (and $HOST), as hosting platforms expect.
const { it } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

it('listens on the port and host given in the environment', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['server.js'], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let response;
    for (let attempt = 0; attempt < 100 && !response; attempt += 1) {
      try {
        response = await fetch(`http://127.0.0.1:${port}/`);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.ok(response, 'server never answered');
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<html/i);
  } finally {
    child.kill();
  }
});
