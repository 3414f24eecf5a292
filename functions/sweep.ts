/** Timer trigger on `SWEEP_SCHEDULE` (every minute by default): wakes any webhook that has jobs waiting but no sender and no pending wake-up. */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getConfig } from '../shared/config.js';
import { sweepSchedule } from '../shared/platform/config.js';

/** A pending wake-up this late has been lost (its message failed or expired). */
const LOST_WAKEUP_GRACE_MS = 120_000;

/**
 * The safety net behind wake-up messages: a crash between accepting a job and scheduling its
 * wake-up, or a lost message, delays a job by at most a minute plus the lease, never forever.
 */
async function sweep(_timer: Timer, context: InvocationContext): Promise<void> {
    const [{ deliveryRuntime, sendWakeup }, { trackEvent }] = await Promise.all([
        import('../shared/notify/azure.js'),
        import('../shared/platform/index.js'),
    ]);
    const runtime = await deliveryRuntime(getConfig());
    const now = Date.now();
    let woken = 0;
    for (const state of await runtime.store.listWebhooks()) {
        const leaseFree = state.leaseOwner === undefined || state.leaseUntil <= now;
        const wakeupPending = state.wakeAt > 0 && state.wakeAt > now - LOST_WAKEUP_GRACE_MS;
        if (!leaseFree || wakeupPending || (await runtime.store.countJobs(state.webhookKey, 1)) === 0) {
            continue;
        }
        await sendWakeup(runtime.wakeupQueue, state.webhookKey, now, now);
        woken += 1;
    }
    trackEvent(context, 'sweep', { woken });
}

app.timer('sweep', {
    schedule: sweepSchedule(process.env),
    runOnStartup: false,
    handler: sweep,
});
