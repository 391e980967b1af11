import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: dist/ works from any path and port.
  base: './',
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{js,jsx}'],
  },
});
