// Vitest configuration: every test under test/, with dist/ built once before the run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        testTimeout: 30_000,
        hookTimeout: 60_000,
        globalSetup: ['test/support/build.global-setup.ts'],
    },
});
