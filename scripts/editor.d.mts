// Types of scripts/editor.mjs for the TypeScript tests that import it.
export declare const repoRoot: string;
export declare const cacheRoot: string;
export declare const CODE_SERVER_OLDEST: string;
export declare const CODE_SERVER_CURRENT: string;
export declare const CODE_SERVER_DEFAULT: string;
export declare const vsixPath: string;
export declare function ensureCodeServer(version?: string): string;
export declare function editorEnv(opts?: { xdgConfigHome?: string; xdgDataHome?: string }): Record<string, string>;
export declare function editorSettings(opts?: { servers?: { name: string; url: string }[] }): Record<string, unknown>;
export declare function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void;
export declare function codeServerArgs(opts: { port: number; userDataDir: string; extensionsDir: string; folder: string }): string[];
export declare function packageVsix(opts?: { out?: string }): string;
export declare function installVsix(opts: { launcher: string; userDataDir: string; extensionsDir: string; vsix?: string; env?: Record<string, string> }): string;
export declare function demoServers(urls: { mcpUrl: string; mixedUrl: string; misconfiguredUrl?: string }): { name: string; url: string }[];
