// Fern & Pot: a small plant shop, rendered on the server with EJS.
const crypto = require('node:crypto');
const path = require('node:path');
const express = require('express');
const products = require('./data/products.json');

const PAGE_SIZE = 10;
const MAX_QUANTITY = 10;

function formatPrice(amount) {
  return `$${amount.toFixed(2)}`;
}

function readCookie(req, name) {
  for (const part of (req.headers.cookie || '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

function createApp() {
  const app = express();
  const baskets = new Map(); // basket id -> Map(product id -> quantity)
  const byId = new Map(products.map((p) => [p.id, p]));

  app.set('views', path.join(__dirname, 'views'));
  app.set('view engine', 'ejs');
  app.locals.formatPrice = formatPrice;
  app.use(express.static(path.join(__dirname, 'public')));
  app.use(express.urlencoded({ extended: false }));

  // Every visitor gets a basket, found again through a cookie.
  app.use((req, res, next) => {
    let id = readCookie(req, 'basket');
    if (!id || !baskets.has(id)) {
      id = crypto.randomUUID();
      baskets.set(id, new Map());
      res.append('Set-Cookie', `basket=${id}; Path=/; HttpOnly; SameSite=Lax`);
    }
    req.basket = baskets.get(id);
    next();
  });

  app.get('/', (req, res) => {
    const pages = Math.ceil(products.length / PAGE_SIZE);
    const page = Number.parseInt(req.query.page, 10) || 1;
    if (page < 1 || page > pages) return res.redirect('/');
    const items = products.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    res.render('index', { title: 'All products', items, page, pages });
  });

  app.get('/items/:id', (req, res, next) => {
    const item = byId.get(req.params.id);
    if (!item) return next();
    res.render('item', { title: item.name, item });
  });

  app.post('/basket', (req, res, next) => {
    const item = byId.get(req.body.id);
    if (!item) return next();
    const quantity = Number.parseInt(req.body.quantity || '1', 10);
    if (!(quantity >= 1 && quantity <= MAX_QUANTITY)) {
      return res.status(400).render('error', { title: 'Bad request', message: 'Invalid quantity.' });
    }
    req.basket.set(item.id, Math.min(MAX_QUANTITY, (req.basket.get(item.id) || 0) + quantity));
    res.redirect(303, `/items/${item.id}`);
  });

  app.post('/basket/remove', (req, res) => {
    req.basket.delete(req.body.id);
    res.redirect(303, '/basket');
  });

  app.get('/basket', (req, res) => {
    const lines = [...req.basket].map(([id, quantity]) => ({ item: byId.get(id), quantity }));
    const total = lines.reduce((sum, line) => sum + line.item.price * line.quantity, 0);
    res.render('basket', { title: 'Basket', lines, total });
  });

  app.use((req, res) => {
    res.status(404).render('error', { title: 'Not found', message: 'That page does not exist.' });
  });

  return app;
}

module.exports = { createApp, products, PAGE_SIZE };
