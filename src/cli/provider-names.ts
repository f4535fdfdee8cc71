// Apart from provider.ts so that the command line can list the providers without loading
// their SDKs (`salvo --help` starts in milliseconds).
export type ProviderName = 'anthropic' | 'openai' | 'openai-responses';

export const providerNames: readonly ProviderName[] = ['anthropic', 'openai', 'openai-responses'];
