/** `help`: an Adaptive Card listing every command. */
import { helpCardTemplate, renderCardTemplate } from '../../../cards/index.js';
import { defineCommand } from '../command.js';

/** The name the help card gives the app. */
const APP_DISPLAY_NAME = 'teams-relay';

export default defineCommand({
    name: 'help',
    summary: 'Lists the commands',
    run: async ({ commands }) => {
        const card = await renderCardTemplate(helpCardTemplate, {
            name: APP_DISPLAY_NAME,
            commands: commands.map((command) => ({
                name: command.name,
                usage: command.usage ?? command.name,
                summary: command.summary,
            })),
        });
        return { card };
    },
});
