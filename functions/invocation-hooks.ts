/** The invocation hooks of the whole app, registered once: the worker runs them around every function (HTTP, queue and timer), and so does `npm start`. */
import { app } from '@azure/functions';
import { invocationTelemetryHooks } from '../shared/platform/index.js';

const hooks = invocationTelemetryHooks();

app.hook.preInvocation(hooks.preInvocation);
app.hook.postInvocation(hooks.postInvocation);
