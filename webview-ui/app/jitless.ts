/**
 * Imported first by main.ts, before the bridge's modules define their schemas: zod decides at schema
 * definition whether to compile validators with `new Function`, and the panel's CSP has no
 * 'unsafe-eval' (and must not). Interpreted, as the app SDK's own App runs zod.
 */
import { z } from 'zod/v4';

z.config({ jitless: true });
