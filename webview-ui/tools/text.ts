/** Server text cut to a length for display (the rest marked with …); shared by the tools panel's parts. */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
