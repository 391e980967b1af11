// The shop as a visitor uses it, over real HTTP on an ephemeral port (node's built-in test runner).
// These tests pin what must keep working, not the layout, the wording or how pages are split.
const { after, before, describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { createApp, products } = require('../app');

let server;
let base;

before(async () => {
  server = createApp().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

// A visitor: keeps its cookies, never follows redirects by itself.
function visitor() {
  const jar = new Map();
  return async function request(path, { form, method } = {}) {
    const headers = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(base + path, { method: method || (form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  };
}

function hrefs(html) {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replaceAll('&amp;', '&'));
}

describe('listing', () => {
  it('reaches every product from the front page by following the listing pages', async () => {
    const request = visitor();
    const seenPages = new Set(['/']);
    const queue = ['/'];
    const found = new Set();
    while (queue.length) {
      const page = await request(queue.shift());
      assert.equal(page.status, 200);
      for (const href of hrefs(page.text)) {
        const url = new URL(href, base);
        if (url.origin !== base) continue;
        const item = /^\/items\/([\w-]+)$/.exec(url.pathname);
        if (item) found.add(item[1]);
        const listing = url.pathname === '/' && url.searchParams.has('page') ? url.pathname + url.search : null;
        if (listing && !seenPages.has(listing) && seenPages.size < 50) {
          seenPages.add(listing);
          queue.push(listing);
        }
      }
    }
    assert.deepEqual([...found].sort(), products.map((p) => p.id).sort());
  });

  it('has at least 40 products in at least 5 categories', () => {
    assert.ok(products.length >= 40);
    assert.ok(new Set(products.map((p) => p.category)).size >= 5);
    assert.equal(new Set(products.map((p) => p.id)).size, products.length);
  });
});

describe('item pages', () => {
  it('show the name and the price, and offer to add the item to the basket', async () => {
    const request = visitor();
    for (const product of products) {
      const page = await request(`/items/${product.id}`);
      assert.equal(page.status, 200, product.id);
      assert.ok(page.text.includes(product.name.replaceAll('&', '&amp;')), product.id);
      assert.ok(page.text.includes(product.price.toFixed(2)), product.id);
      assert.match(page.text, /<form[^>]*method="post"[^>]*action="\/basket"/i);
      assert.ok(page.text.includes(`name="id" value="${product.id}"`), product.id);
    }
  });

  it('answer 404 for an unknown item', async () => {
    assert.equal((await visitor()('/items/no-such-plant')).status, 404);
  });
});

describe('basket', () => {
  const [first, second] = products;

  it('starts empty', async () => {
    const page = await visitor()('/basket');
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes(first.name));
  });

  it('holds what was added, with quantities and a total', async () => {
    const request = visitor();
    await request('/');
    const added = await request('/basket', { form: { id: first.id, quantity: '2' } });
    assert.ok(added.status < 400, `add answered ${added.status}`);
    await request('/basket', { form: { id: first.id, quantity: '1' } });
    await request('/basket', { form: { id: second.id } });
    const basket = await request('/basket');
    assert.ok(basket.text.includes(first.name) && basket.text.includes(second.name));
    const total = (first.price * 3 + second.price).toFixed(2);
    assert.ok(basket.text.includes(total), `total ${total} not shown`);
  });

  it('is kept per visitor', async () => {
    const alice = visitor();
    await alice('/');
    await alice('/basket', { form: { id: first.id } });
    const bob = await visitor()('/basket');
    assert.ok(!bob.text.includes(first.name));
  });

  it('lets an item be removed', async () => {
    const request = visitor();
    await request('/');
    await request('/basket', { form: { id: first.id } });
    const removed = await request('/basket/remove', { form: { id: first.id } });
    assert.ok(removed.status < 400);
    assert.ok(!(await request('/basket')).text.includes(first.name));
  });

  it('refuses unknown items and silly quantities', async () => {
    const request = visitor();
    await request('/');
    assert.equal((await request('/basket', { form: { id: 'no-such-plant' } })).status, 404);
    for (const quantity of ['0', '-1', '11', 'lots']) {
      assert.equal((await request('/basket', { form: { id: first.id, quantity } })).status, 400, quantity);
    }
    assert.ok(!(await request('/basket')).text.includes(first.name));
  });
});

describe('pages', () => {
  it('load nothing from other hosts', async () => {
    const request = visitor();
    for (const path of ['/', '/?page=2', `/items/${products[0].id}`, '/basket', '/style.css']) {
      const page = await request(path);
      assert.equal(page.status, 200, path);
      assert.ok(!/(src|href)="(https?:)?\/\//.test(page.text), path);
      assert.ok(!/url\((['"]?)(https?:)?\/\//.test(page.text), path);
    }
  });

  it('answer 404 for unknown paths', async () => {
    assert.equal((await visitor()('/no/such/page')).status, 404);
  });
});
