/**
 * Preloaded with `node --import` by the cold-start benchmark: stands in for the worker's
 * "@azure/functions-core" (which only exists inside the Functions host), so `app.http(...)` and the
 * other registrations run their real code path and record instead of warning in test mode.
 */
import Module from 'node:module';

/** The part of the worker's module that registrations use. */
const core = {
    version: '4.0.0-bench',
    Disposable: class {
        dispose(): void {
            // Nothing to release.
        }
    },
    programmingModel: undefined as unknown,
    setProgrammingModel(model: unknown): void {
        core.programmingModel = model;
    },
    getProgrammingModel(): unknown {
        return core.programmingModel;
    },
    registrations: 0,
    registerFunction(): { dispose(): void } {
        core.registrations += 1;
        return { dispose: () => undefined };
    },
    registerHook(): { dispose(): void } {
        return { dispose: () => undefined };
    },
    log(): void {
        // The host's log sink; nothing to write here.
    },
};

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const originalLoad = loader._load;
loader._load = function load(request: string, parent: unknown, isMain: boolean): unknown {
    return request === '@azure/functions-core' ? core : originalLoad(request, parent, isMain);
};
