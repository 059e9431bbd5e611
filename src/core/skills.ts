/**
 * The MCP Skills extension (SEP-2640), host side, on the SDK's `SkillsClient`: list a server's skills
 * without reading any of their files (no prefetch), and load one on demand — its `SKILL.md` first,
 * verified against the listed entry (byte size, sha256 digest, and the YAML frontmatter field by
 * field), then each supporting file the entry lists, each verified the same way. The first file that
 * fails verification stops the load: its content is not used and no further file is read.
 *
 * @see https://modelcontextprotocol.io/seps/2640-skills-extension#integrity-and-verification
 */
import type { Client } from '@modelcontextprotocol/client';
import { SkillsClient, SkillVerificationError, type Skill, type SkillFile } from '@modelcontextprotocol/client/ext/skills';
import { InspectorError } from './errors';

export type { Skill } from '@modelcontextprotocol/client/ext/skills';

export interface LoadedSkill {
  uri: string;
  /** The SKILL.md frontmatter, equal to the listed entry's. */
  frontmatter: Record<string, unknown>;
  /** The SKILL.md markdown after the frontmatter. */
  body: string;
  /** Every file of the skill, SKILL.md first, each verified against the entry. */
  files: Array<{ uri: string; bytes: number; verified: boolean }>;
}

export class Skills {
  private readonly sdk: SkillsClient;

  constructor(client: Client) {
    this.sdk = new SkillsClient(client);
  }

  /** The server declared the skills extension (`capabilities.extensions`). */
  get supported(): boolean {
    return this.sdk.supported;
  }

  /** The server's skills, every page; reads no skill file. Empty when the server lacks the extension. */
  async list(): Promise<Skill[]> {
    if (!this.supported) return [];
    try {
      return (await this.sdk.list()).skills;
    } catch (err) {
      throw new InspectorError('mcp_request_failed', `skills/list failed: ${(err as Error)?.message ?? String(err)}`, { step: 'skills/list', cause: err });
    }
  }

  /**
   * Load a skill: its SKILL.md, then the other files its entry lists, each verified before use.
   * Throws 'skill_verification_failed' at the first file that does not match the entry.
   */
  async load(skill: Skill): Promise<LoadedSkill> {
    const manifest = await this.read(skill);
    const files: LoadedSkill['files'] = [{ uri: manifest.uri, bytes: manifest.bytes.byteLength, verified: manifest.verified }];
    // A "dynamic" skill lists no files: only its SKILL.md is loaded; the rest is read when referenced.
    const listed = Array.isArray(skill.resources) ? skill.resources : [];
    for (const entry of listed) {
      if (sameFile(entry.uri, skill.uri)) continue;
      const f = await this.read(skill, entry.uri);
      files.push({ uri: f.uri, bytes: f.bytes.byteLength, verified: f.verified });
    }
    return { uri: skill.uri, frontmatter: manifest.frontmatter ?? {}, body: manifest.body ?? '', files };
  }

  private async read(skill: Skill, ref?: string): Promise<SkillFile> {
    const what = ref ?? skill.uri;
    try {
      return await this.sdk.read(skill, ref);
    } catch (err) {
      if (err instanceof SkillVerificationError) {
        // The differing fields, as the SDK states them (server text: shortened, never a secret of ours).
        const detail = err.reason === 'frontmatter' && err.differences.length ? ` (${err.differences.slice(0, 8).map((d) => (d.length > 200 ? `${d.slice(0, 200)}…` : d)).join('; ')})` : '';
        throw new InspectorError('skill_verification_failed', `${err.uri} does not match the skill's entry: ${REASONS[err.reason]}${detail}; the skill is not loaded`, {
          step: 'skill load',
          hint: 'The server listed one content and served another: its skill files changed since skills/list, or someone altered them on the way',
          cause: err,
        });
      }
      throw new InspectorError('mcp_request_failed', `reading ${what} failed: ${(err as Error)?.message ?? String(err)}`, { step: 'skill load', cause: err });
    }
  }
}

const REASONS: Record<SkillVerificationError['reason'], string> = {
  unlisted: 'the file is not listed in the entry',
  size: 'its byte size differs from the listed size',
  digest: 'its sha256 digest differs from the listed digest',
  frontmatter: 'its frontmatter differs from the listed frontmatter',
};

function sameFile(a: string, b: string): boolean {
  return a.split('#')[0] === b.split('#')[0];
}
