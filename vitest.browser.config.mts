// Vitest configuration of `npm run test:browser`: the tests that render cards in headless Chromium, and only those.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/browser/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // One browser per test file; files in parallel would only compete for the same CPU.
        fileParallelism: false,
    },
});
