// The start-up summary printed by `npm start`: function URLs, queues, timer schedules, storage, and how to try a mention.
import type { LocalHost } from './local-host.js';

/**
 * Formats the lines `npm start` prints once the host is ready.
 * @example console.log(formatBanner(host));
 */
export function formatBanner(host: Pick<LocalHost, 'url' | 'storage' | 'functions'>): string {
    const lines = ['', 'Functions:', ''];
    for (const fn of host.functions) {
        switch (fn.kind) {
            case 'http':
                lines.push(`    ${fn.name}: [${fn.methods?.join(',') ?? 'ANY'}] ${fn.url}`);
                break;
            case 'queue':
                lines.push(`    ${fn.name}: queueTrigger on '${fn.queueName}' (${fn.connection})`);
                break;
            case 'timer':
                lines.push(
                    `    ${fn.name}: timerTrigger '${fn.schedule}' (next ${fn.nextRun.toISOString()}${fn.runOnStartup ? ', also on start-up' : ''})`,
                );
                break;
            case 'unsupported':
                lines.push(`    ${fn.name}: ${fn.triggerType} (not run locally)`);
                break;
        }
    }
    const mention = host.functions.find((fn) => fn.kind === 'http' && fn.name.toLowerCase() === 'mention');
    const mentionUrl = mention?.kind === 'http' ? mention.url : `${host.url}/api/mention`;
    lines.push(
        '',
        `Storage: ${host.storage}`,
        '',
        'Try a mention:',
        `    npx teams-relay sign --token <token> --text ping --send ${mentionUrl}`,
        '',
        'Press Ctrl+C to stop.',
        '',
    );
    return lines.join('\n');
}
