import { useEffect, useState } from 'react';
import { formatPrice, loadRecipes, pageCount, pageOf, recipeIdFromHash } from './data.js';

function RecipeList({ recipes }) {
  const [page, setPage] = useState(0);
  const last = pageCount(recipes.length) - 1;
  const next = () => {
    setPage(page >= last ? 0 : page + 1);
    window.scrollTo(0, 0);
  };
  return (
    <section>
      <ul className="recipe-list">
        {pageOf(recipes, page).map((recipe) => (
          <li key={recipe.id} className="recipe-card">
            <a className="recipe-link" href={`#/recipe/${recipe.id}`}>{recipe.name}</a>
            <span className="recipe-category">{recipe.category}</span>
            <span className="recipe-time">{recipe.minutes} min</span>
            <span className="price">{formatPrice(recipe.pricePerServing)} / serving</span>
          </li>
        ))}
      </ul>
      <div className="pager">
        <button type="button" className="next-page" onClick={next}>
          {page >= last ? 'Start over' : 'Next'}
        </button>
      </div>
    </section>
  );
}

function RecipeDetail({ recipe }) {
  if (!recipe) {
    return (
      <section className="recipe-detail">
        <p>That recipe does not exist.</p>
        <a className="back-link" href="#/">Back to recipes</a>
      </section>
    );
  }
  return (
    <article className="recipe-detail">
      <h2 className="recipe-name">{recipe.name}</h2>
      <p className="recipe-meta">
        {recipe.category} · {recipe.minutes} min · {formatPrice(recipe.pricePerServing)} per serving
      </p>
      <h3>Ingredients</h3>
      <ul className="ingredients">
        {recipe.ingredients.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      <a className="back-link" href="#/">Back to recipes</a>
    </article>
  );
}

export default function App() {
  const [recipes, setRecipes] = useState(null);
  const [error, setError] = useState(null);
  const [recipeId, setRecipeId] = useState(() => recipeIdFromHash(window.location.hash));

  useEffect(() => {
    let live = true;
    loadRecipes()
      .then((list) => live && setRecipes(list))
      .catch((err) => live && setError(err.message));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    const onHash = () => setRecipeId(recipeIdFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  let body;
  if (error) body = <p className="error">Sorry, the recipes could not be loaded.</p>;
  else if (!recipes) body = <p className="loading">Loading…</p>;
  else if (recipeId) body = <RecipeDetail recipe={recipes.find((r) => r.id === recipeId)} />;
  else body = <RecipeList recipes={recipes} />;

  return (
    <>
      <header className="site-header">
        <a className="brand" href="#/">Pantry</a>
        <span className="tagline">Recipes for every day</span>
      </header>
      <main>
        <h1>Recipes</h1>
        {body}
      </main>
      <footer className="site-footer">Pantry recipe collection</footer>
    </>
  );
}
