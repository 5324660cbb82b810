/** Turns zod issues into "key.path: what was expected" lines, one per bad key. */
import type { z } from 'zod';

function joinPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** One line per problem; an unknown key is named with its full path rather than as its parent's issue. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${joinPath([...issue.path, key])}: unknown key`);
    } else if (issue.code === 'invalid_key') {
      lines.push(`${joinPath(issue.path)}: ${issue.issues[0]?.message ?? issue.message}`);
    } else {
      lines.push(`${joinPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

/** A bad alert config. `problems` names every bad key path; the message lists them all. */
export class AlertConfigError extends Error {
  readonly code = 'NL_ERR_ALERT_CONFIG';
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`${source}: invalid alert config: ${problems.join('; ')}`);
    this.name = 'AlertConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
