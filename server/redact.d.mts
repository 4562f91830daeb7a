export function redactQueryParams<T>(value: T, depth?: number): T;
