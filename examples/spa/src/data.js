// Recipes are fetched at runtime from public/recipes.json (relative URL, so any path and port work).
// The kitchen API is slow: the list shows up about 1.2 s after the page opens.
export const LOAD_DELAY_MS = 1200;
export const PAGE_SIZE = 8;

export function loadRecipes({ delay = LOAD_DELAY_MS, fetchImpl = (url) => fetch(url) } = {}) {
  return new Promise((resolve) => setTimeout(resolve, delay))
    .then(() => fetchImpl('recipes.json'))
    .then((response) => {
      if (!response.ok) throw new Error(`recipes.json: HTTP ${response.status}`);
      return response.json();
    })
    .then((data) => data.recipes);
}

export function pageOf(items, page, size = PAGE_SIZE) {
  return items.slice(page * size, (page + 1) * size);
}

export function pageCount(total, size = PAGE_SIZE) {
  return Math.max(1, Math.ceil(total / size));
}

export function formatPrice(amount) {
  return `$${amount.toFixed(2)}`;
}

export function recipeIdFromHash(hash) {
  const match = /^#\/recipe\/([\w-]+)$/.exec(hash || '');
  return match ? match[1] : null;
}
