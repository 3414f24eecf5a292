/** Entra ID credentials for storage and telemetry, with the identity library loaded only on the first token request. */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/**
 * A `DefaultAzureCredential` that loads `@azure/identity` on the first token request, so building a
 * client stays synchronous and the (large) identity library is loaded only where identity is used.
 */
export function createLazyCredential(clientId: string | undefined): TokenCredential {
    let loaded: Promise<TokenCredential> | undefined;
    const load = async (): Promise<TokenCredential> => {
        const { DefaultAzureCredential } = await import('@azure/identity');
        return clientId === undefined ? new DefaultAzureCredential() : new DefaultAzureCredential({ managedIdentityClientId: clientId });
    };
    return {
        async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
            loaded ??= load();
            const credential = await loaded;
            return credential.getToken(scopes, options);
        },
    };
}
