export declare const repoRoot: string;
export declare const integrationOutDir: string;
export declare const integrationIndex: string;
export declare function buildIntegration(opts?: { extension?: boolean }): Promise<{ index: string; tests: string[] }>;
export declare function buildExtension(): void;
