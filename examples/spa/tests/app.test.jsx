// The app as a user meets it, in a DOM: a placeholder first, then recipes that link to their details.
// These tests pin what must keep working, not how the list is laid out, paged, searched or sorted.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import catalog from '../public/recipes.json';
import App from '../src/App.jsx';
import { LOAD_DELAY_MS } from '../src/data.js';

globalThis.IS_REACT_ACT_ENVIRONMENT = true;

let container;
let root;

async function mount() {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  await act(async () => root.render(<App />));
}

async function finishLoading() {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(LOAD_DELAY_MS + 50);
  });
}

async function goTo(hash) {
  await act(async () => {
    window.location.hash = hash;
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  window.location.hash = '';
  vi.stubGlobal('fetch', vi.fn(async () => ({ ok: true, status: 200, json: async () => catalog })));
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('App', () => {
  it('shows no recipes before the data has arrived', async () => {
    await mount();
    expect(container.textContent.length).toBeGreaterThan(0);
    expect(container.querySelectorAll('a[href^="#/recipe/"]').length).toBe(0);
  });

  it('lists recipes, each linking to its details, once the data has arrived', async () => {
    await mount();
    await finishLoading();
    const links = [...container.querySelectorAll('a[href^="#/recipe/"]')];
    expect(links.length).toBeGreaterThan(0);
    const names = new Map(catalog.recipes.map((r) => [`#/recipe/${r.id}`, r.name]));
    for (const link of links) expect(link.textContent).toContain(names.get(link.getAttribute('href')));
    expect(globalThis.fetch).toHaveBeenCalledWith('recipes.json');
  });

  it('shows every recipe with its ingredients on its own route', async () => {
    await mount();
    await finishLoading();
    for (const recipe of catalog.recipes) {
      await goTo(`#/recipe/${recipe.id}`);
      expect(container.textContent).toContain(recipe.name);
      for (const ingredient of recipe.ingredients) expect(container.textContent).toContain(ingredient);
    }
  });

  it('says so when the recipes cannot be loaded', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => ({ ok: false, status: 503 })));
    await mount();
    await finishLoading();
    expect(container.querySelectorAll('a[href^="#/recipe/"]').length).toBe(0);
    expect(container.textContent.toLowerCase()).toMatch(/could not|couldn't|error|failed/);
  });
});
