/**
 * The CLI's opt-in persistent SecretStore: one JSON file written with mode 0600 (owner only),
 * replaced atomically. The extension never uses this — it stores secrets only in SecretStorage.
 */
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { InspectorError } from '../core/errors';
import type { SecretStore } from '../core/ports';

export class FileSecretStore implements SecretStore {
  private data: Record<string, string>;

  constructor(private readonly path: string) {
    this.data = Object.create(null) as Record<string, string>;
    if (existsSync(path)) {
      const mode = statSync(path).mode & 0o777;
      if (mode & 0o077) {
        throw new InspectorError('config_invalid', `the token store ${path} is readable by other users (mode ${mode.toString(8)})`, { hint: `Run: chmod 600 ${path}` });
      }
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') this.data[k] = v;
        }
      } catch {
        throw new InspectorError('config_invalid', `the token store ${path} is not valid JSON`, { hint: 'Delete it to start over' });
      }
    }
  }

  async get(key: string) {
    return Object.prototype.hasOwnProperty.call(this.data, key) ? this.data[key] : undefined;
  }
  async store(key: string, value: string) {
    this.data[key] = value;
    this.flush();
  }
  async delete(key: string) {
    delete this.data[key];
    this.flush();
  }
  async keys(prefix: string) {
    return Object.keys(this.data).filter((k) => k.startsWith(prefix));
  }

  private flush(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}
