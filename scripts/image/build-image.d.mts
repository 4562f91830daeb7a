export function contextFiles(): string[];
export function sourceHash(files: string[], base: string): string;
export function buildImage(options?: { base?: string; tag?: string; quiet?: boolean }): Promise<string>;
