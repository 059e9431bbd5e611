import * as vscode from 'vscode';
import { elicitationHandler, type ElicitField, type ElicitationUi } from '../core/mcp/elicitation';
import type { Logger } from '../core/ports';
import { sanitizeServerText } from '../core/text/scrub';

/**
 * The editor's answer to a server's form-mode elicitation: a notification that says which server
 * asks what (Respond / Decline), then one input box or quick pick per field with the schema's
 * checks. Server text is shown as text (a notification's markdown links are neutralised).
 */
export function editorElicitation(serverName: () => string, log: Logger): ReturnType<typeof elicitationHandler> {
  const ui: ElicitationUi = {
    async intro(message, fields) {
      const text = sanitizeServerText(message, 500) || '(no message)';
      const choice = await vscode.window.showInformationMessage(
        `${serverName()} asks for ${fields.length} value${fields.length === 1 ? '' : 's'}: ${text}`,
        { modal: false },
        'Respond',
        'Decline',
      );
      log.info(`elicitation from ${serverName()}: ${choice === 'Respond' ? 'answering' : choice === 'Decline' ? 'declined' : 'dismissed'} (${fields.map((f) => f.name).join(', ')})`);
      return choice === 'Respond' ? 'accept' : choice === 'Decline' ? 'decline' : 'cancel';
    },
    ask: (field) => askField(serverName(), field),
    unsupported(why) {
      log.warn(`elicitation from ${serverName()} declined: ${why}`);
      void vscode.window.showWarningMessage(`${serverName()}: declined a request for input — ${why}.`);
    },
  };
  return elicitationHandler(ui);
}

async function askField(server: string, f: ElicitField): Promise<string | number | boolean | string[] | undefined | null> {
  const title = `${server}: ${sanitizeServerText(f.label, 120)}${f.required ? '' : ' (optional)'}`;
  const prompt = f.description ? sanitizeServerText(f.description, 300) : undefined;
  switch (f.kind) {
    case 'boolean': {
      const items: Array<vscode.QuickPickItem & { v?: boolean }> = [
        { label: 'Yes', v: true, description: f.default === true ? 'default' : undefined },
        { label: 'No', v: false, description: f.default === false ? 'default' : undefined },
        ...(f.required ? [] : [{ label: 'Leave empty' }]),
      ];
      const pick = await vscode.window.showQuickPick(items, { title, placeHolder: prompt, ignoreFocusOut: true });
      return pick ? pick.v : null;
    }
    case 'choice': {
      const items: Array<vscode.QuickPickItem & { v?: string }> = [
        ...(f.options ?? []).map((o) => ({ label: sanitizeServerText(o.label, 200), description: o.label !== o.value ? o.value : o.value === f.default ? 'default' : undefined, v: o.value })),
        ...(f.required ? [] : [{ label: 'Leave empty' }]),
      ];
      const pick = await vscode.window.showQuickPick(items, { title, placeHolder: prompt, ignoreFocusOut: true });
      return pick ? pick.v : null;
    }
    case 'multi': {
      const defaults = new Set(Array.isArray(f.default) ? f.default : []);
      const items = (f.options ?? []).map((o) => ({ label: sanitizeServerText(o.label, 200), description: o.label !== o.value ? o.value : undefined, picked: defaults.has(o.value), v: o.value }));
      for (;;) {
        const picks = await vscode.window.showQuickPick(items, { title, placeHolder: prompt, canPickMany: true, ignoreFocusOut: true });
        if (!picks) return null;
        const n = picks.length;
        const problem = f.minItems !== undefined && n < f.minItems ? `choose at least ${f.minItems}` : f.maxItems !== undefined && n > f.maxItems ? `choose at most ${f.maxItems}` : undefined;
        if (!problem) return n === 0 && !f.required ? undefined : picks.map((p) => p.v);
        void vscode.window.showWarningMessage(`${f.label}: ${problem}.`);
      }
    }
    default: {
      const text = await vscode.window.showInputBox({
        title,
        prompt,
        value: f.default === undefined ? undefined : String(f.default),
        ignoreFocusOut: true,
        validateInput: (t) => (t === '' ? (f.required ? 'Required' : undefined) : f.check(t)),
      });
      if (text === undefined) return null;
      return text === '' ? undefined : f.parse(text);
    }
  }
}
