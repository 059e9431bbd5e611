/**
 * The engine bundle's entry (dist/engine.js): everything the VS Code adapter needs from the parts of
 * the engine that carry the MCP SDK, oauth4webapi and jose. The adapter reaches it only through
 * src/vscode/engine.ts, which loads it on first use (the first connect, sign-out or token view), so
 * activation loads the tree, the commands and the settings only. No `vscode` import.
 */
export { createConnection } from './core/connection';
export { canonicalResource } from './core/oauth/discovery';
export { CredentialKeys, CredentialStore } from './core/oauth/credentialStore';
export { signOutMessage } from './core/oauth/authManager';
export { clientIdPromptText, DEFAULT_CLIENT_METADATA_URL } from './core/oauth/registration';
export { inspectConnectionToken } from './core/inspect/connectionToken';
export { runAudit } from './core/audit/runner';
export { complete, getPrompt, listPrompts, listResources, listResourceTemplates, readResource, subscribe, subscriptionSupport } from './core/mcp/resources';
export { checkPastedToken, externalTokenAudience, introspectedAudience } from './core/oauth/externalToken';
