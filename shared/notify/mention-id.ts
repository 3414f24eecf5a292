/** Who a Teams mention may name: a user principal name or a Microsoft Entra object id. */

/** A user principal name (`ada@contoso.com`): what Teams accepts as a mention's `id` besides an Entra object id. */
const UPN = /^[^\s@<>"]{1,64}@[A-Za-z0-9.-]{1,253}$/;

/** An Entra object id: a GUID. */
const ENTRA_OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` can be a Teams mention's `mentioned.id`: a UPN or an Entra object id.
 *
 * @example
 * isMentionId('ada@contoso.com'); // true
 */
export function isMentionId(id: string): boolean {
    return UPN.test(id) || ENTRA_OBJECT_ID.test(id);
}
