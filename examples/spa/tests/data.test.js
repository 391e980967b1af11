import { afterEach, describe, expect, it, vi } from 'vitest';
import catalog from '../public/recipes.json';
import { LOAD_DELAY_MS, loadRecipes, pageCount, pageOf } from '../src/data.js';


describe('recipes.json', () => {
  it('holds at least 40 recipes in at least 6 categories', () => {
    expect(catalog.recipes.length).toBeGreaterThanOrEqual(40);
    expect(new Set(catalog.recipes.map((r) => r.category)).size).toBeGreaterThanOrEqual(6);
  });

  it('gives every recipe a unique id, a name, a price and ingredients', () => {
    const ids = catalog.recipes.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of catalog.recipes) {
      expect(r.id).toMatch(/^[a-z0-9-]+$/);
      expect(r.name.length).toBeGreaterThan(0);
      expect(r.pricePerServing).toBeGreaterThan(0);
      expect(r.minutes).toBeGreaterThan(0);
      expect(r.ingredients.length).toBeGreaterThan(0);
    }
  });
});

describe('loadRecipes', () => {
  afterEach(() => vi.useRealTimers());

  it('fetches the relative recipes.json only after the delay', async () => {
    vi.useFakeTimers();
    const fetchImpl = vi.fn(async () => ({ ok: true, json: async () => catalog }));
    const loading = loadRecipes({ fetchImpl });
    await vi.advanceTimersByTimeAsync(LOAD_DELAY_MS - 1);
    expect(fetchImpl).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchImpl).toHaveBeenCalledWith('recipes.json');
    await expect(loading).resolves.toEqual(catalog.recipes);
  });

  it('rejects when the server answers with an error', async () => {
    const fetchImpl = async () => ({ ok: false, status: 500 });
    await expect(loadRecipes({ delay: 0, fetchImpl })).rejects.toThrow('HTTP 500');
  });
});

describe('paging helpers', () => {
  it('cover every item exactly once', () => {
    const items = catalog.recipes;
    const seen = [];
    for (let p = 0; p < pageCount(items.length); p += 1) seen.push(...pageOf(items, p));
    expect(seen).toEqual(items);
  });
});
