/** `TEAMS_MENTION_MAP_GITHUB`: which Teams user each GitHub login is, so the GitHub endpoint can @mention reviewers. */
import { listPairs } from '../../platform/config.js';
import { isMentionId } from '../mention-id.js';

/** A GitHub login: letters, digits and single hyphens, at most 39 characters (a bot's ends in `[bot]`). */
export const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

/** The setting that holds the map. */
const GITHUB_MENTION_MAP_SETTING = 'TEAMS_MENTION_MAP_GITHUB';

/**
 * Parses `login:upn,...` (a UPN or an Entra object id after each colon) into a map from the
 * lower-case login (GitHub logins are case-insensitive) to the Teams user. Blank means no map.
 * Problems name the setting and the entry by position and login, never the user id.
 *
 * @example
 * parseGitHubMentionMap('octocat:ada@contoso.com'); // { map: Map { 'octocat' => 'ada@contoso.com' }, problems: [] }
 */
export function parseGitHubMentionMap(value: string): { map: ReadonlyMap<string, string>; problems: string[] } {
    const map = new Map<string, string>();
    const problems: string[] = [];
    for (const { where, name: login = '', value: after } of listPairs(value, GITHUB_MENTION_MAP_SETTING)) {
        const id = login === '' ? '' : after;
        if (!GITHUB_LOGIN.test(login)) {
            problems.push(`${where}: write login:upn, where the login is a GitHub login (letters, digits and hyphens, at most 39)`);
        } else if (!isMentionId(id)) {
            problems.push(`${where} ("${login}"): after the colon, a UPN (ada@contoso.com) or an Entra object id (a GUID)`);
        } else if (map.has(login.toLowerCase())) {
            problems.push(`${where}: the login "${login}" is mapped twice (logins are case-insensitive)`);
        } else {
            map.set(login.toLowerCase(), id);
        }
    }
    return { map, problems };
}
