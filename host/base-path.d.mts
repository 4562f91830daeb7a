export function basePathFromEnv(env?: Record<string, string | undefined>): string;
export function routeUnderBasePath(basePath: string, url: string): { url: string } | { redirect: string } | { notFound: true };
