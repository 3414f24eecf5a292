// Vitest configuration: every test under test/ but the browser tests (vitest.browser.config.mts), with dist/ built once before the run.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        // They need Chromium: `npm run test:browser` runs them, so `npm test` runs on a machine without a browser.
        exclude: [...configDefaults.exclude, 'test/browser/**'],
        // Most of the run waits on child processes (hosts, Azurite, the simulator), not on the CPU: three
        // files at a time finish well sooner than one per core on a 2-core machine.
        maxWorkers: 3,
        testTimeout: 30_000,
        hookTimeout: 60_000,
        globalSetup: ['test/support/build.global-setup.ts'],
        // A test that blocks its event loop cannot time out; the watchdog fails its file instead of letting the run wait for ever.
        setupFiles: ['test/support/watchdog.setup.ts'],
        // What passing tests print (the Functions library's test-mode warnings, seeds, host output) is noise; a failing test's is shown.
        silent: 'passed-only',
    },
});
