/** `ping`: proves the webhook reaches us and says how long the server took. */
import { defineCommand } from '../command.js';

export default defineCommand({
    name: 'ping',
    summary: 'Answers pong, with how long the server took',
    run: ({ receivedAt, now }) => ({ text: `pong (server took ${Math.max(0, now() - receivedAt)} ms)` }),
});
