import type { RegistryAdmin } from '@neurolift/tenancy';
import type { CliContext, CliProgram } from './cli-context.js';
import { done, fields, json, outcomeOf, table, type CliOutcome } from './cli-output.js';
import { parseTokensArgs, TOKENS_USAGE, type TokensCommand } from './tokens-args.js';

type TokenView = Awaited<ReturnType<RegistryAdmin['listTokens']>>[number];

const gymsText = (gyms: 'all' | readonly string[]): string => (gyms === 'all' ? 'all' : gyms.join(','));

export function tokenTable(tokens: readonly TokenView[]): string {
  if (tokens.length === 0) return 'no tokens\n';
  return table(
    ['ID', 'NAME', 'ROLE', 'GYMS', 'EXPIRES', 'LAST USED', 'CREATED'],
    tokens.map((token) => [token.id, token.name, token.role, gymsText(token.gyms), token.expiresAt ?? 'never', token.lastUsedAt ?? 'never', token.createdAt]),
  );
}

async function runTokensCommand(command: TokensCommand, { admin, principal }: CliContext): Promise<CliOutcome> {
  switch (command.command) {
    case 'create': {
      const { role, gyms, name, expiresAt } = command;
      const result = await admin.issueToken(principal, { role, gyms, name, ...(expiresAt === undefined ? {} : { expiresAt }) });
      // The secret is printed here and never again: only its hash is kept.
      return outcomeOf(result, 'create', ({ secret, record }) =>
        fields([['id', record.id], ['secret', secret], ['role', record.role], ['gyms', gymsText(record.gyms)], ['expires', record.expiresAt ?? 'never']]),
      );
    }
    case 'list': {
      const tokens = await admin.listTokens(principal);
      return done(command.json ? json('tokens', tokens) : tokenTable(tokens));
    }
    case 'revoke':
      return outcomeOf(await admin.revokeToken(principal, command.tokenId), `revoke ${command.tokenId}`, ({ tokenId }) => `${tokenId} revoked\n`);
  }
}

/** `npm run tokens`: the tenant's scoped API tokens. */
export const TOKENS_CLI: CliProgram<TokensCommand> = {
  name: 'tokens',
  usage: TOKENS_USAGE,
  parse: parseTokensArgs,
  usesBroker: () => false,
  withinTenant: () => true,
  run: runTokensCommand,
};
